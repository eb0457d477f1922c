import { expect, type Page, test } from "@playwright/test";
import {
  bigVisibleFace,
  confirmUnsureFaces,
  featureName,
  joinWorkspace,
  query,
  signInAdmin,
  uploadNistPart,
} from "./helpers";

// A dataset that needs two independent annotations per part: the first annotator's work is recorded
// and the part goes back to the queue, the second starts from the pre-label (not from the first's
// labels), and the part reaches review with the majority label and the disputed face shown.
test.describe.configure({ mode: "serial" });
test.setTimeout(240_000);

const LAB = { name: "Consensus Lab", slug: "consensus-lab" };
const UMA = { email: "uma@example.test", password: "annotator uma pw" };
const VIC = { email: "vic@example.test", password: "annotator vic pw" };
const WES = { email: "wes@example.test", password: "engineer wes pw" };
const PART = "nist_ftc_11_asme1_rb.stp";

let admin: Page;
let uma: Page;
let vic: Page;
let wes: Page;
let datasetId: string;
let partId: string;
let changedFace: number;

const labelsOf = async (revision: "latest" | "model") =>
  (
    await query<{ labels: string[] }>(
      `select document->'labels' as labels from annotation_revisions
       where part_id = $1 ${revision === "model" ? "and source = 'model'" : ""} order by revision_no desc limit 1`,
      [partId],
    )
  )[0]?.labels ?? [];

test.beforeAll(async ({ browser }) => {
  admin = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  await signInAdmin(admin);
  expect((await admin.request.post("/api/workspaces", { data: { name: LAB.name } })).status()).toBe(201);
  const ds = await admin.request.post(`/api/workspaces/${LAB.slug}/datasets`, { data: { name: "Pairs" } });
  datasetId = (await ds.json()).dataset.id;

  // the admin asks for two independent annotations per part, on the dataset page
  await admin.goto(`/w/${LAB.slug}/datasets/${datasetId}`);
  await admin.getByRole("combobox", { name: "Annotations per part" }).selectOption("2");
  await expect(admin.getByTestId("required-annotations-saved")).toHaveText(
    "Saved: 2 independent annotations per part.",
  );
  const [settings] = await query<{ required_annotations: number }>(
    "select required_annotations from datasets where id = $1",
    [datasetId],
  );
  expect(settings?.required_annotations).toBe(2);

  await uploadNistPart(admin, LAB.slug, datasetId, PART);
  await expect(async () => {
    await admin.reload();
    await expect(admin.locator('[data-status="pre_labeled"] .n')).toHaveText("1", { timeout: 1000 });
  }).toPass({ timeout: 150_000 });
  partId = (
    (await query<{ id: string }>("select id from parts where dataset_id = $1", [datasetId]))[0] as { id: string }
  ).id;
  uma = await joinWorkspace(browser, admin, LAB.slug, UMA, "annotator");
  vic = await joinWorkspace(browser, admin, LAB.slug, VIC, "annotator");
  wes = await joinWorkspace(browser, admin, LAB.slug, WES, "engineer");
});

test("the first annotation is recorded and the part goes back to the queue, for someone else", async () => {
  await uma.goto(`/w/${LAB.slug}/queue`);
  await uma.getByRole("button", { name: /Claim next part/ }).click();
  await expect(uma).toHaveURL(new RegExp(`/parts/${partId}/label$`));
  await expect(uma.locator("[data-viewer=ready]")).toBeVisible({ timeout: 60_000 });
  // Uma relabels the biggest visible face as a fillet (hotkey 5)
  const model = await labelsOf("model");
  const target = await bigVisibleFace(
    uma,
    model.flatMap((l, f) => (l === "fillet" ? [f] : [])),
  );
  changedFace = target.face;
  expect(model[changedFace]).not.toBe("fillet");
  await uma.mouse.click(target.x, target.y);
  await uma.keyboard.press("5");
  await expect(uma.getByTestId("save-status")).toHaveText(/Saved · revision \d+/, { timeout: 15_000 });
  await confirmUnsureFaces(uma);
  await uma.getByRole("button", { name: "Submit for review" }).click();
  await expect(uma).toHaveURL(new RegExp(`/w/${LAB.slug}/queue\\?recorded=`));
  await expect(uma.getByRole("status").filter({ hasText: "is recorded" })).toContainText(
    `Your annotation of ${PART} is recorded.`,
  );

  const [part] = await query<{ status: string; annotator_id: string | null }>(
    "select status, annotator_id from parts where id = $1",
    [partId],
  );
  expect(part).toEqual({ status: "pre_labeled", annotator_id: null });
  const recorded = await query<{ email: string }>(
    "select u.email from independent_annotations i join auth.users u on u.id = i.annotator_id where i.part_id = $1",
    [partId],
  );
  expect(recorded).toEqual([{ email: UMA.email }]);
  // the next annotator starts from the pre-label again
  expect(await labelsOf("latest")).toEqual(model);

  // Uma is not served it again
  const again = await uma.request.post(`/api/workspaces/${LAB.slug}/queue/claim`, { data: {} });
  expect(again.status()).toBe(404);
  expect((await again.json()).error.code).toBe("QUEUE_EMPTY");
});

