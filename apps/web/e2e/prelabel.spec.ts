import { createServer, type Server } from "node:http";
import { expect, type Page, test } from "@playwright/test";
import { confidenceColours } from "../lib/workbench/prelabel";
import { featureName, joinWorkspace, pixelAt, query, signInAdmin, uploadCorpusPart } from "./helpers";

// Parts arrive pre-labelled: the worker runs the built-in rules and a second model served over HTTP
// (the platform's FACET_PRELABELERS, see playwright.config.ts); the annotator is served the part the
// models are least sure of, sees how sure they were of each face, steps through the unsure faces and
// the faces the two models disagree on, and can submit what the models proposed.
test.describe.configure({ mode: "serial" });
test.setTimeout(240_000);

const LAB = { name: "Prelabel Lab", slug: "prelabel-lab" };
const IVY = { email: "ivy@example.test", password: "annotator ivy pw" };
const PARTS = ["mfcad/0-1-2-3-19.step", "nist-pmi/nist_ctc_01_asme1_rd.stp"];

let admin: Page;
let ivy: Page;
let model: Server;
let datasetId: string;
const seen: Array<{ faceCount: number; contract: string }> = [];

interface Prelabelled {
  id: string;
  name: string;
  prelabel_confidence: number;
  queue_priority: number;
  prelabel_disagreements: number;
  document: {
    labels: string[];
    prelabel: {
      models: { id: string; version: string }[];
      failed: unknown[];
      confidence: number[];
      disagreement: number[];
      predictions: Record<string, (string | null)[]>;
    };
  };
}

/** A model that calls every face stock, except every third face, which it calls a chamfer. */
function startModel(port: number): Promise<Server> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => {
      body += d;
    });
    req.on("end", () => {
      const input = JSON.parse(body) as { faceSignature: string; faceCount: number; contract: string };
      seen.push({ faceCount: input.faceCount, contract: input.contract });
      const probabilities = Array.from({ length: input.faceCount }, (_, f) => (f % 3 === 0 ? [0.2, 0.8] : [0.9, 0.1]));
      res.setHeader("content-type", "application/json");
      res.end(
        JSON.stringify({
          model: { id: "e2e-model", version: "1" },
          faceSignature: input.faceSignature,
          classes: ["stock", "chamfer"],
          probabilities,
          instances: [],
        }),
      );
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

test.beforeAll(async ({ browser }) => {
  model = await startModel(Number(process.env.FACET_E2E_MODEL_PORT));
  admin = await (await browser.newContext()).newPage();
  await signInAdmin(admin);
  expect((await admin.request.post("/api/workspaces", { data: { name: LAB.name } })).status()).toBe(201);
  const ds = await admin.request.post(`/api/workspaces/${LAB.slug}/datasets`, { data: { name: "Mixed" } });
  datasetId = (await ds.json()).dataset.id;
  for (const file of PARTS) await uploadCorpusPart(admin, LAB.slug, datasetId, file);
  await expect(async () => {
    await admin.reload();
    await expect(admin.locator('[data-status="pre_labeled"] .n')).toHaveText("2", { timeout: 1000 });
  }).toPass({ timeout: 180_000 });
  ivy = await joinWorkspace(browser, admin, LAB.slug, IVY, "annotator");
});

test.afterAll(() => new Promise<void>((resolve) => (model ? model.close(() => resolve()) : resolve())));

const prelabelled = () =>
  query<Prelabelled>(
    `select p.id, p.name, p.prelabel_confidence, p.queue_priority, p.prelabel_disagreements, r.document
     from parts p join annotation_revisions r on r.part_id = p.id and r.source = 'model'
     where p.dataset_id = $1 order by p.prelabel_confidence`,
    [datasetId],
  );

test("uploads are pre-labelled by both models; the least confident part is served first, with its confidences", async () => {
  const parts = await prelabelled();
  expect(parts).toHaveLength(2);
  // the model server was asked once per part, with the contract and every face
  expect(seen.map((s) => s.contract)).toEqual(["facet.prelabel/v1", "facet.prelabel/v1"]);
  for (const p of parts) {
    const { confidence, models } = p.document.prelabel;
    expect(models.map((m) => m.id)).toEqual(["facet-rules", "e2e-model"]);
    expect(confidence).toHaveLength(p.document.labels.length);
    const mean = confidence.reduce((a, b) => a + b, 0) / confidence.length;
    expect(p.prelabel_confidence).toBeCloseTo(mean, 5);
    expect(p.queue_priority).toBeCloseTo(mean, 5);
  }
  const [first, second] = parts as [Prelabelled, Prelabelled];
  expect(first.prelabel_confidence).toBeLessThan(second.prelabel_confidence);

  // the dataset's part page says how sure the models were
  await admin.goto(`/w/${LAB.slug}/parts/${first.id}`);
  await expect(admin.getByTestId("prelabel-status")).toContainText(
    `Pre-labelled: ${Math.round(first.prelabel_confidence * 100)}% confident on average; the models disagree on ${first.prelabel_disagreements} face(s).`,
  );

  // least confident first: the queue hands Ivy the part the models were least sure of
  await ivy.goto(`/w/${LAB.slug}/queue`);
  await ivy.getByRole("button", { name: /Claim next part/ }).click();
  await expect(ivy).toHaveURL(new RegExp(`/parts/${first.id}/label$`));
  await expect(ivy.locator("[data-viewer=ready]")).toBeVisible({ timeout: 60_000 });

  const panel = ivy.getByTestId("prelabel-panel");
  await expect(panel.getByTestId("prelabel-models")).toHaveText("by facet-rules 1.0.0, e2e-model 1");
  const { confidence } = first.document.prelabel;
  const { labels } = first.document;
  const mean = confidence.reduce((a, b) => a + b, 0) / confidence.length;
  await expect(panel.getByTestId("prelabel-mean")).toHaveText(`${Math.round(mean * 100)}% confident`);
  // every face starts labelled with the models' proposal
  await expect(ivy.getByTestId("unlabelled-count")).toHaveText("0");
  const unsure = confidence
    .map((c, f) => [c, f] as const)
    .filter(([c]) => c < 0.6)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1])
    .map(([, f]) => f);
  expect(unsure.length).toBeGreaterThan(0);
  await expect(panel.getByTestId("prelabel-uncertain")).toContainText(
    `${unsure.length} of ${unsure.length} unsure faces (below 60% confident) to confirm before submitting`,
  );

  // U steps to the least confident face, then the next
  await ivy.keyboard.press("u");
  const face = unsure[0] as number;
  await expect(panel.getByTestId("prelabel-face")).toContainText(`Face ${face}: proposed ${featureName(labels[face])}`);
  await expect(panel.getByTestId("prelabel-face")).toContainText(
    `${Math.round((confidence[face] as number) * 100)}% confident`,
  );
  await ivy.keyboard.press("u");
  await expect(panel.getByTestId("prelabel-face")).toContainText(`Face ${unsure[1]}:`);
});

