import { randomBytes } from "node:crypto";
import { expect, type Page, test } from "@playwright/test";
import { ADMIN, database, joinWorkspace, query, signInAdmin } from "./helpers";

/** A dataset's learned pre-labels as they stand when nobody turned them on (issue 20). */
const LEARNING_OFF = {
  learnedPrelabel: false,
  retrainAfter: 25,
  approvalsSinceTraining: 0,
  trainingPending: false,
  promoted: null,
};

// Pre-labelling as the people who run a workspace see it: the order a dataset's queue is served in
// (chosen on the dataset page, followed by the parts' priorities in the database), and the label
// quality page, which tells how much of each model's pre-labels survived review. Parts are made in
// the database (as its owner), moved along the status machine's legal transitions only.
test.describe.configure({ mode: "serial" });
test.setTimeout(120_000);

const LAB = { name: "Quality Lab", slug: "quality-lab" };
const QUINN = { email: "quinn@example.test", password: "annotator quinn pw" };

let admin: Page;
let quinn: Page;
let quinnId: string;
let adminId: string;
const datasets = {} as Record<"brackets" | "housings" | "empty", { id: string; name: string }>;

interface SeedPart {
  datasetId: string;
  name: string;
  /** null: a part without a pre-label (it waits unannotated). */
  confidence: number | null;
}

/** Insert parts (and their blobs), as uploads the worker has pre-labelled; returns their ids. */
async function insertPrelabelled(parts: SeedPart[]): Promise<string[]> {
  const ids: string[] = [];
  for (const p of parts) {
    const sha = randomBytes(32).toString("hex");
    const [row] = await query<{ id: string }>(
      `with b as (insert into blobs (sha256, size, storage_key) values ($1, 100, 'blobs/sha256/' || $1) returning sha256)
       insert into parts (workspace_id, dataset_id, blob_sha256, name, status, prelabel_confidence)
       select w.id, $3, b.sha256, $4, $5::part_status, $6 from b, workspaces w where w.slug = $2
       returning id`,
      [sha, LAB.slug, p.datasetId, p.name, p.confidence === null ? "unannotated" : "pre_labeled", p.confidence],
    );
    ids.push((row as { id: string }).id);
  }
  return ids;
}

interface ReviewedPart {
  datasetId: string;
  name: string;
  model: { id: string; version: string };
  /** What the model proposed, a label per face. */
  proposed: string[];
  /** The labels the annotator saved and the reviewer approved. */
  approved: string[];
}

/**
 * A part taken along the whole road as the platform takes it, each step a legal transition:
 * uploaded → processing → unannotated (tessellated) → pre_labeled (the model's revision) →
 * in_progress (claimed) → in_review (the annotator's revision) → approved.
 */
async function approvedPart(p: ReviewedPart): Promise<string> {
  const db = database();
  await db.connect();
  try {
    await db.query("begin");
    const sha = randomBytes(32).toString("hex");
    const signature = `sig-${sha.slice(0, 16)}`;
    const faceCount = p.proposed.length;
    await db.query("insert into blobs (sha256, size, storage_key) values ($1, 100, 'blobs/sha256/' || $1)", [sha]);
    const { rows } = await db.query<{ id: string }>(
      `insert into parts (workspace_id, dataset_id, blob_sha256, name, created_by)
       select w.id, $2, $3, $4, $5 from workspaces w where w.slug = $1 returning id`,
      [LAB.slug, p.datasetId, sha, p.name, adminId],
    );
    const partId = (rows[0] as { id: string }).id;
    const step = (sql: string, params: unknown[] = []) => db.query(sql, [partId, ...params]);
    await step("update parts set status = 'processing' where id = $1");
    await step(
      `with g as (
         insert into part_geometry (blob_sha256, tessellator_version, params_hash, params, mesh_key, faces_key,
           face_count, triangle_count, face_signature, area, bbox)
         select blob_sha256, 'e2e', 'p', '{}', 'derived/mesh-' || $2, 'derived/faces-' || $2, $3, $3 * 4, $2, 1, '{}'
         from parts where id = $1 returning id)
       update parts set geometry_id = (select id from g), status = 'unannotated' where id = $1`,
      [signature, faceCount],
    );
    const confidence = p.proposed.map((_, i) => 0.9 - i * 0.05);
    const prelabel = { schemaVersion: 1, faceSignature: signature, faceCount, labels: p.proposed, instances: [] };
    await step(
      `insert into annotation_revisions (part_id, revision_no, author_id, label_schema_id, face_signature, document,
         model_assisted, source)
       select $1, 1, null, d.label_schema_id, $2, $3, true, 'model'
       from parts p join datasets d on d.id = p.dataset_id where p.id = $1`,
      [signature, JSON.stringify({ ...prelabel, prelabel: { models: [p.model], failed: [], confidence } })],
    );
    await step("update parts set status = 'pre_labeled', prelabel_confidence = $2 where id = $1", [
      confidence.reduce((a, b) => a + b, 0) / faceCount,
    ]);
    await step(
      `update parts set status = 'in_progress', annotator_id = $2, claimed_at = now(),
         lease_expires_at = now() + interval '15 minutes', claimed_from = 'pre_labeled' where id = $1`,
      [quinnId],
    );
    await step(
      `insert into annotation_revisions (part_id, revision_no, parent_id, author_id, label_schema_id, face_signature,
         document, model_assisted, source)
       select $1, 2, r.id, $2, r.label_schema_id, $3, $4, true, 'human'
       from annotation_revisions r where r.part_id = $1 and r.revision_no = 1`,
      [quinnId, signature, JSON.stringify({ ...prelabel, labels: p.approved })],
    );
    await step("update parts set status = 'in_review' where id = $1");
    await step("update parts set status = 'approved', reviewer_id = $2 where id = $1", [adminId]);
    await db.query("commit");
    return partId;
  } catch (e) {
    await db.query("rollback");
    throw e;
  } finally {
    await db.end();
  }
}

