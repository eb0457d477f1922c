import { createLogger, type Logger } from "@facet/core";
import type { Job, WorkerEvents } from "graphile-worker";

export type { Logger } from "@facet/core";

/** JSON lines on this process's stdout (what the launcher shows, pretty or raw). */
export function stdoutLogger(processName: string): Logger {
  return createLogger({ process: processName, write: (line) => process.stdout.write(`${line}\n`) });
}

/** What identifies a job in a log line: graphile-worker's id and task, and the `public.jobs` row it runs. */
function jobFields(job: Job): Record<string, unknown> {
  const payload = job.payload as { jobId?: unknown } | null;
  return {
    job_id: job.id,
    kind: job.task_identifier,
    attempt: job.attempts,
    max_attempts: job.max_attempts,
    ...(typeof payload?.jobId === "string" ? { facet_job_id: payload.jobId } : {}),
  };
}

/** One line when a job starts, and one when it ends (with its duration) or fails (with the error and whether it is retried). */
export function logJobEvents(events: WorkerEvents, log: Logger): void {
  const started = new Map<string, number>();
  const took = (job: Job) => {
    const t = started.get(job.id);
    started.delete(job.id);
    return t === undefined ? undefined : Math.round((performance.now() - t) * 1000) / 1000;
  };
  events.on("job:start", ({ job }) => {
    started.set(job.id, performance.now());
    log.info("job started", jobFields(job));
  });
  events.on("job:success", ({ job }) => {
    log.info("job finished", { ...jobFields(job), duration_ms: took(job) });
  });
  events.on("job:error", ({ job, error }) => {
    const willRetry = job.attempts < job.max_attempts;
    (willRetry ? log.warn : log.error)("job failed", {
      ...jobFields(job),
      duration_ms: took(job),
      will_retry: willRetry,
      error,
    });
  });
}
