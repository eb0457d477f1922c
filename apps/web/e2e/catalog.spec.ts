import { expect, type Page, test } from "@playwright/test";
import { importPartLabels, joinWorkspace, processedParts, query, signInAdmin, uploadCorpusPart } from "./helpers";

// The catalog an ML engineer browses (issue 18 item 1): filters kept in the address, a table and a
// thumbnail grid, saved filters, bulk tags on a selection, and a viewer who can look but not curate.

test.describe.configure({ mode: "serial" });

const stamp = Date.now();
// four real MFCAD parts, labelled below: what each holds decides which filter finds it
const A = "0-0-0-0-0-23.step"; // 2 blind holes
const B = "0-0-10-10-12-23.step"; // 1 blind hole
const C = "0-0-4-11-13-23.step"; // 3 blind holes, 1 through hole
const D = "0-1-2-3-19.step"; // 2 through holes, no blind hole

let admin: Page;
let slug: string;
let datasetId: string;
let ids: Record<string, string>;

/** The names of the parts the table (or grid) shows, in order. */
const shown = (page: Page, view: "table" | "grid" = "table") =>
  page
    .getByTestId(`catalog-${view}`)
    .locator("[data-part]")
    .evaluateAll((els) => els.map((e) => e.getAttribute("data-part")));

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  admin = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  await signInAdmin(admin);
  // a workspace of its own, so that other specs' parts do not show in its catalog
  const made = await admin.request.post("/api/workspaces", { data: { name: `Catalog ${stamp}` } });
  expect(made.status()).toBe(201);
  slug = (await made.json()).workspace.slug;
  const ds = await admin.request.post(`/api/workspaces/${slug}/datasets`, { data: { name: "Brackets" } });
  datasetId = (await ds.json()).dataset.id;
  // no pre-labels: the labels imported below stay each part's latest
  const off = await admin.request.patch(`/api/workspaces/${slug}/datasets/${datasetId}`, { data: { prelabel: false } });
  expect(off.status()).toBe(200);
  for (const f of [A, B, C, D]) await uploadCorpusPart(admin, slug, datasetId, `mfcad/${f}`);
  ids = await processedParts(datasetId, 4);
  const label = (name: string, instances: Array<{ feature: string; faces: number }>) =>
    importPartLabels(admin, slug, ids[name] as string, "stock", instances);
  await label(A, [
    { feature: "blind_hole", faces: 2 },
    { feature: "blind_hole", faces: 2 },
  ]);
  await label(B, [{ feature: "blind_hole", faces: 2 }]);
  await label(C, [
    { feature: "blind_hole", faces: 1 },
    { feature: "blind_hole", faces: 1 },
    { feature: "blind_hole", faces: 1 },
    { feature: "through_hole", faces: 1 },
  ]);
  await label(D, [
    { feature: "through_hole", faces: 1 },
    { feature: "through_hole", faces: 1 },
  ]);
});

