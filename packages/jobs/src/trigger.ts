import type { JobRun } from "@facet/core";
import { tasks } from "@trigger.dev/sdk";

/**
 * Hands jobs to Trigger.dev (needs TRIGGER_SECRET_KEY in the caller's environment); resolves when it
 * accepted them. The job's id is the idempotency key: a job handed over twice runs once. The payload
 * is a job run (`{ jobId }`): the task reads the row. Which jobs, and which task runs each kind, is
 * decided by the caller (`dispatchQueuedJobs` of `@facet/db`).
 */
export async function triggerJobs(jobs: ReadonlyArray<{ taskId: string; jobId: string }>): Promise<void> {
  const byTask = new Map<string, string[]>();
  for (const j of jobs) byTask.set(j.taskId, [...(byTask.get(j.taskId) ?? []), j.jobId]);
  for (const [taskId, ids] of byTask) {
    for (let i = 0; i < ids.length; i += 500) {
      await tasks.batchTrigger(
        taskId,
        ids.slice(i, i + 500).map((jobId) => ({
          payload: { jobId } satisfies JobRun,
          options: { idempotencyKey: `job-${jobId}` },
        })),
      );
    }
  }
}
