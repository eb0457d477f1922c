import { readFile } from "node:fs/promises";
import { expect, type Page, test } from "@playwright/test";
import { labelledWorkspace, query, signInAdmin } from "./helpers";

// Label schemas as an admin runs them (issue 19, item 1): a new version of the default schema with a
// rename and a merge, its mapping applied to the labels already made (new revisions, the dataset moved
// to the new version), the part showing the new classes; then the schema out as JSON and back in.
test.describe.configure({ mode: "serial" });
test.setTimeout(120_000);

const stamp = Date.now().toString(36);
const FILES = ["0-0-0-0-0-23.step", "0-0-10-10-12-23.step"];
let admin: Page;
let slug = "";
let datasetId = "";
let ids: Record<string, string> = {};

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  admin = await (await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true })).newPage();
  await signInAdmin(admin);
  ({ slug, datasetId, ids } = await labelledWorkspace(admin, {
    workspace: `Schemas ${stamp}`,
    dataset: "brackets",
    parts: {
      [`mfcad/${FILES[0]}`]: [
        { feature: "through_hole", faces: 2 },
        { feature: "blind_hole", faces: 1 },
      ],
      [`mfcad/${FILES[1]}`]: [{ feature: "chamfer", faces: 2 }],
    },
  }));
});

const row = (key: string) => admin.locator(`[data-testid=class-row][data-key="${key}"]`);

test("an admin makes version 2 of the default schema with a rename and a merge; bad edits are named first", async () => {
  await admin.goto(`/w/${slug}/admin`);
  await admin.getByRole("link", { name: "Label schemas" }).click();
  await expect(admin.getByRole("heading", { name: "Label schemas" })).toBeVisible();
  const v1 = admin.locator("[data-testid=schema-version][data-name=Default][data-version='1']");
  await expect(v1).toContainText("brackets");
  await v1.getByRole("button", { name: "New version" }).click();

  // a hotkey used twice and a colour that is not one: named, and nothing can be saved
  await row("fillet")
    .getByLabel(/^Hotkey of class/)
    .selectOption("2");
  await row("fillet")
    .getByLabel(/^Colour of class/)
    .fill("green");
  const problems = admin.getByTestId("schema-problems");
  await expect(problems).toContainText("hotkey 2 used twice");
  await expect(problems).toContainText("colour: colours are written #rrggbb (six hex digits)");
  await expect(admin.getByRole("button", { name: "Save version 2" })).toBeDisabled();
  await row("fillet")
    .getByLabel(/^Hotkey of class/)
    .selectOption("5");
  await row("fillet")
    .getByLabel(/^Colour of class/)
    .fill("#3cb44b");
  await expect(problems).toHaveCount(0);

  // rename chamfer -> bevel; through_hole -> hole, then merge blind_hole into it
  await row("chamfer")
    .getByLabel(/^Key of class/)
    .fill("bevel");
  await row("bevel")
    .getByLabel(/^Name of class/)
    .fill("Bevel");
  await row("through_hole")
    .getByLabel(/^Key of class/)
    .fill("hole");
  await row("hole")
    .getByLabel(/^Name of class/)
    .fill("Hole");
  await row("blind_hole")
    .getByLabel(/^Merge class/)
    .selectOption({ label: "hole" });
  await expect(row("blind_hole")).toHaveCount(0);
  const changes = admin.getByTestId("mapping-changes");
  await expect(changes).toContainText("chamfer renamed to bevel");
  await expect(changes).toContainText("through_hole, blind_hole merged into hole");
  await admin.getByRole("button", { name: "Save version 2" }).click();
  await expect(admin.getByRole("status").filter({ hasText: "Saved Default v2." })).toBeVisible();
  const v2 = admin.locator("[data-testid=schema-version][data-name=Default][data-version='2']");
  await expect(v2).toContainText("default");
  // the default schema keeps its crosswalks, remapped
  const detail = admin.getByTestId("schema-detail");
  await expect(detail).toContainText("Crosswalks to public datasets: mfcad, mfcadpp, fusion360_segmentation.");
  await expect(detail.getByTestId("schema-mapping")).toContainText("chamfer renamed to bevel");
});

