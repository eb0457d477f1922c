import { createHash } from "node:crypto";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { blobKey } from "@facet/core";
import { CORPUS } from "@facet/geometry/testing";
import { type Platform, startPlatform } from "@facet/launcher/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FacetRun, facet, waitProcessed } from "./testing";

/** `facet verify` as the operator runs it on the machine of a real installation (`npm start`). */

const ADMIN = { email: "verify-ops@example.test", password: "ops password 123" };
const FILES = ["mfcad/0-0-0-0-0-23.step", "mfcad/0-1-2-3-19.step"];
const json = (r: FacetRun) => {
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`not JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
};

describe("facet verify", () => {
  let platform: Platform;
  let configDir: string;
  let parts: string;
  let env: NodeJS.ProcessEnv;
  /** The operator's environment: the installation's data folder and database port, no API key. */
  let ops: NodeJS.ProcessEnv;

  beforeAll(async () => {
    platform = await startPlatform(ADMIN);
    configDir = await mkdtemp(path.join(os.tmpdir(), "facet-verify-config-"));
    parts = await mkdtemp(path.join(os.tmpdir(), "facet-verify-parts-"));
    for (const f of FILES) await copyFile(path.join(CORPUS, f), path.join(parts, path.basename(f)));
    env = { FACET_CONFIG_DIR: configDir, FACET_URL: "", FACET_API_KEY: "" };
    ops = {
      FACET_DATA_DIR: platform.dataDir,
      FACET_PG_PORT: String(platform.pgPort),
      DATABASE_URL: "",
      FACET_STORAGE: "",
      FACET_URL: "",
      FACET_API_KEY: "",
    };
  });
  afterAll(async () => {
    await platform?.stop();
    await rm(configDir, { recursive: true, force: true });
    await rm(parts, { recursive: true, force: true });
  });

  it("exits 0 on an empty installation, and 1 (naming the folder) where there is none", async () => {
    const r = await facet(["verify", "--json"], ops);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ ok: true, blobs: { total: 0 }, snapshots: { total: 0 } });
    const none = await facet(["verify"], { ...ops, FACET_DATA_DIR: path.join(parts, "nothing") });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`no Facet installation in ${path.join(parts, "nothing")}`);
  });

  it("exits 0 after parts were pushed and processed, then 1 when a stored file is corrupted", async () => {
    const login = await facet(
      ["login", "--url", platform.url, "--email", ADMIN.email, "--password", ADMIN.password],
      env,
    );
    expect(login.code, login.stderr).toBe(0);
    const push = await facet(["push", parts, "--dataset", "verify", "--json"], env);
    expect(push.code, push.stderr).toBe(0);
    await waitProcessed("verify", env, 300_000);

    const clean = await facet(["verify"], ops);
    expect(clean.code, clean.stdout + clean.stderr).toBe(0);
    expect(clean.stdout).toMatch(/blobs: +2 re-hashed .*: 0 mismatched, 0 missing/);
    expect(clean.stdout).toMatch(/artefacts: +6 read \(6 against a recorded hash/);
    expect(clean.stdout).toContain("no drift");

    const bytes = await readFile(path.join(CORPUS, FILES[0] as string));
    const hash = createHash("sha256").update(bytes).digest("hex");
    const stored = path.join(platform.dataDir, blobKey(hash));
    const flipped = Buffer.from(bytes);
    flipped[50] = (flipped[50] as number) ^ 0xff;
    await writeFile(stored, flipped);
    try {
      const drift = await facet(["verify", "--json"], ops);
      expect(drift.code).toBe(1);
      const report = json(drift);
      expect(report.ok).toBe(false);
      expect(report.blobs).toMatchObject({ checked: 2, mismatched: 1, missing: 0 });
      expect(report.blobs.drifts[0]).toMatchObject({
        key: blobKey(hash),
        expectedSha256: hash,
        actualSha256: createHash("sha256").update(flipped).digest("hex"),
      });
      const human = await facet(["verify"], ops);
      expect(human.code).toBe(1);
      expect(human.stdout).toContain(`MISMATCHED ${blobKey(hash)}`);
      expect(human.stdout).toContain("DRIFT FOUND");

      // the last run shows on /api/health for anyone, without counts
      const health = (await (await fetch(`${platform.url}/api/health`)).json()) as { verify: Record<string, unknown> };
      expect(health.verify).toMatchObject({ status: "drift" });
      expect(health.verify.blobsChecked).toBeUndefined();

      // a sample of 1 reads one blob and one artefact
      const sample = json(await facet(["verify", "--sample", "1", "--json"], ops));
      expect(sample).toMatchObject({ sample: 1, blobs: { total: 2, checked: 1 }, artefacts: { total: 6, checked: 1 } });
    } finally {
      await mkdir(path.dirname(stored), { recursive: true });
      await writeFile(stored, bytes);
    }
    const again = await facet(["verify"], ops);
    expect(again.code, again.stdout).toBe(0);
    const health = (await (await fetch(`${platform.url}/api/health`)).json()) as { verify: Record<string, unknown> };
    expect(health.verify).toMatchObject({ status: "ok" });
  }, 600_000);
});
