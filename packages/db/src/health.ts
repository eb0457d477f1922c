import { lastVerifyRun, type VerifySummary } from "./ops/verify";
import { connectNow, type Pool, type PoolClient } from "./pool";
import { withService } from "./session";

/** A worker not seen for this long is considered gone (health turns degraded). */
export const HEARTBEAT_STALE_SECONDS = 30;

export interface Check {
  ok: boolean;
  detail: string;
}

/**
 * Whether the database answers, now: without the wait for a restarting database that the web app's
 * requests make (FACET_DB_WAIT_MS), since a monitor asks precisely in order to learn it is down.
 */
export async function databaseHealth(pool: Pool): Promise<Check> {
  let client: PoolClient | undefined;
  let failed: Error | undefined;
  try {
    client = await connectNow(pool);
    const { rows } = await client.query<{ v: string; m: string | null }>(
      "select current_setting('server_version') as v, (select max(version) from supabase_migrations.schema_migrations) as m",
    );
    return { ok: true, detail: `PostgreSQL ${rows[0]?.v}, schema ${rows[0]?.m ?? "not migrated"}` };
  } catch (e) {
    failed = e as Error;
    return { ok: false, detail: failed.message };
  } finally {
    client?.release(failed); // a connection that failed is dropped, not handed to the next request
  }
}

export async function workerHealth(pool: Pool): Promise<Check> {
  try {
    const { rows } = await withService(pool, (c) =>
      c.query<{ alive: number; ago: number | null }>(
        `select count(*) filter (where last_seen_at > now() - make_interval(secs => $1))::int as alive,
                extract(epoch from now() - max(last_seen_at))::float8 as ago
         from private.worker_heartbeats`,
        [HEARTBEAT_STALE_SECONDS],
      ),
    );
    const alive = rows[0]?.alive ?? 0;
    const ago = rows[0]?.ago;
    if (alive > 0) return { ok: true, detail: `${alive} worker(s) alive` };
    return {
      ok: false,
      detail: ago == null ? "no worker has ever reported" : `no worker seen for ${Math.round(ago)} s`,
    };
  } catch (e) {
    return { ok: false, detail: (e as Error).message };
  }
}

export interface WorkerBeat {
  hostname: string;
  pid: number;
  runner: string;
  version: string;
}

/** Workers report they are alive (one row per worker id, `last_seen_at` now). */
export async function recordHeartbeats(pool: Pool, workerIds: string[], beat: WorkerBeat): Promise<void> {
  await withService(pool, async (c) => {
    for (const id of workerIds) {
      await c.query(
        `insert into private.worker_heartbeats (worker_id, hostname, pid, runner, version)
         values ($1, $2, $3, $4, $5)
         on conflict (worker_id) do update set last_seen_at = now(), pid = excluded.pid`,
        [id, beat.hostname, beat.pid, beat.runner, beat.version],
      );
    }
  });
}

/** Forget workers (stopped, or found dead and their jobs unlocked). */
export async function forgetHeartbeats(pool: Pool, workerIds: string[]): Promise<void> {
  if (workerIds.length === 0) return;
  await withService(pool, (c) =>
    c.query("delete from private.worker_heartbeats where worker_id = any ($1)", [workerIds]),
  );
}

/** Every worker that reported, with whether it has been silent for `staleSeconds`. */
export async function listHeartbeats(
  pool: Pool,
  staleSeconds: number,
): Promise<Array<{ workerId: string; hostname: string; pid: number; stale: boolean }>> {
  const { rows } = await withService(pool, (c) =>
    c.query<{ workerId: string; hostname: string; pid: number; stale: boolean }>(
      `select worker_id as "workerId", hostname, pid, last_seen_at < now() - make_interval(secs => $1) as stale
       from private.worker_heartbeats`,
      [staleSeconds],
    ),
  );
  return rows;
}

/**
 * The last storage integrity check (`facet verify`, the weekly verify job): `ok`, `drift`, `never`
 * run, or `unknown` (unreadable). It does not make the installation unhealthy: a load balancer should
 * not stop serving because a file drifted; the operator is told, on the Admin page and here.
 */
export interface VerifyHealth {
  status: "ok" | "drift" | "never" | "unknown";
  lastRun: VerifySummary | null;
}

export async function verifyHealth(pool: Pool): Promise<VerifyHealth> {
  try {
    const lastRun = await lastVerifyRun(pool);
    return { status: !lastRun ? "never" : lastRun.ok ? "ok" : "drift", lastRun };
  } catch {
    return { status: "unknown", lastRun: null };
  }
}

/**
 * The database's, the workers' and the last verify run's health (GET /api/health). The database is
 * asked first, without waiting for it: when it is down, the other two are not asked (each would wait
 * for it, then fail) and are reported as unknown.
 */
export async function healthChecks(pool: Pool): Promise<{ database: Check; worker: Check; verify: VerifyHealth }> {
  const database = await databaseHealth(pool);
  if (!database.ok) {
    return {
      database,
      worker: { ok: false, detail: "unknown: the database is down" },
      verify: { status: "unknown", lastRun: null },
    };
  }
  const [worker, verify] = await Promise.all([workerHealth(pool), verifyHealth(pool)]);
  return { database, worker, verify };
}
