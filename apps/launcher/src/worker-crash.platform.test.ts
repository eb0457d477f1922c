import { readdir, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { isProcessAlive } from "@facet/db/process";
import { CORPUS } from "@facet/geometry/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminToken, databaseOf, type Platform, startPlatform, uploadToNewDataset, waitUntil } from "./testing";

/**
 * The worker killed in the middle of a tessellation, then in the middle of an export: after its
 * restart each job completes, once, and nothing the killed process was making is left behind.
 */

const ADMIN = { email: "crash@example.test", password: "crash test password" };
const BIG = path.join(CORPUS, "nist-pmi/nist_ftc_06_asme1_ap242-e1.stp");

describe("a worker killed mid-job", () => {
  let platform: Platform;
  let key: string;
  const workerPid = async () =>
    (JSON.parse(await readFile(path.join(platform.dataDir, "facet.pid"), "utf8")) as { children: number[] })
      .children[0] as number;
  const api = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(new URL(p, platform.url), {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return (await res.json()) as Record<string, unknown>;
  };

  beforeAll(async () => {
    platform = await startPlatform(ADMIN);
    key = await adminToken(platform, ADMIN);
  });
  afterAll(() => platform?.stop());

  it("is restarted by the launcher, the job runs again and completes, and exactly one set of outputs exists", async () => {
    const bytes = await readFile(BIG);
    const { partId, sha256 } = await uploadToNewDataset(platform, key, "crash", { name: "ftc06.stp", bytes });
    const detail = async () =>
      (
        (await api("GET", `/api/workspaces/test-shop/parts/${partId}`)) as {
          part: { status: string; geometry: unknown; jobs: Array<{ status: string; attempts: number }> };
        }
      ).part;

    // kill the worker while the job runs
    await waitUntil("the job to run", async () => (await detail()).jobs[0]?.status === "running", 60_000, platform.run);
    const worker = await workerPid();
    process.kill(worker, "SIGKILL");
    await waitUntil("the worker to be gone", () => !isProcessAlive(worker), 10_000);

    await waitUntil(
      "the part to be processed",
      // tessellated, then pre-labelled by the built-in rules (the default configuration)
      async () => (await detail()).status === "pre_labeled",
      240_000,
      platform.run,
    );
    const part = await detail();
    expect(part.geometry).not.toBeNull();
    expect(part.jobs).toHaveLength(1);
    expect(part.jobs[0]).toMatchObject({ status: "completed" });
    expect(part.jobs[0]?.attempts).toBeGreaterThanOrEqual(2);
    expect(platform.run.output()).toMatch(/\[worker\] stopped \(SIGKILL\); restarting/);
    const outputs = (
      await readdir(path.join(platform.dataDir, "derived", "geometry", sha256), {
        recursive: true,
        withFileTypes: true,
      })
    )
      .filter((e) => e.isFile() && !e.name.endsWith(".sha256"))
      .map((e) => e.name)
      .sort();
    // one set of outputs (each written once, atomically), whatever the kill interrupted
    expect(outputs).toEqual(["faces.json", "mesh.glb", "thumbnail.png"]);
  }, 400_000);

  it("killed mid-export: the export runs again and completes with one archive; the killed one's working folder is removed", async () => {
    // a snapshot of 30 parts in the MFCAD format (each part's face names are read by the kernel: seconds of work)
    const mfcad = (await readdir(path.join(CORPUS, "mfcad"))).filter((f) => f.endsWith(".step")).slice(0, 30);
    for (const f of mfcad)
      await uploadToNewDataset(platform, key, "crash-export", {
        name: f,
        bytes: await readFile(path.join(CORPUS, "mfcad", f)),
      });
    const db = await databaseOf(platform, "worker-crash-test");
    try {
      const settled = async () =>
        (
          await db.query(
            "select count(*)::int as n from parts p join datasets d on d.id = p.dataset_id where d.name = 'crash-export' and p.status = 'pre_labeled'",
          )
        ).rows[0].n === mfcad.length;
      await waitUntil("the parts to be pre-labelled", settled, 240_000, platform.run);
      const snap = await api("POST", "/api/workspaces/test-shop/snapshots", {
        dataset: "crash-export",
        name: "crash-v1",
      });
      expect(snap.snapshot, JSON.stringify(snap)).toBeTruthy();

      const worker = await workerPid();
      const working = async () => (await readdir(os.tmpdir())).filter((n) => n.startsWith(`facet-export-${worker}-`));
      const asked = (await api("POST", "/api/workspaces/test-shop/snapshots/crash-v1/exports", {
        format: "mfcad",
      })) as {
        export: { id: string };
      };
      // kill the worker while it writes the archive
      for (let i = 0; i < 3000 && (await working()).length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(await working()).toHaveLength(1);
      process.kill(worker, "SIGKILL");
      await waitUntil("the worker to be gone", () => !isProcessAlive(worker), 10_000);
      expect(await working()).toHaveLength(1); // what the killed process left

      const exportNow = async () =>
        (
          (await api("GET", `/api/workspaces/test-shop/exports/${asked.export.id}`)) as {
            export: { status: string; sha256: string | null; size: number | null; error: string | null };
          }
        ).export;
      await waitUntil(
        "the export to complete",
        async () => (await exportNow()).status === "completed",
        240_000,
        platform.run,
      );
      const done = await exportNow();
      expect(done.error).toBeNull();
      expect(platform.run.output()).toMatch(/removed the working folders of 1 export\(s\) that were interrupted/);
      expect(await working()).toEqual([]);
      // one archive, the one the export row names; no job left queued or running
      const stored = await readdir(path.join(platform.dataDir, "exports", asked.export.id));
      expect(stored.filter((f) => !f.endsWith(".sha256"))).toEqual(["mfcad.zip"]);
      const digest = await readFile(
        path.join(platform.dataDir, "exports", asked.export.id, "mfcad.zip.sha256"),
        "utf8",
      );
      expect(digest.trim()).toBe(done.sha256);
      const jobs = await db.query("select kind, status::text, attempts from jobs where kind = 'curation:export'");
      expect(jobs.rows).toEqual([expect.objectContaining({ status: "completed" })]);
      expect(jobs.rows[0].attempts).toBeGreaterThanOrEqual(2);
      const stuck = await db.query("select count(*)::int as n from jobs where status in ('queued', 'running')");
      expect(stuck.rows[0].n).toBe(0);
    } finally {
      await db.end();
    }
  }, 600_000);
});
