import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { inflateRawSync } from "node:zlib";
import { expect, type Page, test } from "@playwright/test";
import { importPartLabels, joinWorkspace, labelledWorkspace, query, recordShowings, signInAdmin } from "./helpers";

// The ML engineer's path (issue 18 items 2–4) on real MFCAD parts, a real server, database and
// worker: a dataset's splits assigned and reported (numbers and chart), a snapshot frozen and
// verified, a Parquet export followed to its download (a zip with the tables per split and the
// dataset card), the second export served from the cache; an annotator reads but cannot curate.

test.describe.configure({ mode: "serial" });

const stamp = Date.now();
const DATASET = "Housings";
const SNAPSHOT = `v1-${stamp}`;
const SNAPSHOT_2 = `v2-${stamp}`;
// six real MFCAD parts and the instances given to each (faces taken in order from face 0)
const LABELS: Record<string, Array<{ feature: string; faces: number }>> = {
  "0-0-0-0-0-23.step": [
    { feature: "blind_hole", faces: 2 },
    { feature: "blind_hole", faces: 2 },
  ],
  "0-0-10-10-12-23.step": [{ feature: "blind_hole", faces: 2 }],
  "0-0-4-11-13-23.step": [
    { feature: "through_hole", faces: 1 },
    { feature: "rectangular_pocket", faces: 3 },
  ],
  "0-1-2-3-19.step": [
    { feature: "through_hole", faces: 1 },
    { feature: "through_hole", faces: 1 },
  ],
  "0-2-6-8-9-23.step": [{ feature: "rectangular_pocket", faces: 3 }],
  "0-3-3-9-11-23.step": [
    { feature: "blind_hole", faces: 2 },
    { feature: "through_hole", faces: 1 },
  ],
};
const FILES = Object.keys(LABELS);

let admin: Page;
let ml: Page;
let slug: string;
let datasetId: string;
let ids: Record<string, string>;

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  localOffset: number;
}

/** The entries of a zip archive, read from its central directory (the end record, then one header per entry). */
function zipEntries(zip: Buffer): ZipEntry[] {
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) end--;
  if (end < 0) throw new Error("not a zip archive: no end of central directory");
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`central directory entry ${i} is damaged`);
    const nameLength = zip.readUInt16LE(at + 28);
    entries.push({
      method: zip.readUInt16LE(at + 10),
      compressedSize: zip.readUInt32LE(at + 20),
      localOffset: zip.readUInt32LE(at + 42),
      name: zip.toString("utf8", at + 46, at + 46 + nameLength),
    });
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return entries;
}

/** An entry's bytes (stored or deflated). */
function zipRead(zip: Buffer, e: ZipEntry): Buffer {
  if (zip.readUInt32LE(e.localOffset) !== 0x04034b50) throw new Error(`local header of ${e.name} is damaged`);
  const start = e.localOffset + 30 + zip.readUInt16LE(e.localOffset + 26) + zip.readUInt16LE(e.localOffset + 28);
  const data = zip.subarray(start, start + e.compressedSize);
  if (e.method === 0) return data;
  if (e.method === 8) return inflateRawSync(data);
  throw new Error(`${e.name}: compression method ${e.method}`);
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  admin = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  await signInAdmin(admin);
  ({ slug, datasetId, ids } = await labelledWorkspace(admin, {
    workspace: `Curation ${stamp}`,
    dataset: DATASET,
    parts: Object.fromEntries(FILES.map((f) => [`mfcad/${f}`, LABELS[f] ?? []])),
  }));
  ml = await joinWorkspace(
    browser,
    admin,
    slug,
    { email: `ml-curation-${stamp}@example.test`, password: "ml engineer password" },
    "ml_engineer",
  );
});

