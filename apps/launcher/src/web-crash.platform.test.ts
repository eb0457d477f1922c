import { readFile } from "node:fs/promises";
import path from "node:path";
import { createPool } from "@facet/db";
import { isProcessAlive } from "@facet/db/process";
import { CORPUS } from "@facet/geometry/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminToken, type Platform, startPlatform, uploadToNewDataset, waitUntil } from "./testing";

/**
 * Issue 21, faults: the web process killed (SIGKILL) while an annotator autosaves. Every save the
 * server acknowledged is in the database afterwards, in order, each exactly as sent; a save that
 * was cut off either landed or did not, and the client learns which (the next save names the
 * revision it follows and is refused with CONFLICT when its predecessor landed unacknowledged);
 * the launcher restarts the web process and saving goes on.
 */

const ADMIN = { email: "websave@example.test", password: "web crash test password" };
const FILE = path.join(CORPUS, "mfcad/0-1-2-3-19.step");

interface Ack {
  revisionNo: number;
  labels: (string | null)[];
}

describe("the web process killed during saves", () => {
  let platform: Platform;
  let key: string;
  const call = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(new URL(p, platform.url), {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(10_000),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    platform = await startPlatform(ADMIN);
    key = await adminToken(platform, ADMIN);
  });
  afterAll(() => platform?.stop());

  it("keeps every acknowledged save, tells the client about the one cut off, and saving resumes after the restart", async () => {
    const ws = "/api/workspaces/test-shop";
    await uploadToNewDataset(platform, key, "saves", { name: "part.step", bytes: await readFile(FILE) });
    let partId = "";
    await waitUntil(
      "the part to be pre-labelled and claimed",
      async () => {
        const claim = await call("POST", `${ws}/queue/claim`, {});
        partId = claim.status === 200 ? (claim.body.part as { id: string }).id : "";
        return partId !== "";
      },
      240_000,
      platform.run,
    );
    const latest = (await call("GET", `${ws}/parts/${partId}/revisions`)).body as {
      revision: {
        revisionNo: number;
        document: { faceSignature: string; faceCount: number; labels: (string | null)[] };
      };
    };
    const { faceSignature, faceCount, labels: prelabel } = latest.revision.document;
    // labels of the dataset's schema: the pre-label's own, moved around face by face
    const keys = [...new Set(prelabel.filter((l): l is string => l !== null))];
    expect(keys.length).toBeGreaterThan(0);
    let last = latest.revision.revisionNo;

    // an annotator autosaving: each save follows the last one it knows of
    const acked: Ack[] = [];
    const told: string[] = [];
    const save = async (i: number) => {
      const labels = prelabel.map((l, f) => (f === i % faceCount ? (keys[i % keys.length] as string) : l));
      const document = { schemaVersion: 1, faceSignature, faceCount, labels, instances: [] };
      try {
        const r = await call("POST", `${ws}/parts/${partId}/revisions`, { document, expectedRevision: last });
        if (r.status === 201) {
          last = (r.body.revision as { revisionNo: number }).revisionNo;
          acked.push({ revisionNo: last, labels });
        } else {
          const error = r.body.error as { code: string; message: string };
          told.push(`${r.status} ${error.code}`);
          if (error.code === "CONFLICT") {
            // the save cut off by the crash landed: take it as the one to follow
            const now = (await call("GET", `${ws}/parts/${partId}/revisions`)).body as {
              revision: { revisionNo: number };
            };
            last = now.revision.revisionNo;
          }
        }
      } catch (e) {
        told.push(`no answer (${(e as Error).name})`); // the connection dropped or was refused: not acknowledged
      }
    };

    const pids = JSON.parse(await readFile(path.join(platform.dataDir, "facet.pid"), "utf8")) as { children: number[] };
    const web = pids.children[1] as number;
    for (let i = 0; i < 10; i++) await save(i);
    // in flight when it dies: a burst of saves, the kill in the middle
    const burst = Promise.all(Array.from({ length: 5 }, (_, k) => save(10 + k)));
    process.kill(web, "SIGKILL");
    await burst;
    await waitUntil("the web process to be gone", () => !isProcessAlive(web), 10_000);
    await waitUntil(
      "the web process to be back",
      async () => {
        try {
          return (await fetch(new URL("/api/health", platform.url))).status === 200;
        } catch {
          return false;
        }
      },
      120_000,
      platform.run,
    );
    for (let i = 20; i < 30; i++) await save(i);
    expect(platform.run.output()).toMatch(/\[web\] stopped \(SIGKILL\); restarting/);

    // what the database holds: every acknowledged save, as sent, numbers strictly increasing
    const { pgPassword } = JSON.parse(await readFile(path.join(platform.dataDir, "secrets.json"), "utf8")) as {
      pgPassword: string;
    };
    const pool = createPool(
      `postgres://postgres:${encodeURIComponent(pgPassword)}@127.0.0.1:${platform.pgPort}/facet`,
      { max: 1, applicationName: "web-crash-test" },
    );
    try {
      const rows = (
        await pool.query<{ revision_no: number; labels: (string | null)[] }>(
          "select revision_no, document->'labels' as labels from annotation_revisions where part_id = $1 order by revision_no",
          [partId],
        )
      ).rows;
      const stored = new Map(rows.map((r) => [r.revision_no, r.labels]));
      expect(acked.length).toBeGreaterThanOrEqual(20); // before the crash and after the restart
      for (const a of acked) expect(stored.get(a.revisionNo), `revision ${a.revisionNo}`).toEqual(a.labels);
      const numbers = acked.map((a) => a.revisionNo);
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
      expect(new Set(numbers).size).toBe(numbers.length);
      // every save that was not acknowledged was told so: no answer, or a clear error
      for (const t of told) expect(t).toMatch(/^(no answer|\d{3} [A-Z_]+)/);
      console.log(
        `web killed during saves: ${acked.length} acknowledged and kept, ${told.length} told (${told.join(", ")}), ${rows.length} revisions stored`,
      );
    } finally {
      await pool.end();
    }
  }, 600_000);
});