test.beforeAll(async ({ browser }) => {
  admin = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  await signInAdmin(admin);
  const ws = await admin.request.post("/api/workspaces", { data: { name: LAB.name } });
  expect(ws.status()).toBe(201);
  for (const [key, name] of [
    ["brackets", "Brackets"],
    ["housings", "Housings"],
    ["empty", "Nothing approved"],
  ] as const) {
    const res = await admin.request.post(`/api/workspaces/${LAB.slug}/datasets`, { data: { name } });
    expect(res.status()).toBe(201);
    datasets[key] = (await res.json()).dataset;
  }
  quinn = await joinWorkspace(browser, admin, LAB.slug, QUINN, "annotator");
  const users = await query<{ id: string; email: string }>(
    "select id, email from auth.users where email = any($1::text[])",
    [[QUINN.email, ADMIN.email]],
  );
  quinnId = (users.find((u) => u.email === QUINN.email) as { id: string }).id;
  adminId = (users.find((u) => u.email === ADMIN.email) as { id: string }).id;
});

test("an admin serves a dataset oldest first; the parts' priorities follow; an annotator only reads it", async () => {
  const partIds = await insertPrelabelled([
    { datasetId: datasets.brackets.id, name: "unsure.step", confidence: 0.25 },
    { datasetId: datasets.brackets.id, name: "sure.step", confidence: 0.75 },
  ]);
  const priorities = () =>
    query<{ name: string; queue_priority: number }>(
      "select name, queue_priority from parts where id = any($1::uuid[]) order by name",
      [partIds],
    );
  // least confident first is where a dataset starts: the priority is the model's confidence
  expect(await priorities()).toEqual([
    { name: "sure.step", queue_priority: 0.75 },
    { name: "unsure.step", queue_priority: 0.25 },
  ]);

  await admin.goto(`/w/${LAB.slug}/datasets/${datasets.brackets.id}`);
  const select = admin.getByRole("combobox", { name: "Queue order" });
  await expect(select).toHaveValue("least_confident");
  await expect(select.locator("option:checked")).toHaveText("Least confident pre-labels first");
  await select.selectOption({ label: "Oldest first" });
  await expect(admin.getByTestId("queue-order-saved")).toHaveText("Saved: oldest first.");

  const [stored] = await query<{ queue_order: string }>("select queue_order from datasets where id = $1", [
    datasets.brackets.id,
  ]);
  expect(stored?.queue_order).toBe("oldest");
  expect(await priorities()).toEqual([
    { name: "sure.step", queue_priority: 0 },
    { name: "unsure.step", queue_priority: 0 },
  ]);
  // the other datasets keep their own order
  const [other] = await query<{ queue_order: string }>("select queue_order from datasets where id = $1", [
    datasets.housings.id,
  ]);
  expect(other?.queue_order).toBe("least_confident");

  // it stays chosen
  await admin.reload();
  await expect(admin.getByRole("combobox", { name: "Queue order" })).toHaveValue("oldest");

  // the annotator reads the order and cannot change it, on the page or through the API
  await quinn.goto(`/w/${LAB.slug}/datasets/${datasets.brackets.id}`);
  await expect(quinn.getByTestId("queue-order")).toContainText("Queue order: Oldest first");
  await expect(quinn.getByRole("combobox", { name: "Queue order" })).toHaveCount(0);
  const refused = await quinn.request.patch(`/api/workspaces/${LAB.slug}/datasets/${datasets.brackets.id}`, {
    data: { queueOrder: "least_confident" },
  });
  expect(refused.status()).toBe(403);
  expect((await refused.json()).error.code).toBe("ROLE_REQUIRED");
  const seen = await quinn.request.get(`/api/workspaces/${LAB.slug}/datasets/${datasets.brackets.id}`);
  expect(seen.status()).toBe(200);
  expect(await seen.json()).toEqual({
    dataset: {
      id: datasets.brackets.id,
      name: "Brackets",
      prelabel: true,
      queueOrder: "oldest",
      requiredAnnotations: 1,
      maxHeldParts: 3,
      ...LEARNING_OFF,
    },
  });

  // the API: by name too, bad bodies and unknown datasets refused with clear JSON errors
  const back = await admin.request.patch(`/api/workspaces/${LAB.slug}/datasets/Brackets`, {
    data: { queueOrder: "least_confident" },
  });
  expect(back.status()).toBe(200);
  expect(await back.json()).toEqual({
    dataset: {
      id: datasets.brackets.id,
      name: "Brackets",
      prelabel: true,
      queueOrder: "least_confident",
      requiredAnnotations: 1,
      maxHeldParts: 3,
      ...LEARNING_OFF,
    },
  });
  expect(await priorities()).toEqual([
    { name: "sure.step", queue_priority: 0.75 },
    { name: "unsure.step", queue_priority: 0.25 },
  ]);
  for (const data of [{ queueOrder: "newest" }, {}, { queueOrder: "oldest", name: "Renamed" }]) {
    const bad = await admin.request.patch(`/api/workspaces/${LAB.slug}/datasets/${datasets.brackets.id}`, { data });
    expect(bad.status(), JSON.stringify(data)).toBe(400);
    expect((await bad.json()).error.code).toBe("VALIDATION_FAILED");
  }
  const unknown = await admin.request.patch(`/api/workspaces/${LAB.slug}/datasets/No%20such%20dataset`, {
    data: { queueOrder: "oldest" },
  });
  expect(unknown.status()).toBe(404);
  expect((await unknown.json()).error.code).toBe("NOT_FOUND");
  const [unchanged] = await query<{ queue_order: string }>("select queue_order from datasets where id = $1", [
    datasets.brackets.id,
  ]);
  expect(unchanged?.queue_order).toBe("least_confident");

  // a change that cannot be saved says so, and the select goes back to what is stored
  const doomed = await admin.request.post(`/api/workspaces/${LAB.slug}/datasets`, { data: { name: "Doomed" } });
  const { dataset: gone } = (await doomed.json()) as { dataset: { id: string } };
  await admin.goto(`/w/${LAB.slug}/datasets/${gone.id}`);
  await expect(admin.getByRole("combobox", { name: "Queue order" })).toHaveValue("least_confident");
  await query("delete from datasets where id = $1", [gone.id]);
  await admin.getByRole("combobox", { name: "Queue order" }).selectOption("oldest");
  await expect(admin.getByTestId("queue-order").getByRole("alert")).toContainText("Not saved: no dataset");
  await expect(admin.getByRole("combobox", { name: "Queue order" })).toHaveValue("least_confident");
  await expect(admin.getByTestId("queue-order-saved")).toHaveCount(0);
});