test("an ML engineer assigns splits and reads the class balance in numbers and as a chart", async () => {
  test.setTimeout(120_000);
  await ml.goto(`/w/${slug}/datasets/${datasetId}`);
  await ml.getByRole("link", { name: "Splits and class balance" }).click();
  await expect(ml.getByRole("heading", { name: `Splits of ${DATASET}` })).toBeVisible();
  // before: every part without a split
  await expect(ml.getByTestId("split-summary").locator('[data-split="(none)"] [data-testid=split-parts]')).toHaveText(
    String(FILES.length),
  );

  // half for training, a quarter each for validation and test
  const config = ml.getByTestId("split-config");
  await config.getByLabel("Ratio of split 1").fill("0.5");
  await config.getByLabel("Ratio of split 2").fill("0.25");
  await config.getByLabel("Ratio of split 3").fill("0.25");
  await config.getByLabel("Seed").fill("e2e");
  await config.getByRole("button", { name: "Assign splits" }).click();
  const outcome = ml.getByTestId("split-outcome");
  await expect(outcome).toBeVisible({ timeout: 60_000 });
  await expect(outcome.getByTestId("split-assigned")).toHaveText(String(FILES.length));
  await expect(outcome.getByTestId("split-leaks")).toContainText("No leaks");

  // the configuration was saved before the job ran
  const saved = await ml.request.get(`/api/workspaces/${slug}/datasets/${datasetId}/splits`);
  const body = await saved.json();
  expect(body.config.seed).toBe("e2e");
  expect(body.config.splits.map((s: { ratio: number }) => s.ratio)).toEqual([0.5, 0.25, 0.25]);

  // the report's numbers are the database's
  const rows = await query<{ id: string; split: string | null; features: string[]; faces: number }>(
    `select p.id, p.split, l.features, l.labelled_faces as faces from parts p join part_catalog l on l.part_id = p.id
     where p.dataset_id = $1`,
    [datasetId],
  );
  expect(rows).toHaveLength(FILES.length);
  expect(rows.every((r) => ["train", "val", "test"].includes(r.split as string))).toBe(true);
  const summary = ml.getByTestId("split-summary");
  await expect(summary.locator('[data-split="(none)"]')).toHaveCount(0);
  for (const split of ["train", "val", "test"]) {
    const mine = rows.filter((r) => r.split === split);
    const row = summary.locator(`[data-split="${split}"]`);
    await expect(row.getByTestId("split-parts")).toHaveText(String(mine.length));
    await expect(row.getByTestId("split-labelled-parts")).toHaveText(String(mine.length));
    await expect(row.getByTestId("split-faces")).toHaveText(String(mine.reduce((a, r) => a + r.faces, 0)));
  }
  // class balance: parts holding each class in each split, and their share
  const balance = ml.getByTestId("class-balance");
  for (const feature of ["blind_hole", "through_hole", "rectangular_pocket", "stock"]) {
    const holding = rows.filter((r) => r.features.includes(feature));
    const row = balance.locator(`tr[data-feature="${feature}"]`);
    await expect(row).toHaveCount(1);
    for (const split of ["train", "val", "test"]) {
      const n = holding.filter((r) => r.split === split).length;
      await expect(row.locator(`[data-split="${split}"][data-kind=parts]`)).toHaveText(String(n));
      await expect(row.locator(`[data-split="${split}"][data-kind=share]`)).toHaveText(
        `${Math.round((100 * n) / holding.length)}%`,
      );
    }
  }
  await expect(balance.locator('tr[data-feature="blind_hole"] th')).toHaveText("Blind hole");
  // the chart: the target, all parts, then a bar per class, a segment per split that has its parts
  const chart = ml.getByTestId("class-balance-chart");
  await expect(chart.getByRole("img", { name: /Class balance per split/ })).toBeVisible();
  await expect(chart.getByTestId("chart-row")).toHaveCount(2 + 4);
  const target = chart.locator('[data-testid=chart-row][data-label="Target"]');
  await expect(target.locator("[data-split=train]")).toHaveAttribute("data-share", "50%");
  await expect(target.locator("[data-split=val]")).toHaveAttribute("data-share", "25%");
  const train = rows.filter((r) => r.split === "train").length;
  await expect(chart.locator('[data-testid=chart-row][data-label="All parts"] [data-split=train]')).toHaveAttribute(
    "data-share",
    `${Math.round((100 * train) / FILES.length)}%`,
  );
  const box = await chart.locator("svg[role=img]").boundingBox();
  expect(box?.width ?? 0).toBeGreaterThan(300);

  // assigning again moves nothing: parts keep their split
  await config.getByRole("button", { name: "Assign splits" }).click();
  await expect(outcome.getByTestId("split-assigned")).toHaveText("0", { timeout: 60_000 });
  const again = await query<{ id: string; split: string }>("select id, split from parts where dataset_id = $1", [
    datasetId,
  ]);
  expect(Object.fromEntries(again.map((r) => [r.id, r.split]))).toEqual(
    Object.fromEntries(rows.map((r) => [r.id, r.split])),
  );
});

