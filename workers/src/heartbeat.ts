import os from "node:os";
import { HEARTBEAT_STALE_SECONDS, type Pool, withService } from "@facet/db";
import { isProcessAlive } from "@facet/db/process";

export const HEARTBEAT_INTERVAL_MS = 5_000;

export async function beat(pool: Pool, workerIds: string[], runner: string, version: string): Promise<void> {
  await withService(pool, async (c) => {
    for (const id of workerIds) {
      await c.query(
        `insert into private.worker_heartbeats (worker_id, hostname, pid, runner, version)
         values ($1, $2, $3, $4, $5)
         on conflict (worker_id) do update set last_seen_at = now(), pid = excluded.pid`,
        [id, os.hostname(), process.pid, runner, version],
      );
    }
  });
}

export async function forget(pool: Pool, workerIds: string[]): Promise<void> {
  if (workerIds.length === 0) return;
  await withService(pool, (c) =>
    c.query("delete from private.worker_heartbeats where worker_id = any ($1)", [workerIds]),
  );
}

/**
 * Workers that died without cleaning up (killed process, crashed machine): on this host, those
 * whose process is gone; elsewhere, those not seen for a long while. Their locked jobs can be
 * unlocked at once instead of waiting for graphile-worker's 4-hour expiry.
 */
export async function deadWorkers(pool: Pool): Promise<string[]> {
  const { rows } = await withService(pool, (c) =>
    c.query<{ worker_id: string; hostname: string; pid: number; stale: boolean }>(
      `select worker_id, hostname, pid, last_seen_at < now() - make_interval(secs => $1) as stale
       from private.worker_heartbeats`,
      [HEARTBEAT_STALE_SECONDS * 10],
    ),
  );
  const host = os.hostname();
  return rows
    .filter((r) => (r.hostname === host ? !isProcessAlive(r.pid) || r.pid === process.pid : r.stale))
    .map((r) => r.worker_id);
}
