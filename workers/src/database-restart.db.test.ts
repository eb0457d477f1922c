/**
 * Issue 21, faults: PostgreSQL restarting while the worker runs a job. The worker's connections wait
 * for the database (a minute at most), so a job ending meanwhile records its end once it is back;
 * a worker that cannot record it says so, rather than leave a rejection unhandled (which killed the
 * process) or the job locked for four hours unnoticed: it stops, handing the job back to the queue.
 * The database is reached through a proxy that the test cuts: every connection dropped and new ones
 * refused, as in a restart.
 */
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createLogger } from "@facet/core";
import { createTestDatabase, createWorkspaceWithRoles, freePort, type TestDatabase } from "@facet/db/testing";
import { FsBlobStore } from "@facet/storage";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type LocalWorker, type LocalWorkerOptions, startLocalWorker } from "./local-runner";
import { until as untilEvery, uploadedMfcadPart } from "./tasks/testing";

/** Asked every 10 ms: a job is seen running before it ends. */
const until = <T>(what: string, probe: () => Promise<T | null | undefined>, ms = 120_000) =>
  untilEvery(what, probe, { ms, everyMs: 10 });

let db: TestDatabase;
let root: string;
let store: FsBlobStore;
let w: Awaited<ReturnType<typeof createWorkspaceWithRoles>>;
let proxy: Awaited<ReturnType<typeof databaseProxy>>;

/** A TCP proxy to the test database: `cut(ms)` drops every connection and refuses new ones for `ms` (`down()` … `up()`). */
async function databaseProxy() {
  const target = new URL(db.url);
  const port = await freePort();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const s of [socket, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {});
    }
    socket.pipe(upstream).pipe(socket);
    socket.on("close", () => upstream.destroy());
    upstream.on("close", () => socket.destroy());
  });
  const listen = () => new Promise<void>((r) => server.listen(port, "127.0.0.1", () => r()));
  await listen();
  const url = new URL(db.url);
  url.hostname = "127.0.0.1";
  url.port = String(port);
  return {
    url: url.toString(),
    /** Every connection dropped, new ones refused, until `up()`. */
    async down() {
      const closed = new Promise<void>((r) => server.close(() => r()));
      for (const s of sockets) s.destroy();
      await closed;
    },
    up: listen,
    async cut(ms: number) {
      await this.down();
      await new Promise((r) => setTimeout(r, ms));
      await listen();
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const worker = (more: Partial<LocalWorkerOptions>): Promise<LocalWorker> =>
  startLocalWorker({
    databaseUrl: proxy.url,
    concurrency: 1,
    poolSize: 4,
    store,
    geometry: { timeoutMs: 120_000, memoryBytes: 2.5 * 1024 ** 3 },
    prelabelers: [],
    logger: createLogger({ process: "worker", write: process.env.DEBUG_WORKER ? (l) => console.error(l) : () => {} }),
    ...more,
  });

const jobOf = async (id: string) =>
  (
    await db.owner.query<{ status: string; error: string | null; attempts: number }>(
      "select status::text, error, attempts from jobs where id = $1",
      [id],
    )
  ).rows[0];
/** Jobs graphile-worker holds locked (run by a worker now, or left by one that could not finish). */
const locked = async () =>
  (
    await db.owner.query<{ n: number }>(
      "select count(*)::int as n from graphile_worker.jobs where locked_at is not null",
    )
  ).rows[0]?.n;

const upload = (name: string) => uploadedMfcadPart(db.owner, store, w, name);

beforeAll(async () => {
  db = await createTestDatabase(inject("pgBaseUrl"));
  root = await mkdtemp(path.join(os.tmpdir(), "facet-db-restart-"));
  store = new FsBlobStore({ root, baseUrl: "http://localhost:3999", secret: "s".repeat(40) });
  w = await createWorkspaceWithRoles(db.owner, "db-restart");
  proxy = await databaseProxy();
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  await db.drop();
  await rm(root, { recursive: true, force: true });
});

describe("the database restarting under a running job", () => {
  it("the job waits for it and ends once it is back: completed, the part processed, nothing left locked", async () => {
    const fatal: string[] = [];
    const running = await worker({ onFatalError: (why) => fatal.push(why) });
    try {
      const { jobId, partId } = await upload("0-1-2-3-19");
      await until("the job to start", async () => (await jobOf(jobId))?.status === "running");
      await proxy.cut(1500);
      await until("the job to end", async () => ["completed", "failed"].includes((await jobOf(jobId))?.status ?? ""));
      expect(await jobOf(jobId)).toMatchObject({ status: "completed", error: null });
      const part = await db.owner.query<{ status: string }>("select status::text from parts where id = $1", [partId]);
      expect(part.rows[0]?.status).toBe("unannotated");
      await until("no job locked", async () => (await locked()) === 0);
      expect(fatal).toEqual([]);
    } finally {
      await running.stop();
    }
  }, 180_000);

  it("a job whose end cannot be recorded: the worker says so (no rejection left unhandled), hands the job back when it stops, and the next worker runs it", async () => {
    const fatal: string[] = [];
    // a worker that does not wait for the database: recording the job's end meets a refused connection
    const first = await worker({ databaseWaitMs: 0, onFatalError: (why) => fatal.push(why) });
    const { jobId, partId } = await upload("0-0-4-11-13-23");
    try {
      await until("the job to start", async () => (await jobOf(jobId))?.status === "running");
      // down until the job has ended and the worker has tried to record it
      await proxy.down();
      try {
        await until("the worker to say it cannot go on", async () => fatal.length > 0, 120_000);
      } finally {
        await proxy.up();
      }
      expect(fatal[0]).toMatch(/could not (failJob|completeJob|record the end)/);
      // the job is left locked by the worker that gave up
      expect(await locked()).toBeGreaterThan(0);
    } finally {
      await first.stop();
    }
    // stopped (in the product its supervisor then starts a new one; a killed one's jobs are unlocked by
    // the next, worker-crash.platform.test.ts), it gave the job back: the next worker runs it
    const next = await worker({});
    try {
      await until("the job to be completed", async () => (await jobOf(jobId))?.status === "completed");
      const part = await db.owner.query<{ status: string }>("select status::text from parts where id = $1", [partId]);
      expect(part.rows[0]?.status).toBe("unannotated");
      await until("no job locked", async () => (await locked()) === 0);
    } finally {
      await next.stop();
    }
  }, 180_000);
});