test("an ML engineer freezes a snapshot, verifies it, exports Parquet, downloads it, and the second export is the cached one", async () => {
  test.setTimeout(180_000);
  await ml
    .getByRole("navigation")
    .getByRole("link", { name: /Snapshots/ })
    .click();
  await expect(ml).toHaveURL(`/w/${slug}/snapshots`);
  await expect(ml.getByTestId("snapshots-empty")).toBeVisible();
  const form = ml.getByTestId("freeze-snapshot");
  await form.getByLabel("Dataset").selectOption({ label: DATASET });
  await form.getByLabel("Name").fill(SNAPSHOT);
  await form.getByLabel("Description").fill("the first training set");
  await form.getByRole("button", { name: "Freeze snapshot" }).click();
  await expect(ml).toHaveURL(`/w/${slug}/snapshots/${SNAPSHOT}`);
  await expect(ml.getByRole("heading", { name: `Snapshot ${SNAPSHOT}` })).toBeVisible();

  // what it pins: every labelled part, its faces, per split and status
  const [frozen] = await query<{ parts: number; faces: number; checksum: string }>(
    "select part_count as parts, face_count::int as faces, checksum from snapshots where name = $1",
    [SNAPSHOT],
  );
  expect(frozen?.parts).toBe(FILES.length);
  await expect(ml.getByTestId("snapshot-parts")).toHaveText(String(FILES.length));
  await expect(ml.getByTestId("snapshot-faces")).toHaveText(String(frozen?.faces));
  await expect(ml.getByTestId("snapshot-checksum")).toHaveValue(frozen?.checksum as string);
  const pinned = await query<{ split: string; n: number }>(
    `select sp.split, count(*)::int as n from snapshot_parts sp join snapshots s on s.id = sp.snapshot_id
     where s.name = $1 group by sp.split`,
    [SNAPSHOT],
  );
  for (const p of pinned)
    await expect(ml.getByTestId("snapshot-counts").locator(`[data-split="${p.split}"] [data-kind=parts]`)).toHaveText(
      String(p.n),
    );

  // verify: every check passes
  await ml.getByRole("button", { name: "Verify", exact: true }).click();
  await expect(ml.getByTestId("verify-result")).toHaveAttribute("data-ok", "true", { timeout: 30_000 });
  for (const check of ["database", "manifest", "files"])
    await expect(ml.getByTestId(`verify-check-${check}`)).toHaveAttribute("data-ok", "true");
  await expect(ml.getByTestId("verify-check-files")).toContainText(`${FILES.length} STEP files found in storage`);
  await expect(ml.getByTestId("verify-problems")).toHaveCount(0);

  // export Parquet: the bar follows the job, then the link downloads the archive
  const row = ml.getByTestId("exports").locator("tr[data-format=parquet]");
  const statuses: string[] = [];
  ml.on("response", async (r) => {
    if (/\/api\/workspaces\/[^/]+\/exports\/[0-9a-f-]+$/.test(new URL(r.url()).pathname))
      statuses.push((await r.json()).export.status);
  });
  // the bar may show for less than a poll of `expect` when the job is quick: every showing is recorded
  const bar = await recordShowings(ml, "[data-testid=export-progress-parquet]", "data-progress");
  const requested = ml.waitForResponse((r) => r.url().endsWith(`/snapshots/${SNAPSHOT}/exports`));
  await row.getByRole("button", { name: "Export Parquet" }).click();
  const first = await (await requested).json();
  expect(first.started).toBe(true);
  expect(["queued", "running"]).toContain(first.export.status);
  const link = row.getByTestId("export-download-parquet");
  await expect(link).toBeVisible({ timeout: 120_000 });
  const shown = (await bar()).map(Number);
  expect(shown.length, "the progress bar showed").toBeGreaterThan(0);
  expect(shown.every((p) => p >= 0 && p <= 100)).toBe(true);
  expect(statuses.length).toBeGreaterThan(0);
  expect(statuses.at(-1)).toBe("completed");
  await expect(row.getByTestId("export-progress-parquet")).toHaveCount(0);
  const [download] = await Promise.all([ml.waitForEvent("download"), link.click()]);
  expect(download.suggestedFilename()).toBe(`${SNAPSHOT}-parquet.zip`);
  const zip = await readFile(await download.path());
  const done = await (await ml.request.get(`/api/workspaces/${slug}/exports/${first.export.id}`)).json();
  expect(createHash("sha256").update(zip).digest("hex")).toBe(done.export.sha256);
  expect(zip.length).toBe(done.export.size);
  const entries = zipEntries(zip);
  const names = entries.map((e) => e.name);
  for (const split of pinned.map((p) => p.split)) {
    // Hugging Face calls the validation split "validation"
    const folder = split === "val" ? "(val|validation)" : split;
    expect(
      names.some((n) => new RegExp(`^parts/${folder}/[^/]+\\.parquet$`).test(n)),
      `parts of ${split}`,
    ).toBe(true);
    expect(
      names.some((n) => new RegExp(`^faces/${folder}/[^/]+\\.parquet$`).test(n)),
      `faces of ${split}`,
    ).toBe(true);
  }
  const parquet = entries.find((e) => e.name.startsWith("faces/") && e.name.endsWith(".parquet")) as ZipEntry;
  const bytes = zipRead(zip, parquet);
  expect(bytes.subarray(0, 4).toString()).toBe("PAR1");
  expect(bytes.subarray(-4).toString()).toBe("PAR1");
  const readme = entries.find((e) => e.name === "README.md");
  expect(readme, names.join(", ")).toBeTruthy();
  expect(zipRead(zip, readme as ZipEntry).toString("utf8")).toContain(frozen?.checksum as string);

  // a second Export: the archive already made, at once, no new job
  const jobsBefore = await query<{ n: number }>("select count(*)::int as n from jobs where kind = 'curation:export'");
  const again = ml.waitForResponse((r) => r.url().endsWith(`/snapshots/${SNAPSHOT}/exports`));
  await row.getByRole("button", { name: "Export Parquet" }).click();
  const second = await again;
  expect(second.status()).toBe(200);
  const cached = await second.json();
  expect(cached.started).toBe(false);
  expect(cached.export.id).toBe(first.export.id);
  await expect(row).toContainText("Already made: served from storage.");
  await expect(row.getByTestId("export-progress-parquet")).toHaveCount(0);
  await expect(link).toBeVisible();
  const jobsAfter = await query<{ n: number }>("select count(*)::int as n from jobs where kind = 'curation:export'");
  expect(jobsAfter[0]?.n).toBe(jobsBefore[0]?.n);

  // a page opened later shows the link at once
  await ml.reload();
  await expect(
    ml.getByTestId("exports").locator("tr[data-format=parquet]").getByTestId("export-download-parquet"),
  ).toBeVisible();
});

