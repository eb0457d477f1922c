import { createLogger, type Logger } from "@facet/core";
import { Logger as GraphileLogger, type Job, type WorkerEvents } from "graphile-worker";

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

/**
 * graphile-worker's own messages (connected, cron, errors) as JSON lines of the same logger. Its
 * "Completed task" / "Failed task" lines are left out: logJobEvents tells those, with the fields.
 */
export function graphileLogger(log: Logger): GraphileLogger {
  return new GraphileLogger((scope) => (level, message, meta) => {
    if (/^(Completed|Failed) task /.test(message)) return;
    const fields = {
      scope: scope.label,
      worker_id: scope.workerId,
      kind: scope.taskIdentifier,
      job_id: scope.jobId,
      ...meta,
    };
    const write = { error: log.error, warning: log.warn, info: log.info, debug: log.debug }[level] ?? log.info;
    write(message, fields);
  });
}