test("the confidence view colours unsure faces red; the models' disagreements are listed face by face", async () => {
  const [first] = (await prelabelled()) as [Prelabelled];
  const { confidence, predictions, disagreement } = first.document.prelabel;
  const panel = ivy.getByTestId("prelabel-panel");

  // the least confident face that can be seen, and a sure one
  await ivy.keyboard.press("Escape");
  const pick = (faces: number[]) =>
    ivy.evaluate((list) => {
      const v = (window as unknown as { __facetViewer?: { visiblePoint(f: number): { x: number; y: number } | null } })
        .__facetViewer;
      for (const f of list) {
        const p = v?.visiblePoint(f);
        if (p) return { face: f, ...p };
      }
      return null;
    }, faces);
  const byConfidence = confidence
    .map((_, f) => f)
    .sort((a, b) => (confidence[a] as number) - (confidence[b] as number));
  const unsure = (await pick(byConfidence)) as { face: number; x: number; y: number };
  const sure = (await pick([...byConfidence].reverse())) as { face: number; x: number; y: number };
  expect(unsure).not.toBeNull();
  expect(sure).not.toBeNull();
  expect((confidence[sure.face] as number) - (confidence[unsure.face] as number)).toBeGreaterThan(0.3);
  /** The hue the confidence view gives a face (lighting changes brightness, not hue). */
  const hueOf = (face: number) => {
    const [r, g, b] = [...confidenceColours([confidence[face] as number], 1)].map((v) => v / 255) as number[];
    const max = Math.max(r as number, g as number, b as number);
    const min = Math.min(r as number, g as number, b as number);
    const h =
      max === r ? ((g as number) - (b as number)) / (max - min) : ((b as number) - (r as number)) / (max - min) + 2;
    return (h * 60 + 360) % 360;
  };
  const hueDistance = (a: number, b: number) => Math.min(Math.abs(a - b), 360 - Math.abs(a - b));
  // far enough apart on the ramp for the check to tell them apart
  expect(hueDistance(hueOf(unsure.face), hueOf(sure.face))).toBeGreaterThan(30);
  const labelled = await pixelAt(ivy, unsure.x, unsure.y);

  await ivy.keyboard.press("c");
  await expect(panel.getByRole("button", { name: /Show labels/ })).toHaveAttribute("aria-pressed", "true");
  await expect(async () => {
    const low = await pixelAt(ivy, unsure.x, unsure.y);
    expect(low.sat).toBeGreaterThan(0.35);
    expect(hueDistance(low.hue, hueOf(unsure.face))).toBeLessThan(12);
    const high = await pixelAt(ivy, sure.x, sure.y);
    expect(hueDistance(high.hue, hueOf(sure.face))).toBeLessThan(12);
  }).toPass({ timeout: 10_000 });
  await ivy.keyboard.press("c");
  await expect(async () => {
    const back = await pixelAt(ivy, unsure.x, unsure.y);
    expect(back.rgb).toEqual(labelled.rgb);
  }).toPass({ timeout: 10_000 });

  // two models: where their top classes differ, listed and stepped through
  const differing = disagreement.flatMap((d, f) => (d > 0 ? [f] : []));
  expect(differing.length).toBe(first.prelabel_disagreements);
  expect(differing.length).toBeGreaterThan(0);
  await expect(panel.getByTestId("prelabel-disagreement")).toHaveText(
    `Models disagree on ${differing.length} face(s).`,
  );
  await ivy.keyboard.press("Escape");
  await panel.getByRole("button", { name: "Next", exact: true }).click();
  const f = differing[0] as number;
  const rules = predictions["facet-rules"]?.[f];
  const other = predictions["e2e-model"]?.[f];
  expect(rules).not.toBe(other);
  await expect(panel.getByTestId("prelabel-face")).toContainText(`Face ${f}:`);
  await expect(panel.getByTestId("prelabel-face")).toContainText(`e2e-model: ${featureName(other)}`);
});