test("a snapshot of a catalog filter, linked from the catalog, compared with the first: parts removed, relabelled, faces per class", async () => {
  test.setTimeout(120_000);
  // one part relabelled: its third face (stock) becomes a through hole
  await importPartLabels(admin, slug, ids["0-0-10-10-12-23.step"] as string, "stock", [
    { feature: "blind_hole", faces: 2 },
    { feature: "through_hole", faces: 1 },
  ]);
  // the catalog's "freeze this filter" link: the form arrives filled
  await ml.goto(
    `/w/${slug}/snapshots?dataset=${encodeURIComponent(DATASET)}&filter=${encodeURIComponent("has=blind_hole")}`,
  );
  const form = ml.getByTestId("freeze-snapshot");
  await expect(form.getByLabel("Catalog filter (optional)")).toHaveValue("has=blind_hole");
  await expect(form.getByLabel("Dataset")).toHaveValue(datasetId);
  await form.getByLabel("Name").fill(SNAPSHOT_2);
  await form.getByRole("button", { name: "Freeze snapshot" }).click();
  await expect(ml).toHaveURL(`/w/${slug}/snapshots/${SNAPSHOT_2}`);
  const withBlindHoles = FILES.filter((f) => LABELS[f]?.some((i) => i.feature === "blind_hole"));
  await expect(ml.getByTestId("snapshot-parts")).toHaveText(String(withBlindHoles.length));
  await expect(ml.getByTestId("snapshot-filter")).toHaveText("has=blind_hole");

  // a name the API refuses: its message in the form
  await ml.goto(`/w/${slug}/snapshots`);
  await ml.getByTestId("freeze-snapshot").getByLabel("Name").fill(SNAPSHOT);
  await ml.getByTestId("freeze-snapshot").getByRole("button", { name: "Freeze snapshot" }).click();
  await expect(ml.getByTestId("freeze-snapshot").getByRole("alert")).toContainText("already exists");

  await ml.getByRole("link", { name: "Compare two snapshots" }).click();
  const diffForm = ml.getByTestId("diff-form");
  await diffForm.getByLabel("From (A)").selectOption(SNAPSHOT);
  await diffForm.getByLabel("To (B)").selectOption(SNAPSHOT_2);
  await diffForm.getByRole("button", { name: "Compare" }).click();
  await expect(ml).toHaveURL(new RegExp(`a=${SNAPSHOT}&b=${SNAPSHOT_2}`));
  const totals = ml.getByTestId("diff-totals");
  await expect(totals.locator("[data-kind=added] .n")).toHaveText("0");
  await expect(totals.locator("[data-kind=removed] .n")).toHaveText(String(FILES.length - withBlindHoles.length));
  await expect(totals.locator("[data-kind=relabelled] .n")).toHaveText("1");
  await expect(totals.locator("[data-kind=resplit] .n")).toHaveText("0");
  await expect(ml.getByTestId("diff-relabelled")).toContainText("0-0-10-10-12-23.step: revision 1 → 2");
  for (const f of FILES.filter((x) => !withBlindHoles.includes(x)))
    await expect(ml.getByTestId("diff-removed")).toContainText(f);
  const faces = ml.getByTestId("diff-faces");
  await expect(faces.locator("tbody tr")).toHaveCount(2);
  await expect(faces.locator("[data-feature=through_hole] td")).toHaveText(["+1", "−0", "+1"]);
  await expect(faces.locator("[data-feature=stock] td")).toHaveText(["+0", "−1", "−1"]);
});