test("an ML engineer filters, reloads, switches to the grid, saves a filter, tags a selection and opens a part", async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const ml = await joinWorkspace(
    browser,
    admin,
    slug,
    { email: `ml-catalog-${stamp}@example.test`, password: "ml engineer password" },
    "ml_engineer",
  );
  await ml.goto(`/w/${slug}/catalog`);
  await ml.getByLabel("Dataset", { exact: true }).selectOption({ label: "Brackets" });
  await expect(ml).toHaveURL(new RegExp(`dataset=${datasetId}`));
  await expect(ml.getByTestId("catalog-total")).toHaveText("4 parts");
  expect((await shown(ml)).sort()).toEqual([A, B, C, D].sort());
  // the features column says how many instances of each class a part has
  await expect(ml.locator(`[data-part="${C}"] [data-feature=blind_hole]`)).toHaveText("Blind hole ×3");

  // feature class "Blind hole" present, and at least 2 of them
  const filters = ml.getByTestId("catalog-filters");
  await filters
    .getByTestId("filter-has")
    .getByLabel(/Blind hole/)
    .check();
  await filters.getByRole("button", { name: "+ Add a count condition" }).click();
  await filters.getByLabel("Condition 1: class").selectOption("blind_hole");
  await filters.getByLabel("Condition 1: comparison").selectOption(">=");
  await filters.getByLabel("Condition 1: number of instances").fill("2");
  await filters.getByRole("button", { name: "Apply filters" }).click();
  await expect(ml.getByTestId("catalog-total")).toHaveText("2 parts");
  expect((await shown(ml)).sort()).toEqual([A, C].sort());
  // the address holds the filter in the catalog syntax
  const url = new URL(ml.url());
  expect(url.searchParams.get("has")).toBe("blind_hole");
  expect(url.searchParams.getAll("count")).toEqual(["blind_hole>=2"]);

  // a reload keeps it, in the results and in the form
  await ml.reload();
  await expect(ml.getByTestId("catalog-total")).toHaveText("2 parts");
  expect((await shown(ml)).sort()).toEqual([A, C].sort());
  await expect(filters.getByTestId("filter-has").getByLabel(/Blind hole/)).toBeChecked();
  await expect(filters.getByLabel("Condition 1: number of instances")).toHaveValue("2");

  // sorted by name, descending then ascending
  await ml.getByRole("button", { name: "Name", exact: true }).click();
  await expect(ml).toHaveURL(/sort=name/);
  expect(await shown(ml)).toEqual([A, C].sort());
  await ml.getByRole("button", { name: "Name", exact: true }).click();
  await expect(ml).toHaveURL(/sort=-name/);
  expect(await shown(ml)).toEqual([A, C].sort().reverse());

  // the grid: the same parts, each with its picture or a neutral placeholder
  await ml.getByRole("button", { name: "Grid" }).click();
  await expect(ml).toHaveURL(/view=grid/);
  await expect(ml.getByTestId("catalog-grid").locator("[data-part]")).toHaveCount(2);
  expect((await shown(ml, "grid")).sort()).toEqual([A, C].sort());
  await expect(ml.getByTestId("catalog-grid").locator("[data-thumbnail]")).toHaveCount(2);
  await ml.getByRole("button", { name: "Table" }).click();
  await expect(ml).not.toHaveURL(/view=grid/);

  // save the filter, clear everything, apply it again
  const saved = ml.getByTestId("saved-filters");
  await saved.getByLabel("Save this filter as").fill("At least two blind holes");
  await saved.getByRole("button", { name: "Save filter" }).click();
  await expect(saved.getByRole("link", { name: "Apply filter At least two blind holes" })).toBeVisible();
  await filters.getByRole("link", { name: "Clear all" }).click();
  await expect(ml.getByTestId("catalog-total")).toHaveText("4 parts");
  expect(new URL(ml.url()).searchParams.get("has")).toBeNull();
  await expect(filters.getByTestId("filter-has").getByLabel(/Blind hole/)).not.toBeChecked();
  await saved.getByRole("link", { name: "Apply filter At least two blind holes" }).click();
  await expect(ml.getByTestId("catalog-total")).toHaveText("2 parts");
  expect((await shown(ml)).sort()).toEqual([A, C].sort());
  await filters.getByRole("link", { name: "Clear all" }).click();
  await expect(ml.getByTestId("catalog-total")).toHaveText("4 parts");

  // select two parts and tag them; the tag then filters them
  const tag = `look-${stamp}`;
  await ml.getByLabel(`Select ${A}`).check();
  await ml.getByLabel(`Select ${B}`).check();
  await expect(ml.getByTestId("selected-count")).toHaveText("2 parts selected");
  const bulk = ml.getByTestId("bulk-actions");
  await bulk.getByLabel("Tag", { exact: true }).fill(tag);
  await ml.getByRole("button", { name: "Add tag" }).click();
  await expect(ml.getByTestId("bulk-result")).toHaveText(`2 parts tagged “${tag}”`);
  await expect(ml.locator(`[data-part="${A}"]`)).toContainText(tag);
  await filters.getByTestId("filter-tag").getByLabel(tag).check();
  await filters.getByRole("button", { name: "Apply filters" }).click();
  await expect(ml.getByTestId("catalog-total")).toHaveText("2 parts");
  expect((await shown(ml)).sort()).toEqual([A, B].sort());
  expect(new URL(ml.url()).searchParams.get("tag")).toBe(tag);

  // and put them in a split, which filters too
  await ml.getByLabel("Select all parts on this page").check();
  await bulk.getByLabel("Split", { exact: true }).fill("val");
  await ml.getByRole("button", { name: "Set split" }).click();
  await expect(ml.getByTestId("bulk-result")).toHaveText("2 parts put in val");
  await filters.getByRole("link", { name: "Clear all" }).click();
  await expect(ml.getByTestId("catalog-total")).toHaveText("4 parts");
  await filters.getByTestId("filter-split").getByLabel("val").check();
  await filters.getByRole("button", { name: "Apply filters" }).click();
  await expect(ml.getByTestId("catalog-total")).toHaveText("2 parts");
  expect((await shown(ml)).sort()).toEqual([A, B].sort());

  // the parts a filter shows become a snapshot: the link fills the freeze form
  await ml.goto(`/w/${slug}/catalog?dataset=${datasetId}&split=val`);
  await expect(ml.getByTestId("catalog-total")).toHaveText("2 parts");
  await ml.getByTestId("freeze-this-filter").click();
  const form = ml.getByTestId("freeze-snapshot");
  await expect(form.getByLabel("Catalog filter (optional)")).toHaveValue("split=val");
  await expect(form.getByLabel("Dataset")).toHaveValue(datasetId);
  await form.getByLabel("Name").fill(`val-${stamp}`);
  await form.getByRole("button", { name: "Freeze snapshot" }).click();
  await expect(ml).toHaveURL(`/w/${slug}/snapshots/val-${stamp}`);
  await expect(ml.getByTestId("snapshot-parts")).toHaveText("2");
  await ml.goto(`/w/${slug}/catalog?dataset=${datasetId}&split=val`);

  // a part opens its part page
  await ml.getByRole("link", { name: A, exact: true }).click();
  await expect(ml).toHaveURL(`/w/${slug}/parts/${ids[A]}`);
  await expect(ml.getByRole("heading", { level: 1, name: A })).toBeVisible();
});

