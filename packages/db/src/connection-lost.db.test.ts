/**
 * The database connection lost in the middle of a request (PostgreSQL restarted or crashed): every
 * way node-postgres reports it becomes UNAVAILABLE (503 + Retry-After for the caller, who tries
 * again), never an unexpected error (a 500 telling the caller nothing). Found by the load suite
 * killing PostgreSQL under 50 annotators: a client whose connection broke between two statements
 * of a transaction answers "Client has encountered a connection error and is not queryable".
 */
import { isAppError } from "@facet/core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createPool } from "./pool";
import { readAsUser, withService } from "./session";
import { createTestDatabase, type TestDatabase } from "./testing";

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

describe("the connection lost mid-request", () => {
  it("between two statements of a transaction: UNAVAILABLE, and the broken client is not reused", async () => {
    const pool = createPool(db.url, { max: 1 });
    try {
      const code = await codeOf(() =>
        withService(pool, async (c) => {
          const { rows } = await c.query<{ pid: number }>("select pg_backend_pid() as pid");
          await terminate((rows[0] as { pid: number }).pid);
          await sleep(200); // the client sees its socket close while it holds no query
          await c.query("select 1");
        }),
      );
      expect(code).toBe("UNAVAILABLE");
      // the next request gets a working connection
      expect(await withService(pool, async (c) => (await c.query("select 1 as one")).rows[0])).toEqual({ one: 1 });
    } finally {
      await pool.end();
    }
  });

  it("during a statement: UNAVAILABLE", async () => {
    const pool = createPool(db.url, { max: 1 });
    try {
      const code = await codeOf(() =>
        withService(pool, async (c) => {
          const { rows } = await c.query<{ pid: number }>("select pg_backend_pid() as pid");
          const pid = (rows[0] as { pid: number }).pid;
          await Promise.all([c.query("select pg_sleep(5)"), sleep(200).then(() => terminate(pid))]);
        }),
      );
      expect(code).toBe("UNAVAILABLE");
    } finally {
      await pool.end();
    }
  });

  it("an idle pooled connection that died meanwhile: the lookup after it works or says UNAVAILABLE", async () => {
    const pool = createPool(db.url, { max: 1 });
    try {
      const pid = await withService(pool, async (c) => (await c.query("select pg_backend_pid() as pid")).rows[0].pid);
      await terminate(pid);
      const code = await codeOf(() =>
        readAsUser(pool, { sub: "00000000-0000-0000-0000-000000000000", role: "authenticated" }, () => "select 1"),
      );
      expect(["no error", "UNAVAILABLE"]).toContain(code);
    } finally {
      await pool.end();
    }
  });
});
