import { JOB_KINDS, type JobKind, TRIGGER_TASK_FOR_KIND } from "@facet/core";
import type { Pool } from "./pool";
import { withService } from "./session";

/** A queued job handed to the job service: the task that runs its kind, and the job's id. */
export interface JobHandOver {
  taskId: string;
  jobId: string;
}

/**
 * Hands jobs to the job service (Trigger.dev: `triggerJobs` of `@facet/jobs/trigger`); resolves when
 * it accepted them, each keyed by the job's id.
 */
export type HandOverJobs = (jobs: JobHandOver[]) => Promise<void>;

/**
 * Deployed mode: hand queued, not yet dispatched jobs to Trigger.dev. Rows are marked in the same
 * transaction that selects them (`for update skip locked`, so two dispatchers never take the same
 * job); if the hand-over fails the transaction rolls back and the jobs wait for the next pass.
 * Jobs of a kind no task runs are left alone. Returns how many were dispatched.
 */
export async function dispatchQueuedJobs(pool: Pool, handOver: HandOverJobs, batch = 200): Promise<number> {
  const kinds: JobKind[] = Object.values(JOB_KINDS);
  return withService(pool, async (c) => {
    const { rows } = await c.query<{ id: string; kind: JobKind }>(
      `update public.jobs set dispatched_at = now()
       where id in (
         select id from public.jobs
         where status = 'queued' and dispatched_at is null and kind = any($1)
         order by created_at limit $2 for update skip locked)
       returning id, kind`,
      [kinds, batch],
    );
    if (rows.length === 0) return 0;
    await handOver(rows.map((j) => ({ taskId: TRIGGER_TASK_FOR_KIND[j.kind], jobId: j.id })));
    return rows.length;
  });
}