test("label quality: each model's pre-labels kept by review, per class, filtered by dataset", async () => {
  const page = `/w/${LAB.slug}/quality`;
  // nothing approved yet (the pre-labelled parts above wait in the queue): an empty state
  await admin.goto(page);
  await expect(admin.getByRole("heading", { name: "Label quality" })).toBeVisible();
  await expect(
    admin.getByText(/pre-labels survived review: low rates mean annotators fix that class often/),
  ).toBeVisible();
  await expect(admin.getByTestId("acceptance-empty")).toBeVisible();
  await expect(admin.getByTestId("acceptance-row")).toHaveCount(0);

  // the rules model proposed 3 stock faces and 2 through-hole faces; the annotator made one stock face a hole
  await approvedPart({
    datasetId: datasets.brackets.id,
    name: "bracket-1.step",
    model: { id: "facet-rules", version: "1.0.0" },
    proposed: ["stock", "stock", "stock", "through_hole", "through_hole", "fillet"],
    approved: ["stock", "stock", "through_hole", "through_hole", "through_hole", "fillet"],
  });
  // another model, on another dataset: its one fillet was a chamfer
  await approvedPart({
    datasetId: datasets.housings.id,
    name: "housing-1.step",
    model: { id: "facet-ml", version: "0.3.0" },
    proposed: ["fillet", "stock", "stock"],
    approved: ["chamfer", "stock", "stock"],
  });

  await admin.reload();
  await expect(admin.getByTestId("acceptance-empty")).toHaveCount(0);
  const rows = admin.getByTestId("acceptance-row");
  await expect(rows).toHaveCount(5);
  const row = (model: string, feature: string) => admin.locator(`[data-model="${model}"][data-feature="${feature}"]`);
  const expectRow = async (model: string, feature: string, faces: string, kept: string, rate: string, low: string) => {
    const r = row(model, feature);
    await expect(r.getByTestId("faces")).toHaveText(faces);
    await expect(r.getByTestId("kept")).toHaveText(kept);
    await expect(r.getByTestId("rate")).toHaveText(rate);
    await expect(r.getByTestId("parts")).toHaveText("1");
    await expect(r).toHaveAttribute("data-low", low);
  };
  await expectRow("facet-rules", "stock", "3", "2", "66.7%", "no");
  await expectRow("facet-rules", "through_hole", "2", "2", "100%", "no");
  await expectRow("facet-rules", "fillet", "1", "1", "100%", "no");
  await expectRow("facet-ml", "fillet", "1", "0", "0%", "yes");
  await expectRow("facet-ml", "stock", "2", "2", "100%", "no");
  await expect(row("facet-rules", "stock")).toContainText("Stock");
  const rules = admin.locator('[data-testid=acceptance-model][data-model="facet-rules"]');
  await expect(rules.getByTestId("acceptance-model-total")).toContainText("1.0.0");
  await expect(rules.getByTestId("acceptance-model-total")).toContainText("83.3%"); // 5 of 6 faces

  // one dataset: the URL keeps it, and only its parts count
  await admin.getByRole("combobox", { name: "Dataset" }).selectOption({ label: "Housings" });
  await expect(admin).toHaveURL(`${page}?dataset=${datasets.housings.id}`);
  await expect(rows).toHaveCount(2);
  await expect(admin.locator("[data-testid=acceptance-row][data-model=facet-rules]")).toHaveCount(0);
  await expectRow("facet-ml", "fillet", "1", "0", "0%", "yes");
  await admin.reload();
  await expect(admin.getByRole("combobox", { name: "Dataset" })).toHaveValue(datasets.housings.id);
  await expect(rows).toHaveCount(2);

  await admin.getByRole("combobox", { name: "Dataset" }).selectOption({ label: "Nothing approved" });
  await expect(admin).toHaveURL(`${page}?dataset=${datasets.empty.id}`);
  await expect(admin.getByTestId("acceptance-empty")).toContainText("Nothing approved");
  await expect(rows).toHaveCount(0);

  await admin.getByRole("combobox", { name: "Dataset" }).selectOption({ label: "All datasets" });
  await expect(admin).toHaveURL(page);
  await expect(rows).toHaveCount(5);

  // the API behind it: every member reads it; the dataset is checked
  const res = await quinn.request.get(
    `/api/workspaces/${LAB.slug}/prelabel-acceptance?dataset=${datasets.brackets.id}`,
  );
  expect(res.status()).toBe(200);
  const { rows: brackets } = (await res.json()) as { rows: Array<Record<string, unknown>> };
  expect(brackets).toHaveLength(3);
  expect(brackets.find((r) => r.feature === "stock")).toEqual({
    model: "facet-rules",
    modelVersion: "1.0.0",
    feature: "stock",
    faces: 3,
    accepted: 2,
    rate: 2 / 3,
    parts: 1,
  });
  const bad = await quinn.request.get(`/api/workspaces/${LAB.slug}/prelabel-acceptance?dataset=nope`);
  expect(bad.status()).toBe(400);
  expect((await bad.json()).error.code).toBe("VALIDATION_FAILED");
});
