/**
 * The database connection lost in the middle of a request (PostgreSQL restarted or crashed): every
 * way node-postgres reports it becomes UNAVAILABLE (503 + Retry-After for the caller, who tries
 * again), never an unexpected error (a 500 telling the caller nothing). Found by the load suite
 * killing PostgreSQL under 50 annotators: a client whose connection broke between two statements
 * of a transaction answers "Client has encountered a connection error and is not queryable".
 */
import net from "node:net";
import { isAppError } from "@facet/core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { healthChecks } from "./health";
import { createPool, type Pool, type PoolClient } from "./pool";
import { readAsUser, withService } from "./session";
import { createTestDatabase, freePort, type TestDatabase } from "./testing";

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase(inject("pgBaseUrl"));
});
afterAll(() => db.drop());

/** The code of what `work` threw, as the API would answer it. */
async function codeOf(work: () => Promise<unknown>): Promise<string> {
  try {
    await work();
    return "no error";
  } catch (e) {
    return isAppError(e) ? e.code : `not an AppError: ${(e as Error).message}`;
  }
}

const terminate = (pid: number) => db.owner.query("select pg_terminate_backend($1)", [pid]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The test database's URL through `port` on 127.0.0.1 (a proxy there, or nothing listening). */
const through = (port: number) => {
  const u = new URL(db.url);
  u.hostname = "127.0.0.1";
  u.port = String(port);
  return u.toString();
};
const backendPid = async (c: PoolClient) =>
  (await c.query<{ pid: number }>("select pg_backend_pid() as pid")).rows[0]?.pid as number;

/** `fn` with a pool of one connection to the test database, ended afterwards. */
async function withOneConnection(fn: (pool: Pool) => Promise<void>): Promise<void> {
  const pool = createPool(db.url, { max: 1 });
  try {
    await fn(pool);
  } finally {
    await pool.end();
  }
}

describe("the connection lost mid-request", () => {
  it("between two statements of a transaction: UNAVAILABLE, and the broken client is not reused", () =>
    withOneConnection(async (pool) => {
      const code = await codeOf(() =>
        withService(pool, async (c) => {
          await terminate(await backendPid(c));
          await sleep(200); // the client sees its socket close while it holds no query
          await c.query("select 1");
        }),
      );
      expect(code).toBe("UNAVAILABLE");
      // the next request gets a working connection
      expect(await withService(pool, async (c) => (await c.query("select 1 as one")).rows[0])).toEqual({ one: 1 });
    }));

  it("during a statement: UNAVAILABLE", () =>
    withOneConnection(async (pool) => {
      const code = await codeOf(() =>
        withService(pool, async (c) => {
          const pid = await backendPid(c);
          await Promise.all([c.query("select pg_sleep(5)"), sleep(200).then(() => terminate(pid))]);
        }),
      );
      expect(code).toBe("UNAVAILABLE");
    }));

  it("an idle pooled connection that died meanwhile: the lookup after it works or says UNAVAILABLE", () =>
    withOneConnection(async (pool) => {
      await terminate(await withService(pool, backendPid));
      const code = await codeOf(() =>
        readAsUser(pool, { sub: "00000000-0000-0000-0000-000000000000", role: "authenticated" }, () => "select 1"),
      );
      expect(["no error", "UNAVAILABLE"]).toContain(code);
    }));
});

/** A TCP proxy to the test database on `port`, started when asked: until then the port refuses connections. */
function laterProxy(port: number) {
  const target = new URL(db.url);
  const server = net.createServer((socket) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    socket.pipe(upstream).pipe(socket);
    socket.on("error", () => upstream.destroy());
    upstream.on("error", () => socket.destroy());
  });
  return {
    start: () => new Promise<void>((r) => server.listen(port, "127.0.0.1", () => r())),
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe("waiting for the database (the worker's pool, and the web app's for a second or two)", () => {
  it("a connection asked for while the database is down is made once it is back", async () => {
    const port = await freePort();
    const proxy = laterProxy(port);
    const pool = createPool(through(port), { max: 2, waitForDatabaseMs: 20_000 });
    try {
      const asked = withService(pool, async (c) => (await c.query("select 1 as one")).rows[0]);
      await sleep(700);
      await proxy.start();
      expect(await asked).toEqual({ one: 1 });
    } finally {
      await pool.end();
      await proxy.stop();
    }
  });

  it("a statement run on the pool itself (pool.query: the session check, the rate limits) waits the same way", async () => {
    const port = await freePort();
    const proxy = laterProxy(port);
    const pool = createPool(through(port), { max: 2, waitForDatabaseMs: 20_000 });
    try {
      const asked = pool.query<{ one: number }>("select 1 as one");
      const named = pool.query<{ two: number }>({ name: "facet_test_two", text: "select 2 as two" });
      await sleep(700);
      await proxy.start();
      expect((await asked).rows).toEqual([{ one: 1 }]);
      expect((await named).rows).toEqual([{ two: 2 }]);
      // and both connections went back to the pool (it holds two at most: a third statement would wait forever)
      expect((await pool.query("select 3 as three")).rows).toEqual([{ three: 3 }]);
      expect(pool.idleCount).toBe(pool.totalCount);
    } finally {
      await pool.end();
      await proxy.stop();
    }
  });

  it("waits as long as it was told, then says UNAVAILABLE; without a wait, says it straight away", async () => {
    const port = await freePort();
    const patient = createPool(through(port), { max: 1, waitForDatabaseMs: 600 });
    const impatient = createPool(through(port), { max: 1 });
    try {
      const started = performance.now();
      expect(await codeOf(() => withService(patient, (c) => c.query("select 1")))).toBe("UNAVAILABLE");
      expect(performance.now() - started).toBeGreaterThanOrEqual(500);
      expect(await codeOf(() => withService(impatient, (c) => c.query("select 1")))).toBe("UNAVAILABLE");
      // pool.query too: a connection error (node-postgres' own), after the wait
      const queried = performance.now();
      await expect(patient.query("select 1")).rejects.toThrow();
      expect(performance.now() - queried).toBeGreaterThanOrEqual(500);
    } finally {
      await patient.end();
      await impatient.end();
    }
  });
});

describe("health (GET /api/health) while the database is down", () => {
  // A monitor asks in order to learn the database is down: from the web app's pool, which waits for
  // a restarting database (FACET_DB_WAIT_MS), health waited as long before saying so, and then asked
  // the worker's heartbeats and the last verify run, each waiting again.
  it("says the database is down at once, from a pool that would wait a minute for it, and asks nothing else", async () => {
    const port = await freePort();
    const pool = createPool(through(port), { max: 2, waitForDatabaseMs: 60_000 });
    try {
      const answer = await Promise.race([healthChecks(pool), sleep(15_000).then(() => "still waiting")]);
      expect(answer).toMatchObject({
        database: { ok: false },
        worker: { ok: false, detail: "unknown: the database is down" },
        verify: { status: "unknown", lastRun: null },
      });
    } finally {
      await pool.end();
    }
  });

  it("with the database up: every check's own answer", async () => {
    const pool = createPool(db.url, { max: 2, waitForDatabaseMs: 60_000 });
    try {
      const answer = await healthChecks(pool);
      expect(answer.database.ok).toBe(true);
      expect(answer.database.detail).toMatch(/^PostgreSQL \d+/);
      expect(answer.worker).toEqual({ ok: false, detail: "no worker has ever reported" });
      expect(answer.verify).toEqual({ status: "never", lastRun: null });
    } finally {
      await pool.end();
    }
  });
});
