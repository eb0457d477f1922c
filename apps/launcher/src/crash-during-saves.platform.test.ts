import { readFile } from "node:fs/promises";
import path from "node:path";
import { isProcessAlive } from "@facet/db/process";
import { CORPUS } from "@facet/geometry/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminToken, databaseOf, type Platform, startPlatform, uploadToNewDataset, waitUntil } from "./testing";

/**
 * Issue 21, faults: an annotator autosaving while (1) the web process is killed, (2) PostgreSQL is
 * killed. Every save the server acknowledged is in the database afterwards, in order, each exactly
 * as sent; every other save was told: no answer (the connection dropped), or a JSON error (503
 * UNAVAILABLE while the database restarts, once a request has waited FACET_DB_WAIT_MS for it;
 * CONFLICT when a save cut off by the crash had landed: the next save names the revision it
 * follows). The launcher restarts what died, and saving goes on.
 */

const ADMIN = { email: "websave@example.test", password: "web crash test password" };
const FILE = path.join(CORPUS, "mfcad/0-1-2-3-19.step");
const WS = "/api/workspaces/test-shop";

interface Ack {
  revisionNo: number;
  labels: (string | null)[];
}

describe("crashes during an annotator's saves", () => {
  let platform: Platform;
  let key: string;
  let partId = "";
  let save: (i: number) => Promise<void>;
  const acked: Ack[] = [];
  const told: string[] = [];

  const call = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(new URL(p, platform.url), {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(10_000),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
  };
  const healthy = async () => {
    try {
      return (await fetch(new URL("/api/health", platform.url))).status === 200;
    } catch {
      return false;
    }
  };

  beforeAll(async () => {
    platform = await startPlatform(ADMIN);
    key = await adminToken(platform, ADMIN);
    await uploadToNewDataset(platform, key, "saves", { name: "part.step", bytes: await readFile(FILE) });
    await waitUntil(
      "the part to be pre-labelled and claimed",
      async () => {
        const claim = await call("POST", `${WS}/queue/claim`, {});
        partId = claim.status === 200 ? (claim.body.part as { id: string }).id : "";
        return partId !== "";
      },
      240_000,
      platform.run,
    );
    const latest = (await call("GET", `${WS}/parts/${partId}/revisions`)).body as {
      revision: {
        revisionNo: number;
        document: { faceSignature: string; faceCount: number; labels: (string | null)[] };
      };
    };
    const { faceSignature, faceCount, labels: prelabel } = latest.revision.document;
    // labels of the dataset's schema: the pre-label's own, moved around face by face
    const keys = [...new Set(prelabel.filter((l): l is string => l !== null))];
    let last = latest.revision.revisionNo;
    // an annotator autosaving: each save follows the last one it knows of
    save = async (i: number) => {
      const labels = prelabel.map((l, f) => (f === i % faceCount ? (keys[i % keys.length] as string) : l));
      const document = { schemaVersion: 1, faceSignature, faceCount, labels, instances: [] };
      try {
        const r = await call("POST", `${WS}/parts/${partId}/revisions`, { document, expectedRevision: last });
        if (r.status === 201) {
          last = (r.body.revision as { revisionNo: number }).revisionNo;
          acked.push({ revisionNo: last, labels });
          return;
        }
        const error = r.body.error as { code: string; message: string };
        told.push(
          `${r.status} ${error.code}${r.headers.get("retry-after") ? ` (retry after ${r.headers.get("retry-after")} s)` : ""}`,
        );
        if (error.code === "CONFLICT") {
          // the save cut off by the crash landed: take it as the one to follow
          const now = (await call("GET", `${WS}/parts/${partId}/revisions`)).body as {
            revision: { revisionNo: number };
          };
          last = now.revision.revisionNo;
        }
      } catch (e) {
        told.push(`no answer (${(e as Error).name})`); // the connection dropped or was refused: not acknowledged
      }
    };
  }, 300_000);
  afterAll(() => platform?.stop());

  /** What the database holds: every acknowledged save, as sent, numbers strictly increasing. */
  async function expectEveryAcknowledgedSave() {
    const pool = await databaseOf(platform, "crash-test");
    try {
      const rows = (
        await pool.query<{ revision_no: number; labels: (string | null)[] }>(
          "select revision_no, document->'labels' as labels from annotation_revisions where part_id = $1 order by revision_no",
          [partId],
        )
      ).rows;
      const stored = new Map(rows.map((r) => [r.revision_no, r.labels]));
      for (const a of acked) expect(stored.get(a.revisionNo), `revision ${a.revisionNo}`).toEqual(a.labels);
      const numbers = acked.map((a) => a.revisionNo);
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
      expect(new Set(numbers).size).toBe(numbers.length);
      // every save that was not acknowledged was told so: no answer, or a clear error
      for (const t of told) expect(t).toMatch(/^(no answer|\d{3} [A-Z_]+)/);
      return rows.length;
    } finally {
      await pool.end();
    }
  }

  it("the web process killed (SIGKILL) mid-burst: restarted, every acknowledged save kept, saving resumes", async () => {
    const pids = JSON.parse(await readFile(path.join(platform.dataDir, "facet.pid"), "utf8")) as { children: number[] };
    const web = pids.children[1] as number;
    for (let i = 0; i < 10; i++) await save(i);
    // in flight when it dies: a burst of saves, the kill in the middle
    const burst = Promise.all(Array.from({ length: 5 }, (_, k) => save(10 + k)));
    process.kill(web, "SIGKILL");
    await burst;
    await waitUntil("the web process to be gone", () => !isProcessAlive(web), 10_000);
    await waitUntil("the web process to be back", healthy, 120_000, platform.run);
    const before = acked.length;
    for (let i = 20; i < 30; i++) await save(i);
    expect(acked.length - before).toBe(10);
    expect(platform.run.output()).toMatch(/\[web\] stopped \(SIGKILL\); restarting/);
    const stored = await expectEveryAcknowledgedSave();
    console.log(
      `web killed during saves: ${acked.length} acknowledged and kept, told: ${told.join(", ") || "none"}; ${stored} revisions stored`,
    );
  }, 300_000);

  it("PostgreSQL killed (SIGKILL) under saves: the launcher restarts it, requests meanwhile wait for it or get 503 or no answer, the web app and worker carry on", async () => {
    const pids = JSON.parse(await readFile(path.join(platform.dataDir, "facet.pid"), "utf8")) as { children: number[] };
    const postmaster = Number(
      (await readFile(path.join(platform.dataDir, "pg", "postmaster.pid"), "utf8")).split("\n")[0],
    );
    const toldBefore = told.length;
    const before = acked.length;
    // saving all along: before, during and after the database's restart
    let saving = true;
    let i = 100;
    const annotator = (async () => {
      while (saving) {
        await save(i++);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    await new Promise((r) => setTimeout(r, 500));
    process.kill(postmaster, "SIGKILL");
    await waitUntil(
      "PostgreSQL to be restarted",
      () => platform.run.output().includes("[postgres] restarted"),
      120_000,
      platform.run,
    );
    await waitUntil("the platform to be healthy", healthy, 60_000, platform.run);
    const afterRestart = acked.length;
    await waitUntil("saves to be acknowledged again", () => acked.length >= afterRestart + 5, 60_000, platform.run);
    saving = false;
    await annotator;
    expect(platform.run.output()).toMatch(/\[postgres\] stopped \(SIGKILL\); restarting/);
    // the web app and worker were not restarted: they reconnected
    const now = JSON.parse(await readFile(path.join(platform.dataDir, "facet.pid"), "utf8")) as { children: number[] };
    expect(now.children).toEqual(pids.children);
    expect(acked.length).toBeGreaterThan(before + 5);
    const during = told.slice(toldBefore);
    for (const t of during) expect(t).toMatch(/^(no answer|503 UNAVAILABLE \(retry after \d+ s\)|409 CONFLICT)/);
    const stored = await expectEveryAcknowledgedSave();
    console.log(
      `PostgreSQL killed during saves: ${acked.length - before} acknowledged and kept, told while it restarted: ${during.join(", ") || "nothing"}; ${stored} revisions stored`,
    );
  }, 300_000);
});