test("an untouched pre-label cannot be rubber-stamped: the unsure faces are confirmed first, and the reviewer sees what was checked", async () => {
  const [first] = (await prelabelled()) as [Prelabelled];
  const { confidence } = first.document.prelabel;
  const unsure = confidence
    .map((c, f) => [c, f] as const)
    .filter(([c]) => c < 0.6)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1])
    .map(([, f]) => f);
  const panel = ivy.getByTestId("prelabel-panel");
  // what Ivy has and has not looked at, before she submits
  await expect(ivy.getByTestId("submit-checks")).toContainText("Of the pre-labelled faces you changed 0, confirmed 0");

  // one click used to send the models' labels to review unread; now the unsure faces come first
  await ivy.getByRole("button", { name: "Submit for review" }).click();
  await expect(ivy.getByTestId("submit-problems")).toContainText(
    `${unsure.length} unsure pre-labelled face${unsure.length === 1 ? " is" : "s are"} not confirmed yet`,
  );
  await expect(ivy).toHaveURL(new RegExp(`/parts/${first.id}/label$`));
  // ... and the least sure of them is in view, with its proposal
  await expect(panel.getByTestId("prelabel-face")).toContainText(`Face ${unsure[0]}:`);
  expect((await query<{ status: string }>("select status from parts where id = $1", [first.id]))[0]?.status).toBe(
    "in_progress",
  );

  // Enter confirms the face in view and moves to the next unsure one, until none is left
  for (let i = 0; i < unsure.length; i++) {
    await expect(panel.getByTestId("prelabel-uncertain")).toHaveAttribute("data-left", String(unsure.length - i));
    await expect(panel.getByTestId("prelabel-face")).toContainText(`Face ${unsure[i]}:`);
    await ivy.keyboard.press("Enter");
  }
  await expect(panel.getByTestId("prelabel-uncertain")).toHaveAttribute("data-left", "0");
  await expect(panel.getByTestId("prelabel-uncertain")).toContainText(`All ${unsure.length} unsure faces`);
  await expect(ivy.getByTestId("submit-checks")).toContainText(`confirmed ${unsure.length}`);

  await ivy.getByRole("button", { name: "Submit for review" }).click();
  await expect(ivy).toHaveURL(new RegExp(`/w/${LAB.slug}/queue\\?submitted=`));
  // the labels are the models' (nothing changed), saved with what Ivy did with each face
  const [saved] = await query<{ labels: string[]; checks: string[]; source: string }>(
    `select r.document -> 'labels' as labels, r.face_checks::text[] as checks, r.source
     from annotation_revisions r where r.part_id = $1 order by r.revision_no desc limit 1`,
    [first.id],
  );
  expect(saved?.source).toBe("human");
  expect(saved?.labels).toEqual(first.document.labels);
  for (const f of unsure) expect(saved?.checks[f], `face ${f}`).toBe("confirmed");
  expect(saved?.checks.filter((c) => c === "unseen").length).toBeGreaterThan(0);
  const [part] = await query<{ status: string; annotator: string }>(
    "select p.status, u.email as annotator from parts p join auth.users u on u.id = p.annotator_id where p.id = $1",
    [first.id],
  );
  expect(part).toEqual({ status: "in_review", annotator: IVY.email });

  // the reviewer sees what was confirmed and what went through unseen, then the quality page does
  const counts = (c: string) => (saved?.checks ?? []).filter((x) => x === c).length;
  await admin.goto(`/w/${LAB.slug}/parts/${first.id}/review`);
  const checks = admin.getByTestId("review-checks");
  await expect(checks.getByTestId("check-count-confirmed")).toHaveText(String(counts("confirmed")));
  await expect(checks.getByTestId("check-count-unseen")).toHaveText(String(counts("unseen")));
  await checks.getByRole("button", { name: "Show on the part" }).click();
  await expect(checks.getByRole("button", { name: "Hide checks" })).toHaveAttribute("aria-pressed", "true");
  await admin.getByRole("button", { name: "Approve" }).click();
  await expect(admin).toHaveURL(new RegExp(`/w/${LAB.slug}/review\\?reviewed=`));
  await admin.goto(`/w/${LAB.slug}/quality`);
  const row = admin.locator(`[data-testid="checks-row"][data-annotator="${IVY.email}"]`);
  await expect(row.locator('[data-check="confirmed"]')).toHaveText(String(counts("confirmed")));
  await expect(row.locator('[data-check="unseen"]')).toHaveText(String(counts("unseen")));
});

