import { AppError, JOB_KINDS, type JobKind, type JobPayload, jobPayloadSchemas } from "@facet/core";
import type { PoolClient } from "./pool";

/**
 * The job lifecycle in `public.jobs`: queue (as the user: RLS decides who may), take and mark
 * running, record progress, finish, fail, put back for a retry (as the service, from a worker).
 * Which runner executes a job (graphile-worker or Trigger.dev) is not decided here: a trigger hands
 * each new row to graphile-worker, and `dispatchQueuedJobs` hands them to Trigger.dev.
 */

/** Job statuses after which nothing runs any more. */
const ENDED = ["completed", "failed", "canceled"];

function checkedPayload<K extends JobKind>(kind: K, payload: JobPayload<K>): string {
  const parsed = jobPayloadSchemas[kind].safeParse(payload);
  if (!parsed.success) throw new AppError("VALIDATION_FAILED", `not a ${kind} job payload: ${parsed.error.message}`);
  return JSON.stringify(parsed.data);
}

/** Queue a job for a part of this workspace (as the caller: the jobs policy decides who may). */
export async function enqueueJob<K extends JobKind>(
  client: PoolClient,
  input: { workspaceId: string; partId: string; kind: K; payload: JobPayload<K> },
): Promise<string> {
  const { rows } = await client.query<{ id: string }>(
    `insert into public.jobs (workspace_id, kind, part_id, payload, created_by)
     values ($1, $2, $3, $4, auth.uid()) returning id`,
    [input.workspaceId, input.kind, input.partId, checkedPayload(input.kind, input.payload)],
  );
  return (rows[0] as { id: string }).id;
}

/** A tessellation job with what its handler needs of the part, its content and its dataset. */
export interface TessellationJob {
  id: string;
  status: string;
  attempts: number;
  maxAttempts: number;
  partId: string;
  partName: string;
  sha256: string;
  partStatus: string;
  size: number;
  /** The dataset's label schema (null when it has none). */
  taxonomy: unknown;
  /** The dataset pre-labels its new parts. */
  prelabel: boolean;
  /** Someone asked to pre-label this (processed, unannotated) part again. */
  prelabelAgain: boolean;
}

/** The job with its part and blob, locked for this transaction (service). */
async function lockTessellationJob(c: PoolClient, jobId: string): Promise<TessellationJob | undefined> {
  const { rows } = await c.query<TessellationJob>(
    `select j.id, j.status, j.attempts, j.max_attempts as "maxAttempts", j.part_id as "partId",
            p.name as "partName", p.blob_sha256 as sha256, p.status as "partStatus", b.size, s.taxonomy, d.prelabel,
            coalesce((j.payload ->> 'prelabel')::boolean, false) as "prelabelAgain"
     from public.jobs j join public.parts p on p.id = j.part_id join public.blobs b on b.sha256 = p.blob_sha256
     join public.datasets d on d.id = p.dataset_id left join public.label_schemas s on s.id = d.label_schema_id
     where j.id = $1 and j.kind = $2 for update of j`,
    [jobId, JOB_KINDS.tessellate],
  );
  return rows[0];
}

/**
 * Take a tessellation job: mark it running (one more attempt, by this runner) and its part
 * `processing` when it was just uploaded. Null when the job (or its part) is gone or already ended.
 */
export async function startTessellationJob(
  c: PoolClient,
  jobId: string,
  runner: "graphile-worker" | "trigger.dev",
): Promise<TessellationJob | null> {
  const job = await lockTessellationJob(c, jobId);
  if (!job || ENDED.includes(job.status)) return null;
  await c.query(
    `update public.jobs set status = 'running', attempts = attempts + 1, started_at = coalesce(started_at, now()),
       runner = $2, progress = 0.05, progress_message = 'reading the file', error = null
     where id = $1`,
    [jobId, runner],
  );
  if (job.partStatus === "uploaded") {
    await c.query("update public.parts set status = 'processing' where id = $1", [job.partId]);
  }
  return { ...job, attempts: job.attempts + 1 };
}

/** How far a running job is (0..1) and what it does now. */
export async function setJobProgress(c: PoolClient, jobId: string, value: number, message: string): Promise<void> {
  await c.query("update public.jobs set progress = $2, progress_message = $3 where id = $1", [jobId, value, message]);
}

/** The job ended with this result (merged into `jobs.result`). */
export async function completeJob(c: PoolClient, jobId: string, result: Record<string, unknown>): Promise<void> {
  await c.query(
    `update public.jobs set status = 'completed', progress = 1, progress_message = null, finished_at = now(),
       result = $2::jsonb where id = $1`,
    [jobId, JSON.stringify(result)],
  );
}

/** The job failed for good, and its part with it (when the part was being processed). */
export async function failJobAndPart(
  c: PoolClient,
  job: { id: string; partId: string },
  reason: string,
): Promise<void> {
  await c.query(
    "update public.parts set status = 'failed', failure_reason = $2 where id = $1 and status = 'processing'",
    [job.partId, reason],
  );
  await c.query(
    "update public.jobs set status = 'failed', error = $2, finished_at = now(), progress = 1 where id = $1",
    [job.id, reason],
  );
}

/** The attempt failed; the runner tries again later (the error stays visible meanwhile). */
export async function requeueJob(c: PoolClient, jobId: string, error: string): Promise<void> {
  await c.query("update public.jobs set status = 'queued', error = $2 where id = $1", [jobId, error]);
}

/**
 * The job system gave up on a job outside its handler (e.g. the run's machine ran out of memory on
 * every attempt): the job and its part fail with that reason, unless the job ended already.
 */
export async function failUnfinishedJob(c: PoolClient, jobId: string, reason: string): Promise<void> {
  const job = await lockTessellationJob(c, jobId);
  if (!job || ENDED.includes(job.status)) return;
  await failJobAndPart(c, job, reason);
}

/** Return parts whose claim lease has expired to the queue they came from (service). */
export async function releaseExpiredClaims(c: PoolClient): Promise<number> {
  const { rows } = await c.query<{ n: number }>("select public.release_expired_claims() as n");
  return rows[0]?.n ?? 0;
}