test("a filter the catalog cannot read is said on the page, not a crash", async () => {
  await admin.goto(`/w/${slug}/catalog?count=blind_hole%3E%3Etwo&faces=9..3`);
  await expect(admin.getByTestId("catalog-problem")).toContainText("catalog filter: count");
  await expect(admin.getByTestId("catalog-table")).toHaveCount(0);
  await admin.goto(`/w/${slug}/catalog?colour=red`);
  await expect(admin.getByTestId("catalog-problem")).toContainText('unknown parameter "colour"');
  // the form says a mistake before anything loads
  await admin.goto(`/w/${slug}/catalog`);
  const filters = admin.getByTestId("catalog-filters");
  await filters.getByRole("group", { name: "Faces" }).getByLabel("Faces from").fill("30");
  await filters.getByRole("group", { name: "Faces" }).getByLabel("Faces to").fill("5");
  await filters.getByRole("button", { name: "Apply filters" }).click();
  await expect(filters.getByRole("alert")).toHaveText("catalog filter: faces: the lower bound is above the upper");
});

test("a viewer browses the catalog but has no selection and no bulk actions", async ({ browser }) => {
  const viewer = await joinWorkspace(
    browser,
    admin,
    slug,
    { email: `viewer-catalog-${stamp}@example.test`, password: "viewer password here" },
    "viewer",
  );
  await viewer.goto(`/w/${slug}/catalog?dataset=${datasetId}`);
  await expect(viewer.getByTestId("catalog-total")).toHaveText("4 parts");
  expect((await shown(viewer)).sort()).toEqual([A, B, C, D].sort());
  await expect(viewer.getByTestId("bulk-actions")).toHaveCount(0);
  await expect(viewer.getByRole("checkbox", { name: /^Select / })).toHaveCount(0);
  await expect(viewer.getByRole("button", { name: "Add tag" })).toHaveCount(0);
  // and the API refuses them anyway
  const res = await viewer.request.post(`/api/workspaces/${slug}/parts/tags`, {
    data: { partIds: [ids[A]], add: ["nope"] },
  });
  expect(res.status()).toBe(403);
});

test("pages of 50: Next and Previous follow the API's cursors, also after a reload", async () => {
  // 51 parts (rows only: paging needs no geometry) in a dataset of their own
  const ds = await admin.request.post(`/api/workspaces/${slug}/datasets`, { data: { name: "Many" } });
  const many = (await ds.json()).dataset.id as string;
  const [ws] = await query<{ id: string }>("select workspace_id as id from datasets where id = $1", [many]);
  await query(
    `insert into blobs (sha256, size, storage_key)
     select encode(sha256(convert_to($1 || i, 'UTF8')), 'hex'), 1, 'e2e/absent' from generate_series(0, 50) i`,
    [`catalog-paging-${stamp}-`],
  );
  await query(
    `insert into parts (workspace_id, dataset_id, blob_sha256, name)
     select $2, $3, encode(sha256(convert_to($1 || i, 'UTF8')), 'hex'), 'many-' || lpad(i::text, 3, '0') || '.step'
     from generate_series(0, 50) i`,
    [`catalog-paging-${stamp}-`, ws?.id, many],
  );
  const name = (i: number) => `many-${String(i).padStart(3, "0")}.step`;
  await admin.goto(`/w/${slug}/catalog?dataset=${many}&sort=name`);
  await expect(admin.getByTestId("catalog-total")).toHaveText("51 parts");
  expect(await shown(admin)).toEqual(Array.from({ length: 50 }, (_, i) => name(i)));
  await expect(admin.getByTestId("catalog-page")).toHaveText("Page 1");
  const pager = admin.getByRole("navigation", { name: "Pages" });
  await expect(pager.getByRole("button", { name: "← Previous" })).toBeDisabled();
  await pager.getByRole("button", { name: "Next →" }).click();
  await expect(admin).toHaveURL(/cursor=/);
  await expect(admin.getByTestId("catalog-page")).toHaveText("Page 2");
  expect(await shown(admin)).toEqual([name(50)]);
  await expect(pager.getByRole("button", { name: "Next →" })).toBeDisabled();
  // the count is of the whole selection, on every page
  await expect(admin.getByTestId("catalog-total")).toHaveText("51 parts");
  await admin.reload();
  expect(await shown(admin)).toEqual([name(50)]);
  await expect(admin.getByTestId("catalog-page")).toHaveText("Page 2");
  await pager.getByRole("button", { name: "← Previous" }).click();
  await expect(admin).not.toHaveURL(/cursor=/);
  await expect(admin.getByTestId("catalog-page")).toHaveText("Page 1");
  expect((await shown(admin))[0]).toBe(name(0));
  // a cursor from nowhere is refused on the page
  await admin.goto(`/w/${slug}/catalog?dataset=${many}&cursor=not-a-cursor`);
  await expect(admin.getByTestId("catalog-problem")).toContainText("cursor: not a cursor this catalog gave out");
});
