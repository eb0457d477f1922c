import os from "node:os";
import { forgetHeartbeats, HEARTBEAT_STALE_SECONDS, listHeartbeats, type Pool, recordHeartbeats } from "@facet/db";
import { isProcessAlive } from "@facet/db/process";

export const HEARTBEAT_INTERVAL_MS = 5_000;

export async function beat(pool: Pool, workerIds: string[], runner: string, version: string): Promise<void> {
  await recordHeartbeats(pool, workerIds, { hostname: os.hostname(), pid: process.pid, runner, version });
}

export async function forget(pool: Pool, workerIds: string[]): Promise<void> {
  await forgetHeartbeats(pool, workerIds);
}

/**
 * Workers that died without cleaning up (killed process, crashed machine): on this host, those
 * whose process is gone; elsewhere, those not seen for a long while. Their locked jobs can be
 * unlocked at once instead of waiting for graphile-worker's 4-hour expiry.
 */
export async function deadWorkers(pool: Pool): Promise<string[]> {
  const host = os.hostname();
  return (await listHeartbeats(pool, HEARTBEAT_STALE_SECONDS * 10))
    .filter((r) => (r.hostname === host ? !isProcessAlive(r.pid) || r.pid === process.pid : r.stale))
    .map((r) => r.workerId);
}