test("the second annotator starts from the pre-label; the part reaches review with the majority and the dispute shown", async () => {
  const model = await labelsOf("model");
  await vic.goto(`/w/${LAB.slug}/queue`);
  await vic.getByRole("button", { name: /Claim next part/ }).click();
  await expect(vic).toHaveURL(new RegExp(`/parts/${partId}/label$`));
  await expect(vic.locator("[data-viewer=ready]")).toBeVisible({ timeout: 60_000 });
  // the face Uma changed shows the model's label, not hers
  const seen = await vic.evaluate(
    (f) =>
      (
        window as unknown as { __facetViewer?: { visiblePoint(f: number): { x: number; y: number } | null } }
      ).__facetViewer?.visiblePoint(f) ?? null,
    changedFace,
  );
  expect(seen).not.toBeNull();
  await vic.mouse.move((seen as { x: number }).x, (seen as { y: number }).y);
  await expect(vic.getByTestId("hover-info")).toContainText(`face ${changedFace}`);
  await expect(vic.getByTestId("hover-info")).toContainText(featureName(model[changedFace]));
  await confirmUnsureFaces(vic);
  await vic.getByRole("button", { name: "Submit for review" }).click();
  await expect(vic).toHaveURL(new RegExp(`/w/${LAB.slug}/queue\\?submitted=`));

  const [part] = await query<{ status: string }>("select status from parts where id = $1", [partId]);
  expect(part?.status).toBe("in_review");
  const [latest] = await query<{ source: string; labels: string[] }>(
    "select source, document->'labels' as labels from annotation_revisions where part_id = $1 order by revision_no desc limit 1",
    [partId],
  );
  // the majority of two: agreed faces as labelled; the tie on the changed face goes to the first label in byte order
  const expected = model.map((l, f) => (f === changedFace ? [l, "fillet"].sort()[0] : l));
  expect(latest).toEqual({ source: "consensus", labels: expected });

  // the reviewer's queue says the part was annotated twice, with one face in dispute
  await wes.goto(`/w/${LAB.slug}/review`);
  await expect(wes.locator(`[data-part-id="${partId}"]`).getByTestId("consensus-badge")).toHaveText(
    "2 annotations · 1 disputed face",
  );
  // the reviewer sees both annotations and steps to the disputed face
  await wes.goto(`/w/${LAB.slug}/parts/${partId}/review`);
  const panel = wes.getByTestId("consensus-panel");
  await expect(panel).toContainText("2 of 2");
  await expect(panel.getByTestId("consensus-summary")).toContainText("1 face(s) disputed");
  await panel.getByRole("button", { name: "Next disputed face" }).click();
  const face = panel.getByTestId("consensus-face");
  await expect(face).toContainText(`Face ${changedFace}:`);
  await expect(face).toContainText(`${UMA.email}: Fillet / round`);
  await expect(face).toContainText(`${VIC.email}: ${featureName(model[changedFace])}`);
  // what the page calls the majority is what the consensus revision holds, and it says the face was a tie
  await expect(face.getByTestId("consensus-majority")).toHaveText(
    `Majority: ${featureName(expected[changedFace])} (a tie: the first label in alphabetical order, for you to decide)`,
  );
});

test("the quality page reports the agreement between the two annotators", async () => {
  await admin.goto(`/w/${LAB.slug}/quality?dataset=${datasetId}`);
  const faces = (await labelsOf("model")).length;
  await expect(admin.getByTestId("agreement-summary")).toContainText(`1 part(s), ${faces} faces`);
  const pair = admin.getByTestId("agreement-pairs").locator(`tr[data-pair="${UMA.email}|${VIC.email}"]`);
  await expect(pair.locator("td").nth(1)).toHaveText(String(faces));
  await expect(admin.getByTestId("agreement-disputed")).toContainText(PART);
});
