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

interface Verified {
  code: number | null;
  blobs: number;
  drift: number;
  keys: string[];
}

/**
 * `facet verify --json` as the operator runs it beside the installation. The e2e installation is shared
 * by every spec, and some arrange rows whose files were never stored: drift is counted relative to
 * what was there before, and this spec's own file is looked up by its key.
 */
async function facetVerify(): Promise<Verified> {
  const run = await operatorFacet(["verify", "--json"]);
  const r = JSON.parse(run.out) as {
    blobs: { checked: number; mismatched: number; missing: number; drifts: Array<{ key: string }> };
    artefacts: { mismatched: number; missing: number; drifts: Array<{ key: string }> };
    snapshots: { drifted: unknown[] };
  };
  return {
    code: run.code,
    blobs: r.blobs.checked,
    drift:
      r.blobs.mismatched + r.blobs.missing + r.artefacts.mismatched + r.artefacts.missing + r.snapshots.drifted.length,
    keys: [...r.blobs.drifts, ...r.artefacts.drifts].map((d) => d.key),
  };
}

/** The Admin page's line for a run with this much drift. */
const lineFor = (drift: number, blobs: number) =>
  drift === 0
    ? new RegExp(
        `Storage integrity: last verified \\d+ \\w+ \\d{4}, \\d\\d:\\d\\d UTC, ${blobs} blobs?, \\d+ snapshots?, 0 drift`,
      )
    : new RegExp(`Storage integrity: drift found on .*: ${drift} problems? in ${blobs} blobs?`);

let partKey = "";
let baseline: Verified;

test.beforeAll(async ({ browser }) => {
  admin = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  await signInAdmin(admin);
});

test("the Admin page says storage was never verified, then the last run of facet verify", async () => {
  await admin.goto(`/w/${WORKSPACE.slug}/admin`);
  const line = admin.getByTestId("storage-integrity");
  // no other spec runs verify
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
  partKey = blobKey(
    createHash("sha256")
      .update(await readFile(path.join(CORPUS, PART)))
      .digest("hex"),
  );

  baseline = await facetVerify();
  expect(baseline.code).toBe(baseline.drift === 0 ? 0 : 1);
  expect(baseline.blobs).toBeGreaterThanOrEqual(1);
  expect(baseline.keys).not.toContain(partKey); // the uploaded file is as stored

  await admin.goto(`/w/${WORKSPACE.slug}/admin`);
  await expect(line).toHaveClass(baseline.drift === 0 ? /muted/ : /error/);
  await expect(line).toContainText(lineFor(baseline.drift, baseline.blobs));

  // /api/health tells an admin the same
  const health = await (await admin.request.get("/api/health")).json();
  expect(health.verify).toMatchObject({
    status: baseline.drift === 0 ? "ok" : "drift",
    blobsChecked: baseline.blobs,
    drift: baseline.drift,
  });
});

test("a stored file with one byte flipped shows as drift on the Admin page until it is repaired", async () => {
  const bytes = await readFile(path.join(CORPUS, PART));
  const stored = path.join(process.env.FACET_E2E_DATA_DIR as string, partKey);
  const flipped = Buffer.from(bytes);
  flipped[200] = (flipped[200] as number) ^ 0x20;
  await writeFile(stored, flipped);
  try {
    const run = await facetVerify();
    expect(run.code).toBe(1);
    expect(run.keys).toContain(partKey);
    expect(run.drift).toBe(baseline.drift + 1);
    await admin.goto(`/w/${WORKSPACE.slug}/admin`);
    const line = admin.getByTestId("storage-integrity");
    await expect(line).toHaveClass(/error/);
    await expect(line).toContainText(lineFor(run.drift, run.blobs));
    // which file drifted is for the operator, not on the page
    await expect(line).not.toContainText("blobs/sha256");
  } finally {
    await writeFile(stored, bytes);
  }
  const repaired = await facetVerify();
  expect(repaired.drift).toBe(baseline.drift);
  expect(repaired.keys).not.toContain(partKey);
  await admin.reload();
  await expect(admin.getByTestId("storage-integrity")).toContainText(lineFor(repaired.drift, repaired.blobs));
});
