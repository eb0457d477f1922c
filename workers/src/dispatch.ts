import { type Pool, withService } from "@facet/db";

/** The Trigger.dev task that runs each kind of job (the same handlers graphile-worker runs). */
export const TASK_FOR_KIND: Record<string, string> = {
  "geometry:tessellate": "geometry-tessellate",
};

export interface QueuedJob {
  id: string;
  kind: string;
}

/** Hands jobs to the job service; resolves when it accepted them (each keyed by the job's id). */
export type TriggerJobs = (jobs: Array<{ taskId: string; jobId: string }>) => Promise<void>;

/**
 * Deployed mode: hand queued, not yet dispatched jobs to Trigger.dev. Rows are marked in the same
 * transaction that selects them (`for update skip locked`, so two dispatchers never take the same
 * job); if the hand-over fails the transaction rolls back and the jobs wait for the next pass.
 * Jobs of a kind no task runs are left alone. Returns how many were dispatched.
 */
export async function dispatchQueuedJobs(pool: Pool, trigger: TriggerJobs, batch = 200): Promise<number> {
  const kinds = Object.keys(TASK_FOR_KIND);
  return withService(pool, async (c) => {
    const { rows } = await c.query<QueuedJob>(
      `update public.jobs set dispatched_at = now()
       where id in (
         select id from public.jobs
         where status = 'queued' and dispatched_at is null and kind = any($1)
         order by created_at limit $2 for update skip locked)
       returning id, kind`,
      [kinds, batch],
    );
    if (rows.length === 0) return 0;
    await trigger(rows.map((j) => ({ taskId: TASK_FOR_KIND[j.kind] as string, jobId: j.id })));
    return rows.length;
  });
}
