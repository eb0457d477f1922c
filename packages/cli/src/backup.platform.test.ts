/**
 * Backup → wipe → restore → verify, on the real platform (`npm start` on a fresh folder) with
 * labelling going on while the backup is taken: everything acknowledged before the backup began is
 * there after the restore, every stored file's hash matches, the snapshot verifies, and Facet works.
 */
import { createHash } from "node:crypto";
import { cp, mkdtemp, open, readdir, readFile, rm, stat, utimes } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { blobKey } from "@facet/core";
import { createPool } from "@facet/db";
import { embeddedDatabaseUrl, readSecrets } from "@facet/db/installation";
import { freePort } from "@facet/db/testing";
import { CORPUS } from "@facet/geometry/testing";
import { type PlatformRun, startFacet, waitUntil } from "@facet/launcher/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, type FacetRun, facet, storedKey, waitProcessed } from "./testing";

const ADMIN = { email: "backup@example.test", password: "backup password 123" };
const PARTS = ["0-0-0-0-0-23", "0-0-10-10-12-23", "0-0-4-11-13-23", "0-5-5-6-8-23"];
const DATASET = "ops";
const WS = "test-shop";

const json = (r: FacetRun) => {
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`not JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
};

describe("facet backup and restore", () => {
  let dataDir: string;
  let work: string;
  let configDir: string;
  let port: number;
  let pgPort: number;
  let run: PlatformRun | null = null;
  let env: NodeJS.ProcessEnv;
  let ops: NodeJS.ProcessEnv;
  let call: ReturnType<typeof apiClient>;
  let parts: Array<{ id: string; name: string }> = [];

  const start = async () => {
    run = startFacet({
      PORT: String(port),
      FACET_PG_PORT: String(pgPort),
      FACET_DATA_DIR: dataDir,
      FACET_ADMIN_EMAIL: ADMIN.email,
      FACET_ADMIN_PASSWORD: ADMIN.password,
      FACET_WORKSPACE_NAME: "Test Shop",
    });
    const r = run;
    await waitUntil("the platform", () => r.output().includes("Facet is running at"), 240_000, r);
  };
  const stop = async () => {
    if (run && run.child.exitCode === null) {
      run.child.kill("SIGINT");
      await run.exited;
    }
    run = null;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "facet-backup-install-"));
    work = await mkdtemp(path.join(os.tmpdir(), "facet-backup-work-"));
    configDir = await mkdtemp(path.join(os.tmpdir(), "facet-backup-config-"));
    port = await freePort();
    pgPort = await freePort();
    await start();
    env = { FACET_CONFIG_DIR: configDir, FACET_URL: "", FACET_API_KEY: "", FACET_WORKSPACE: "" };
    ops = { FACET_DATA_DIR: dataDir, FACET_PG_PORT: String(pgPort), DATABASE_URL: "" };
    const login = await facet(
      ["login", "--url", `http://localhost:${port}`, "--email", ADMIN.email, "--password", ADMIN.password, "--json"],
      env,
    );
    expect(login.code, login.stderr).toBe(0);
    call = apiClient(`http://localhost:${port}`, await storedKey(configDir));
    const src = path.join(work, "src");
    for (const stem of PARTS)
      for (const ext of [".step", ".face_truth"])
        await cp(path.join(CORPUS, "mfcad", stem + ext), path.join(src, stem + ext));
    const pushed = await facet(["push", src, "--dataset", DATASET, "--json"], env);
    expect(pushed.code, pushed.stdout + pushed.stderr).toBe(0);
    expect((await waitProcessed(DATASET, env)).failed ?? 0).toBe(0);
    const imported = await facet(["import-labels", "--format", "mfcad", src, "--dataset", DATASET, "--json"], env);
    expect(imported.code, imported.stdout + imported.stderr).toBe(0);
    const frozen = await facet(["snapshot", "create", "before", "--dataset", DATASET, "--json"], env);
    expect(frozen.code, frozen.stdout + frozen.stderr).toBe(0);
    const { body } = await call<{ parts: Array<{ id: string; name: string }> }>(
      "GET",
      `/api/workspaces/${WS}/datasets/${DATASET}/parts`,
    );
    parts = body.parts;
    expect(parts).toHaveLength(PARTS.length);
  }, 900_000);

  afterAll(async () => {
    await stop();
    for (const d of [dataDir, work, configDir]) if (d) await rm(d, { recursive: true, force: true });
  });

  /** One labelling step on a part: its latest revision with face 0's class toggled, as a new revision. */
  const relabel = async (partId: string): Promise<number> => {
    const latest = await call<{ revision: { revisionNo: number; document: { labels: Array<string | null> } } }>(
      "GET",
      `/api/workspaces/${WS}/parts/${partId}/revisions`,
    );
    const { revisionNo, document } = latest.body.revision;
    const labels = [...document.labels];
    labels[0] = labels[0] === "chamfer" ? "stock" : "chamfer";
    const saved = await call<{ revision: { revisionNo: number } }>(
      "POST",
      `/api/workspaces/${WS}/parts/${partId}/revisions`,
      { document: { ...document, labels }, expectedRevision: revisionNo },
    );
    if (saved.status !== 201) throw new Error(`saving a revision: ${saved.status} ${JSON.stringify(saved.body)}`);
    return saved.body.revision.revisionNo;
  };

  it("backs up while labelling goes on, restores into a wiped installation, and everything verifies", async () => {
    // labelling keeps going through the backup
    const acknowledged = new Map<string, number>();
    for (const p of parts) acknowledged.set(p.id, await relabel(p.id));
    let labelling = true;
    let during = 0;
    const loop = (async () => {
      for (let i = 0; labelling; i++) {
        const p = parts[i % parts.length] as { id: string };
        await relabel(p.id);
        during++;
      }
    })();
    const out = path.join(work, "backup");
    const taken = await facet(["backup", "--out", out, "--json"], ops);
    const whileBackup = during;
    labelling = false;
    await loop;
    expect(taken.code, taken.stdout + taken.stderr).toBe(0);
    expect(whileBackup, "revisions saved while the backup ran").toBeGreaterThan(0);
    const manifest = JSON.parse(await readFile(path.join(out, "manifest.json"), "utf8"));
    expect(manifest.format).toBe("facet-backup/1");
    expect(manifest.totals.blobs).toBe(PARTS.length);
    expect(manifest.damagedBlobs).toEqual([]);
    expect(manifest.files.some((f: { path: string }) => f.path === "secrets.json")).toBe(true);
    expect(manifest.files.some((f: { path: string }) => f.path === "pg/backup_label")).toBe(true);

    // a damaged copy of the backup restores nothing
    const damaged = path.join(work, "damaged");
    await cp(out, damaged, { recursive: true });
    const victim = manifest.files.find((f: { path: string }) => f.path.startsWith("store/blobs/")).path as string;
    const fh = await open(path.join(damaged, victim), "r+");
    await fh.write(Buffer.from("#"), 0, 1, 20);
    await fh.close();
    const elsewhere = path.join(work, "elsewhere");
    const refused = await facet(["restore", "--from", damaged, "--json"], { ...ops, FACET_DATA_DIR: elsewhere });
    expect(refused.code).toBe(1);
    expect(json(refused).error).toMatchObject({ code: "INVALID_BACKUP" });
    expect(json(refused).error.message).toContain(victim);
    expect(await readdir(elsewhere).catch(() => [])).toEqual([]);

    // a restore into the running installation is refused
    const busy = await facet(["restore", "--from", out, "--json"], ops);
    expect(busy.code).toBe(1);
    expect(json(busy).error.code).toBe("CONFLICT");

    // wipe, restore, start
    await stop();
    await rm(dataDir, { recursive: true, force: true });
    const restored = await facet(["restore", "--from", out, "--json"], ops);
    expect(restored.code, restored.stdout + restored.stderr).toBe(0);
    expect(json(restored)).toMatchObject({ files: manifest.totals.files });
    expect((await stat(path.join(dataDir, "secrets.json"))).mode & 0o777).toBe(0o600);
    await start();

    // every stored file's hash and every snapshot: facet verify, and the snapshot's own deep check
    const verified = await facet(["verify", "--json"], ops);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(json(verified)).toMatchObject({ ok: true });
    const snapshot = await facet(["snapshot", "verify", "before", "--deep", "--json"], env);
    expect(snapshot.code, snapshot.stdout + snapshot.stderr).toBe(0);

    // what was acknowledged before the backup began is there (the same API key works: its row came back)
    for (const [partId, revisionNo] of acknowledged) {
      const latest = await call<{ revision: { revisionNo: number } }>(
        "GET",
        `/api/workspaces/${WS}/parts/${partId}/revisions`,
      );
      expect(latest.status).toBe(200);
      expect(latest.body.revision.revisionNo).toBeGreaterThanOrEqual(revisionNo);
    }
    // and labelling goes on
    for (const p of parts) expect(await relabel(p.id)).toBeGreaterThan(acknowledged.get(p.id) as number);
    // facet gc: a discarded part's file, once a day old, is listed by a dry run and deleted by a real one
    const extra = path.join(work, "extra");
    await cp(path.join(CORPUS, "mfcad", "0-9-9-9-12-23.step"), path.join(extra, "extra.step"));
    expect((await facet(["push", extra, "--dataset", "scratch", "--json"], env)).code).toBe(0);
    await waitProcessed("scratch", env);
    const scratch = await call<{ parts: Array<{ id: string }> }>("GET", `/api/workspaces/${WS}/datasets/scratch/parts`);
    const discarded = scratch.body.parts[0] as { id: string };
    const hash = createHash("sha256")
      .update(await readFile(path.join(extra, "extra.step")))
      .digest("hex");
    expect((await call("DELETE", `/api/workspaces/${WS}/parts/${discarded.id}`)).status).toBe(200);
    const young = await facet(["gc", "--dry-run", "--json"], ops);
    expect(young.code, young.stderr).toBe(0);
    expect(json(young).found).toEqual([]); // younger than a day
    const pool = createPool(
      embeddedDatabaseUrl(((await readSecrets(dataDir)) as { pgPassword: string }).pgPassword, pgPort),
    );
    await pool.query("update public.blobs set created_at = now() - interval '2 days' where sha256 = $1", [hash]);
    await pool.end();
    const old = new Date(Date.now() - 2 * 86_400_000);
    const file = path.join(dataDir, blobKey(hash));
    await utimes(file, old, old);
    for (const e of await readdir(path.join(dataDir, "derived/geometry", hash), {
      recursive: true,
      withFileTypes: true,
    }))
      if (e.isFile()) await utimes(path.join(e.parentPath, e.name), old, old);
    const listed = await facet(["gc", "--dry-run", "--json"], ops);
    expect(json(listed).found.map((g: { of: string }) => g.of)).toEqual([hash]);
    expect(await stat(file)).toBeTruthy();
    const collected = await facet(["gc", "--json"], ops);
    expect(collected.code, collected.stderr).toBe(0);
    expect(json(collected).deleted.objects).toBe(json(listed).found[0].keys.length);
    await expect(stat(file)).rejects.toMatchObject({ code: "ENOENT" });
    expect((await facet(["verify", "--json"], ops)).code).toBe(0);

    // a second restore into the now full installation is refused
    await stop();
    const again = await facet(["restore", "--from", out, "--json"], ops);
    expect(again.code).toBe(1);
    expect(json(again).error.code).toBe("CONFLICT");
  }, 900_000);
});
