import { createHash, randomUUID } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { blobKey } from "@facet/core";
import { expect, type Page, test } from "@playwright/test";
import { CORPUS, operatorFacet, processedParts, signInAdmin, uploadCorpusPart, WORKSPACE } from "./helpers";

// Storage integrity (issue 19): the Admin page says when the installation's files were last verified
// and whether anything drifted, so an admin finds it without docs. The operator's `facet verify`
// (the real CLI, on this installation's data folder) makes the runs; a flipped byte shows as drift.
test.describe.configure({ mode: "serial" });
test.setTimeout(240_000);

const PART = "mfcad/0-1-2-3-19.step";
let admin: Page;

/** `facet verify` as the operator runs it beside the installation: its exit code and output. */
const facetVerify = () => operatorFacet(["verify"]);

test.beforeAll(async ({ browser }) => {
  admin = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  await signInAdmin(admin);
});

test("the Admin page says storage was never verified, then the last run of facet verify: no drift", async () => {
  await admin.goto(`/w/${WORKSPACE.slug}/admin`);
  const line = admin.getByTestId("storage-integrity");
  // a fresh installation (each run has its own data folder; no other spec runs verify)
  await expect(line).toHaveClass(/error/);
  await expect(line).toContainText("Storage integrity: never verified");
  await expect(line).toContainText("facet verify");
  expect((await (await admin.request.get("/api/health")).json()).verify).toEqual({ status: "never", lastRunAt: null });

  const ds = await admin.request.post(`/api/workspaces/${WORKSPACE.slug}/datasets`, {
    data: { name: `Verify ${randomUUID().slice(0, 6)}` },
  });
  expect(ds.status()).toBe(201);
  const datasetId = (await ds.json()).dataset.id as string;
  await uploadCorpusPart(admin, WORKSPACE.slug, datasetId, PART);
  await processedParts(datasetId, 1);

  const run = await facetVerify();
  expect(run.code, run.out).toBe(0);
  const blobs = Number(/blobs: +(\d+) re-hashed/.exec(run.out)?.[1]);
  expect(blobs).toBeGreaterThanOrEqual(1);

  await admin.goto(`/w/${WORKSPACE.slug}/admin`);
  await expect(line).toHaveClass(/muted/);
  await expect(line).toContainText(
    new RegExp(
      `Storage integrity: last verified \\d+ \\w+ \\d{4}, \\d\\d:\\d\\d UTC, ${blobs} blobs?, \\d+ snapshots?, 0 drift`,
    ),
  );

  // /api/health tells an admin the same
  const health = await (await admin.request.get("/api/health")).json();
  expect(health.verify).toMatchObject({ status: "ok", blobsChecked: blobs, drift: 0 });
});

test("a stored file with one byte flipped shows as drift on the Admin page until it is repaired", async () => {
  const bytes = await readFile(path.join(CORPUS, PART));
  const stored = path.join(
    process.env.FACET_E2E_DATA_DIR as string,
    blobKey(createHash("sha256").update(bytes).digest("hex")),
  );
  const flipped = Buffer.from(bytes);
  flipped[200] = (flipped[200] as number) ^ 0x20;
  await writeFile(stored, flipped);
  try {
    const run = await facetVerify();
    expect(run.code, run.out).toBe(1);
    expect(run.out).toContain("DRIFT FOUND");
    await admin.goto(`/w/${WORKSPACE.slug}/admin`);
    const line = admin.getByTestId("storage-integrity");
    await expect(line).toHaveClass(/error/);
    await expect(line).toContainText(/Storage integrity: drift found on .*: 1 problem in/);
    // which file drifted is for the operator, not on the page
    await expect(line).not.toContainText("blobs/sha256");
  } finally {
    await writeFile(stored, bytes);
  }
  expect((await facetVerify()).code).toBe(0);
  await admin.reload();
  await expect(admin.getByTestId("storage-integrity")).toContainText("0 drift");
});
