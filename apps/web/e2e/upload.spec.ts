import { cp, mkdir, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { CORPUS, decodePng, dropPaths, signInAdmin, WORKSPACE } from "./helpers";

test("an uploader drops a folder of STEP files; parts appear; dropping it again sends nothing", async ({ page }) => {
  // a folder as people have them: nested, with files that are not STEP
  const folder = await mkdtemp(path.join(os.tmpdir(), "facet-drop-"));
  await mkdir(path.join(folder, "batch-1", "deep"), { recursive: true });
  await cp(path.join(CORPUS, "aagnet/examples_partA.step"), path.join(folder, "batch-1/partA.step"));
  await cp(path.join(CORPUS, "aagnet/examples_partB.step"), path.join(folder, "batch-1/deep/partB.STEP"));
  await cp(path.join(CORPUS, "nist-pmi/nist_ftc_11_asme1_rb.stp"), path.join(folder, "nist_ftc_11.stp"));
  await writeFile(path.join(folder, "notes.txt"), "not a part");

  await signInAdmin(page);
  const created = await page.request.post(`/api/workspaces/${WORKSPACE.slug}/datasets`, {
    data: { name: "Dropped parts" },
  });
  expect(created.status()).toBe(201);
  const { dataset } = await created.json();
  await page.goto(`/w/${WORKSPACE.slug}/datasets/${dataset.id}`);
  await expect(page.getByRole("heading", { name: "Dropped parts" })).toBeVisible();

  await dropPaths(page, "[data-testid=dropzone]", [folder]);
  const summary = page.getByTestId("upload-summary");
  await expect(summary).toContainText("3/3 done · 3 new · 0 skipped · 0 failed");
  await expect(summary).toContainText("not uploaded (not STEP, or empty): notes.txt");
  const parts = page.getByTestId("dataset-parts");
  for (const name of ["partA.step", "partB.STEP", "nist_ftc_11.stp"]) await expect(parts).toContainText(name);
  await expect(parts.locator("tbody tr")).toHaveCount(3);

  // leave, come back, drop the same folder: everything is skipped, no duplicates
  await page.reload();
  await dropPaths(page, "[data-testid=dropzone]", [folder]);
  await expect(page.getByTestId("upload-summary")).toContainText("3/3 done · 0 new · 3 skipped · 0 failed");
  await expect(page.getByTestId("upload-summary")).toContainText("0 B sent");
  await page.reload();
  await expect(page.getByTestId("dataset-parts").locator("tbody tr")).toHaveCount(3);
});

test("a file that is not STEP is refused with the reason, and not offered a retry that cannot help", async ({
  page,
}) => {
  const folder = await mkdtemp(path.join(os.tmpdir(), "facet-drop-bad-"));
  await writeFile(path.join(folder, "renamed-zip.step"), "PK\u0003\u0004 definitely not STEP");
  await signInAdmin(page);
  const created = await page.request.post(`/api/workspaces/${WORKSPACE.slug}/datasets`, {
    data: { name: "Bad drops" },
  });
  const { dataset } = await created.json();
  await page.goto(`/w/${WORKSPACE.slug}/datasets/${dataset.id}`);
  await dropPaths(page, "[data-testid=dropzone]", [path.join(folder, "renamed-zip.step")]);
  const row = page.locator('[data-testid=upload-list] tr[data-state="failed"]');
  await expect(row).toContainText("not a STEP file");
  await expect(row.getByRole("button", { name: "Retry" })).toHaveCount(0);
  await expect(page.getByTestId("dataset-parts")).toContainText("No parts yet.");
});

test("processed parts show their mesh: every B-rep face in its own colour", async ({ page }) => {
  await signInAdmin(page);
  const created = await page.request.post(`/api/workspaces/${WORKSPACE.slug}/datasets`, { data: { name: "Meshes" } });
  const { dataset } = await created.json();
  const folder = await mkdtemp(path.join(os.tmpdir(), "facet-mesh-"));
  await cp(path.join(CORPUS, "aagnet/examples_partC.step"), path.join(folder, "partC.step"));
  await page.goto(`/w/${WORKSPACE.slug}/datasets/${dataset.id}`);
  await dropPaths(page, "[data-testid=dropzone]", [folder]);
  await expect(page.getByTestId("upload-summary")).toContainText("1/1 done · 1 new");

  // the worker tessellates it and the built-in recogniser pre-labels it
  await expect(async () => {
    await page.reload();
    await expect(page.locator('[data-status="pre_labeled"] .n')).toHaveText("1", { timeout: 1000 });
  }).toPass({ timeout: 120_000 });
  await page.getByTestId("dataset-parts").getByRole("link", { name: "partC.step" }).click();
  await expect(page.getByTestId("part-status")).toHaveText("Pre-labelled");
  await expect(page.getByTestId("prelabel-status")).toHaveText(/Pre-labelled: \d+% confident on average\./);
  // the page shows the models' labels first; "Faces" gives each face a colour of its own
  await expect(page.getByTestId("labels-of")).toHaveText("The models' pre-labels of revision 1.");
  await page.getByRole("button", { name: "Faces", exact: true }).click();
  const viewer = page.locator("[data-viewer=ready]");
  await expect(viewer).toHaveAttribute("data-face-count", "94", { timeout: 60_000 });
  await expect(page.getByText("94 faces · 552 triangles")).toBeVisible();

  // the canvas shows the part: many distinct colours, not just the background
  await page.waitForTimeout(500);
  const shot = await viewer.locator("canvas").screenshot();
  const { rgba } = await decodePng(page, shot);
  const seen = new Set<string>();
  for (let i = 0; i < rgba.length; i += 4 * 97) {
    seen.add(`${(rgba[i] as number) >> 3},${(rgba[i + 1] as number) >> 3},${(rgba[i + 2] as number) >> 3}`);
  }
  const colours = seen.size;
  expect(colours).toBeGreaterThan(15);

  // hovering names a face
  const box = await viewer.boundingBox();
  if (!box) throw new Error("no viewer");
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await expect(viewer).toContainText(/face \d+ · (plane|cylinder)/);
});
