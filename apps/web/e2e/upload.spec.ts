import { cp, mkdir, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "@playwright/test";
import { dropPaths, signInAdmin, WORKSPACE } from "./helpers";

const CORPUS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../shared/corpus");

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
  await expect(summary).toContainText("3/3 done · 3 new · 0 skipped · 0 failed · 1 non-STEP file(s) ignored");
  const parts = page.getByTestId("dataset-parts");
  for (const name of ["partA.step", "partB.STEP", "nist_ftc_11.stp"]) await expect(parts).toContainText(name);
  await expect(page.locator('[data-status="uploaded"] .n')).toHaveText("3");

  // leave, come back, drop the same folder: everything is skipped, no duplicates
  await page.reload();
  await dropPaths(page, "[data-testid=dropzone]", [folder]);
  await expect(page.getByTestId("upload-summary")).toContainText("3/3 done · 0 new · 3 skipped · 0 failed");
  await expect(page.getByTestId("upload-summary")).toContainText("0 B sent");
  await page.reload();
  await expect(page.locator('[data-status="uploaded"] .n')).toHaveText("3");
  await expect(page.getByTestId("dataset-parts").locator("tbody tr")).toHaveCount(3);
});

test("a file that is not STEP is refused with the reason, and can be retried", async ({ page }) => {
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
  await row.getByRole("button", { name: "Retry" }).click();
  await expect(page.locator('[data-testid=upload-list] tr[data-state="failed"]')).toContainText("not a STEP file");
  await expect(page.getByTestId("dataset-parts")).toContainText("No parts yet.");
});
