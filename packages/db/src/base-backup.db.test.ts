/**
 * An online base backup of a real embedded PostgreSQL while it takes writes and checkpoints, put
 * back into an empty folder and started: everything committed before the backup began is there,
 * and the server is out of recovery.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { baseBackup, restoreBaseBackup, walSegmentRange } from "./base-backup";
import { type RunningPostgres, startEmbeddedPostgres } from "./embedded";
import { freePort } from "./testing/paths";

const PASSWORD = "backup test";
let dir: string;
const servers: RunningPostgres[] = [];

async function server(dataDir: string): Promise<RunningPostgres> {
  const s = await startEmbeddedPostgres({
    dataDir,
    port: await freePort(),
    password: PASSWORD,
    database: "facet",
    logFile: `${dataDir}.log`,
  });
  servers.push(s);
  return s;
}

afterAll(async () => {
  for (const s of servers) await s.stop().catch(() => {});
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("base backup", () => {
  it("names the WAL segments between two, across a log id", () => {
    const seg = 16 * 1024 * 1024;
    expect(walSegmentRange("0000000100000000000000FE", "000000010000000100000001", seg)).toEqual([
      "0000000100000000000000FE",
      "0000000100000000000000FF",
      "000000010000000100000000",
      "000000010000000100000001",
    ]);
    expect(() => walSegmentRange("000000010000000000000001", "000000020000000000000002", seg)).toThrow(/timeline/);
  });

  it("copies a server that keeps writing and checkpointing; the copy starts and holds every row committed before", async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "facet-base-backup-"));
    const a = await server(path.join(dir, "a"));
    const db = new pg.Client({ connectionString: a.url() });
    await db.connect();
    await db.query("create table t (id bigserial primary key, v text not null)");
    await db.query("insert into t (v) select repeat('x', 200) from generate_series(1, 20000)");

    // a writer committing one row at a time, and checkpoints with WAL switches, all through the backup
    let writing = true;
    const writer = (async () => {
      const w = new pg.Client({ connectionString: a.url() });
      await w.connect();
      while (writing) await w.query("insert into t (v) values (repeat('y', 200))");
      await w.end();
    })();
    const churn = (async () => {
      const c = new pg.Client({ connectionString: a.url() });
      await c.connect();
      while (writing) {
        await c.query("select pg_switch_wal()");
        await c.query("checkpoint");
      }
      await c.end();
    })();
    await new Promise((r) => setTimeout(r, 300));
    const before = Number((await db.query<{ m: string }>("select max(id) as m from t")).rows[0]?.m);

    const out = path.join(dir, "backup");
    let afterStopRan = false;
    const result = await baseBackup({
      url: a.url("postgres"),
      dataDir: path.join(dir, "a"),
      out,
      label: "test backup",
      afterStop: async () => {
        afterStopRan = true;
      },
    });
    writing = false;
    await Promise.all([writer, churn]);
    await db.end();
    expect(afterStopRan).toBe(true);
    expect(result.walSegments.length).toBeGreaterThan(0);
    expect(await readFile(path.join(out, "backup_label"), "utf8")).toContain("LABEL: test backup");
    expect(await readdir(path.join(out, "pg_wal"))).toEqual(
      expect.arrayContaining([...result.walSegments, "archive_status"]),
    );
    await expect(readFile(path.join(out, "postmaster.pid"))).rejects.toThrow();
    // the backup's session has ended: no slot left behind
    const check = new pg.Client({ connectionString: a.url() });
    await check.connect();
    expect((await check.query("select count(*)::int as n from pg_replication_slots")).rows[0]?.n).toBe(0);
    await check.end();

    // a backup never writes into a folder that holds something
    await expect(
      baseBackup({ url: a.url("postgres"), dataDir: path.join(dir, "a"), out, label: "again" }),
    ).rejects.toThrow(/not empty/);
    await a.stop();

    const restoredDir = path.join(dir, "b");
    await restoreBaseBackup(out, restoredDir);
    const b = await server(restoredDir);
    const r = new pg.Client({ connectionString: b.url() });
    await r.connect();
    expect((await r.query("select pg_is_in_recovery() as rec")).rows[0]?.rec).toBe(false);
    const kept = await r.query<{ n: number; first: string; last: string }>(
      "select count(*)::int as n, min(id)::text as first, max(id)::text as last from t where id <= $1",
      [before],
    );
    expect(kept.rows[0]).toEqual({ n: before, first: "1", last: String(before) });
    await r.query("insert into t (v) values ('after the restore')"); // writable
    await r.end();

    // restoring needs an empty folder, and a base backup
    await expect(restoreBaseBackup(out, restoredDir)).rejects.toThrow(/not empty/);
    await expect(restoreBaseBackup(dir, path.join(dir, "c"))).rejects.toThrow(/no backup_label/);
  }, 180_000);
});