test("an annotator reads the snapshot but has no Freeze or Export, and the API refuses both", async ({ browser }) => {
  test.setTimeout(120_000);
  const ann = await joinWorkspace(
    browser,
    admin,
    slug,
    { email: `annotator-curation-${stamp}@example.test`, password: "annotator password" },
    "annotator",
  );
  await ann
    .getByRole("navigation")
    .getByRole("link", { name: /Snapshots/ })
    .click();
  await expect(ann.getByTestId("snapshots").locator(`[data-snapshot="${SNAPSHOT}"]`)).toBeVisible();
  await expect(ann.getByTestId("freeze-snapshot")).toHaveCount(0);
  await expect(ann.getByRole("button", { name: "Freeze snapshot" })).toHaveCount(0);
  await ann.getByRole("link", { name: SNAPSHOT }).click();
  await expect(ann.getByRole("heading", { name: `Snapshot ${SNAPSHOT}` })).toBeVisible();
  await expect(ann.getByTestId("snapshot-parts")).toHaveText(String(FILES.length));
  const exports = ann.getByTestId("exports");
  await expect(exports.locator("tr[data-format]")).toHaveCount(5);
  await expect(exports.getByRole("button", { name: /^Export/ })).toHaveCount(0);
  // the export made by the ML engineer is there to download
  await expect(exports.getByTestId("export-download-parquet")).toBeVisible();
  // verifying reads only: it is open to every member
  await ann.getByRole("button", { name: "Verify", exact: true }).click();
  await expect(ann.getByTestId("verify-result")).toHaveAttribute("data-ok", "true", { timeout: 30_000 });

  const freeze = await ann.request.post(`/api/workspaces/${slug}/snapshots`, {
    data: { dataset: DATASET, name: `sneaky-${stamp}` },
  });
  expect(freeze.status()).toBe(403);
  expect((await freeze.json()).error.code).toBe("ROLE_REQUIRED");
  const exp = await ann.request.post(`/api/workspaces/${slug}/snapshots/${SNAPSHOT}/exports`, {
    data: { format: "jsonl" },
  });
  expect(exp.status()).toBe(403);
  expect((await exp.json()).error.code).toBe("ROLE_REQUIRED");
  const assign = await ann.request.post(`/api/workspaces/${slug}/datasets/${datasetId}/splits/assign`);
  expect(assign.status()).toBe(403);
  expect((await assign.json()).error.code).toBe("ROLE_REQUIRED");
  expect(await query("select 1 from snapshots where name = $1", [`sneaky-${stamp}`])).toHaveLength(0);
});
