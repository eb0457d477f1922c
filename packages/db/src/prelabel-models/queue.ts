import type { PoolClient } from "../pool";

/**
 * Work a dataset's labelling queue out again from scratch (as the service: the worker after a
 * training): under 'most_novel' and 'rare_classes' the clusters and class shares are recomputed from
 * the approved parts and every waiting part placed anew (set-based SQL, private.refresh_queue_priorities);
 * under the other orders the priorities follow the pre-labels' confidence as always. Switching the
 * order and approvals do this in the database already. Returns how many parts moved.
 */
export async function refreshQueuePriorities(c: PoolClient, datasetId: string): Promise<number> {
  const { rows } = await c.query<{ moved: number }>("select private.refresh_queue_priorities($1) as moved", [
    datasetId,
  ]);
  return rows[0]?.moved ?? 0;
}
