import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { expect, type Page, test } from "@playwright/test";
import { operatorFacet, signInAdmin, WORKSPACE } from "./helpers";

// Backups and garbage collection (issue 19): the Admin page says when the installation was last backed
// up and its unreferenced files last collected, and which command the operator runs, so an admin finds
// them without docs. The runs come from the real CLI on this installation.
test.describe.configure({ mode: "serial" });
test.setTimeout(240_000);

let admin: Page;

test.beforeAll(async ({ browser }) => {
  admin = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  await signInAdmin(admin);
});

test("the Admin page shows no backup, then the backup facet backup took, and the last gc", async () => {
  await admin.goto(`/w/${WORKSPACE.slug}/admin`);
  const backup = admin.getByTestId("last-backup");
  const gc = admin.getByTestId("last-gc");
  await expect(backup).toHaveClass(/error/);
  await expect(backup).toContainText("Backups: none recorded.");
  await expect(backup).toContainText("facet backup --out DIR");
  await expect(gc).toContainText("Unreferenced files: never collected.");
  await expect(gc).toContainText("facet gc --dry-run");
  // the metrics an admin may read, one click away
  const metrics = admin.getByRole("link", { name: "Metrics (Prometheus text)" });
  const res = await admin.request.get((await metrics.getAttribute("href")) as string);
  expect(res.status()).toBe(200);
  expect(await res.text()).toContain(`facet_parts{workspace="${WORKSPACE.slug}"`);

  const out = await mkdtemp(path.join(os.tmpdir(), "facet-e2e-backup-"));
  try {
    const taken = await operatorFacet(["backup", "--out", path.join(out, "b"), "--json"]);
    expect(taken.code, taken.out).toBe(0);
    const manifest = JSON.parse(await readFile(path.join(out, "b", "manifest.json"), "utf8"));
    expect(manifest.format).toBe("facet-backup/1");
  } finally {
    await rm(out, { recursive: true, force: true });
  }
  // a dry run deletes nothing and is not recorded as a collection
  expect((await operatorFacet(["gc", "--dry-run"])).code).toBe(0);
  await admin.reload();
  await expect(backup).toHaveClass(/muted/);
  await expect(backup).toContainText(/Backups: last taken \d+ \w+ \d{4}, \d\d:\d\d UTC\./);
  await expect(gc).toContainText("Unreferenced files: never collected.");

  const collected = await operatorFacet(["gc"]);
  expect(collected.code, collected.out).toBe(0);
  expect(collected.out).toMatch(/deleted \d+ object\(s\)/);
  await admin.reload();
  await expect(gc).toContainText(/Unreferenced files: last collected \d+ \w+ \d{4}, \d\d:\d\d UTC\./);
});