test("a dataset with pre-labelling off: parts wait unannotated, and an engineer can pre-label one on its page", async () => {
  const ds = await admin.request.post(`/api/workspaces/${LAB.slug}/datasets`, { data: { name: "Plain" } });
  const plainId = (await ds.json()).dataset.id as string;
  await admin.goto(`/w/${LAB.slug}/datasets/${plainId}`);
  const box = admin.getByRole("checkbox", { name: "Pre-label new parts" });
  await expect(box).toBeChecked();
  await box.uncheck();
  await expect(admin.getByTestId("prelabel-setting-saved")).toHaveText("Saved: no pre-labels.");
  const [setting] = await query<{ prelabel: boolean }>("select prelabel from datasets where id = $1", [plainId]);
  expect(setting?.prelabel).toBe(false);

  await uploadCorpusPart(admin, LAB.slug, plainId, "mfcad/0-0-0-0-0-23.step");
  await expect(async () => {
    await admin.reload();
    await expect(admin.locator('[data-status="unannotated"] .n')).toHaveText("1", { timeout: 1000 });
  }).toPass({ timeout: 120_000 });
  const [part] = await query<{ id: string }>("select id from parts where dataset_id = $1", [plainId]);
  const id = (part as { id: string }).id;
  expect(await query("select 1 from annotation_revisions where part_id = $1", [id])).toHaveLength(0);

  await admin.goto(`/w/${LAB.slug}/parts/${id}`);
  await expect(admin.getByTestId("prelabel-status")).toHaveCount(0);
  await admin.getByRole("button", { name: "Pre-label now" }).click();
  await expect(async () => {
    await admin.reload();
    await expect(admin.getByTestId("part-status")).toHaveText("Pre-labelled", { timeout: 1000 });
  }).toPass({ timeout: 120_000 });
  await expect(admin.getByTestId("prelabel-status")).toContainText("Pre-labelled:");
  const revisions = await query<{ source: string }>("select source from annotation_revisions where part_id = $1", [id]);
  expect(revisions).toEqual([{ source: "model" }]);
});
