import { tasks } from "@trigger.dev/sdk";
import type { TriggerJobs } from "../dispatch";

/**
 * Hands jobs to Trigger.dev (needs TRIGGER_SECRET_KEY in the caller's environment). The job's id is
 * the idempotency key: a job handed over twice runs once.
 */
export const triggerJobs: TriggerJobs = async (jobs) => {
  const byTask = new Map<string, string[]>();
  for (const j of jobs) byTask.set(j.taskId, [...(byTask.get(j.taskId) ?? []), j.jobId]);
  for (const [taskId, ids] of byTask) {
    for (let i = 0; i < ids.length; i += 500) {
      await tasks.batchTrigger(
        taskId,
        ids.slice(i, i + 500).map((jobId) => ({ payload: { jobId }, options: { idempotencyKey: `job-${jobId}` } })),
      );
    }
  }
};