test("applying the mapping writes new revisions, moves the dataset, and the part shows the new classes", async () => {
  const part = ids[FILES[0] as string] as string;
  const before = await query<{ n: number }>("select count(*)::int as n from annotation_revisions where part_id = $1", [
    part,
  ]);
  await admin.getByRole("button", { name: "Apply mapping to existing labels" }).click();
  const progress = admin.getByTestId("apply-progress");
  await expect(progress).toHaveAttribute("data-remaining", "0");
  await expect(progress).toContainText("2 of 2 parts mapped, 0 remaining");
  await expect(admin.getByTestId("split-flagged")).toHaveCount(0);

  const revisions = await query<{ revision_no: number; labels: string[]; version: number }>(
    `select r.revision_no, r.document -> 'labels' as labels, s.version
     from annotation_revisions r join label_schemas s on s.id = r.label_schema_id where r.part_id = $1 order by r.revision_no`,
    [part],
  );
  expect(revisions).toHaveLength((before[0]?.n ?? 0) + 1);
  const [old, mapped] = revisions.slice(-2);
  expect(old?.version).toBe(1);
  expect(old?.labels.slice(0, 3)).toEqual(["through_hole", "through_hole", "blind_hole"]);
  expect(mapped?.version).toBe(2);
  expect(mapped?.labels.slice(0, 3)).toEqual(["hole", "hole", "hole"]);

  // applying again maps nothing twice
  await admin.getByRole("button", { name: "Apply mapping to existing labels" }).click();
  await expect(progress).toContainText("2 of 2 parts mapped, 0 remaining");
  const after = await query<{ n: number }>("select count(*)::int as n from annotation_revisions where part_id = $1", [
    part,
  ]);
  expect(after[0]?.n).toBe(revisions.length);

  await admin.goto(`/w/${slug}/parts/${part}`);
  const legend = admin.getByTestId("labels-legend");
  await expect(legend.locator("li[data-feature=hole]")).toContainText("Hole");
  await expect(legend.locator("li[data-feature=hole] [data-testid=legend-count]")).toHaveText("3");
  await expect(legend.locator("li[data-feature=through_hole]")).toHaveCount(0);
  await admin.goto(`/w/${slug}/parts/${ids[FILES[1] as string]}`);
  await expect(admin.getByTestId("labels-legend").locator("li[data-feature=bevel]")).toContainText("Bevel");

  await admin.goto(`/w/${slug}/datasets/${datasetId}`);
  await expect(admin.getByLabel("Label schema")).toHaveValue(
    (await query<{ id: string }>("select label_schema_id as id from datasets where id = $1", [datasetId]))[0]?.id ?? "",
  );
  await expect(admin.getByLabel("Label schema").locator("option:checked")).toHaveText("Default v2");
  // back to v1 is refused: the labels now use classes v1 lacks
  await admin.getByLabel("Label schema").selectOption({ label: "Default v1" });
  await expect(admin.getByTestId("dataset-schema").getByRole("alert")).toContainText(
    "lacks classes this dataset's labels use",
  );
  await expect(admin.getByLabel("Label schema").locator("option:checked")).toHaveText("Default v2");
});

test("a split sends existing labels to its first class and lists the parts for someone to check", async () => {
  await admin.goto(`/w/${slug}/admin/schemas`);
  await admin
    .locator("[data-testid=schema-version][data-name=Default][data-version='2']")
    .getByRole("button", { name: "New version" })
    .click();
  await row("hole").getByRole("button", { name: "Split" }).click();
  await row("hole_2")
    .getByLabel(/^Key of class/)
    .fill("counterbore");
  await row("counterbore")
    .getByLabel(/^Parent of class/)
    .selectOption({ label: "hole" });
  await expect(admin.getByTestId("mapping-changes")).toContainText(
    "hole split into hole, counterbore (existing labels go to hole; parts flagged for a person)",
  );
  await admin.getByRole("button", { name: "Save version 3" }).click();
  await expect(admin.getByRole("status").filter({ hasText: "Saved Default v3." })).toBeVisible();
  await expect(admin.getByTestId("schema-classes").locator("tr[data-key=counterbore]")).toContainText("hole");
  await admin.getByRole("button", { name: "Apply mapping to existing labels" }).click();
  await expect(admin.getByTestId("apply-progress")).toContainText("2 of 2 parts mapped, 0 remaining");
  const flagged = admin.getByTestId("split-flagged");
  await expect(flagged).toContainText("Check these parts: faces of a split class were given its first class.");
  await expect(flagged.getByRole("link", { name: FILES[0] as string })).toHaveAttribute(
    "href",
    `/w/${slug}/parts/${ids[FILES[0] as string]}`,
  );
  await expect(flagged).toContainText("(3 faces)");
  // the part with no split class is not listed
  await expect(flagged.getByRole("link")).toHaveCount(1);
});

test("a schema is exported as JSON and imported back; a broken file is refused with its problems", async () => {
  await admin.goto(`/w/${slug}/admin/schemas`);
  const v2 = admin.locator("[data-testid=schema-version][data-name=Default][data-version='2']");
  await expect(v2).toBeVisible();
  const [download] = await Promise.all([
    admin.waitForEvent("download"),
    v2.getByRole("link", { name: "Download JSON" }).click(),
  ]);
  expect(download.suggestedFilename()).toBe("Default-v2.json");
  const text = await readFile((await download.path()) as string, "utf8");
  const file = JSON.parse(text);
  expect(file).toMatchObject({ format: "facet.label-schema", formatVersion: 1, name: "Default", version: 2 });
  expect(file.taxonomy.featureTypes.map((f: { key: string }) => f.key)).toContain("bevel");

  const broken = structuredClone(file);
  broken.taxonomy.featureTypes[1].colour = "blue";
  await admin.getByLabel("Schema JSON").fill(JSON.stringify(broken));
  await admin.getByRole("button", { name: "Import" }).click();
  await expect(admin.getByTestId("import-problems")).toContainText(
    "taxonomy.featureTypes.1.colour: colours are written #rrggbb (six hex digits)",
  );
  // the same name is taken: the server says so
  await admin.getByLabel("Schema JSON").fill(text);
  await admin.getByRole("button", { name: "Import" }).click();
  await expect(admin.getByTestId("import-problems")).toContainText('a schema named "Default" exists already');
  await admin.getByLabel("Imported schema name").fill("Shop floor");
  await admin.getByRole("button", { name: "Import" }).click();
  await expect(admin.getByRole("status").filter({ hasText: "Imported Shop floor v1." })).toBeVisible();
  const imported = admin.locator("[data-testid=schema-version][data-name='Shop floor'][data-version='1']");
  await expect(imported).toBeVisible();
  await expect(admin.getByTestId("schema-classes").locator("tr[data-key=bevel]")).toContainText("Bevel");
});
