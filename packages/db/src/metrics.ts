import type { HistogramSeries } from "@facet/core";
import { HEARTBEAT_STALE_SECONDS } from "./health";
import type { Pool, PoolClient } from "./pool";

/**
 * The figures `/api/metrics` exposes, read from the database: per workspace (parts by status, active
 * claims, ingest lag, the jobs of `public.jobs`), and for the whole instance (graphile-worker's own
 * queue, live workers). Read as the database owner: the caller decides which workspaces a scrape may
 * see and passes their ids; nothing here widens that.
 */

type Queryable = Pool | PoolClient;

/** Upload to pre-labelled, in seconds: 1 s to a day. */
export const INGEST_LAG_BUCKETS = [1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21_600, 86_400] as const;
/** A job's run, started to finished, in seconds: 100 ms to an hour. */
export const JOB_DURATION_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600] as const;

export interface MetricsWorkspace {
  id: string;
  slug: string;
}

export interface WorkspaceMetrics {
  /** Every status of every workspace asked for, zeros included (a series does not vanish when it empties). */
  parts: Array<{ workspace: string; status: string; count: number }>;
  /** Parts held by an annotator whose lease has not run out. */
  activeClaims: Array<{ workspace: string; count: number }>;
  /** Per workspace: seconds from a part's upload to its first pre-label (a model revision). */
  ingestLag: Array<HistogramSeries & { labels: { workspace: string } }>;
  /** Jobs waiting or running, by kind, and how long the oldest has been waiting (since it was queued). */
  jobQueue: Array<{
    workspace: string;
    kind: string;
    status: "queued" | "running";
    count: number;
    oldestSeconds: number;
  }>;
  /** Finished jobs by kind and outcome (completed, failed, canceled): counters. */
  jobsFinished: Array<{ workspace: string; kind: string; status: string; count: number }>;
  /** Runs of finished jobs (started to finished), by kind and outcome. */
  jobDurations: Array<HistogramSeries & { labels: { workspace: string; kind: string; status: string } }>;
}

/** The workspaces the signed-in user administers (run as the user: row-level security applies too). */
export async function adminWorkspaces(client: PoolClient): Promise<MetricsWorkspace[]> {
  const { rows } = await client.query<MetricsWorkspace>(
    `select w.id, w.slug
     from public.workspaces w
     join public.workspace_members m on m.workspace_id = w.id
     where m.user_id = (select auth.uid()) and m.role = 'admin'
     order by w.slug`,
  );
  return rows;
}

/** Every workspace (for the instance-wide metrics token). */
export async function allWorkspaces(db: Queryable): Promise<MetricsWorkspace[]> {
  const { rows } = await db.query<MetricsWorkspace>("select id, slug from public.workspaces order by slug");
  return rows;
}

interface BucketRow {
  bucket: number;
  n: number;
  sum: number;
}

/**
 * Histogram series from rows of (labels, bucket index, count, sum), where a row's bucket index is
 * how many bounds lie below its values (`bounds.length`: above them all).
 */
function histograms<R extends BucketRow, L extends Record<string, string>>(
  rows: readonly R[],
  bounds: readonly number[],
  labelsOf: (row: R) => L,
): Array<HistogramSeries & { labels: L }> {
  const series = new Map<string, HistogramSeries & { labels: L; counts: number[] }>();
  for (const row of rows) {
    const labels = labelsOf(row);
    const key = JSON.stringify(labels);
    let s = series.get(key);
    if (!s) {
      s = { labels, bounds, counts: new Array(bounds.length + 1).fill(0), sum: 0 };
      series.set(key, s);
    }
    s.counts[row.bucket] = (s.counts[row.bucket] as number) + row.n;
    s.sum += row.sum;
  }
  return [...series.values()];
}

/**
 * SQL for a value's bucket index (how many bounds lie below it) against the bounds given in parameter
 * `$param` as `negated(bounds)`: `width_bucket` counts the thresholds at or below its operand, so
 * with the bounds negated it counts those at or above the value, and the rest lie below.
 */
const bucketOf = (value: string, param: number) =>
  `(cardinality($${param}::float8[]) - width_bucket(-(${value}), $${param}::float8[]))`;
/** The bounds negated, ascending (for `bucketOf`). */
const negated = (bounds: readonly number[]) => bounds.map((b) => -b).reverse();

export async function workspaceMetrics(
  db: Queryable,
  workspaces: readonly MetricsWorkspace[],
): Promise<WorkspaceMetrics> {
  const ids = workspaces.map((w) => w.id);
  const slug = new Map(workspaces.map((w) => [w.id, w.slug]));
  const ws = (id: string) => slug.get(id) ?? id;
  if (ids.length === 0) {
    return { parts: [], activeClaims: [], ingestLag: [], jobQueue: [], jobsFinished: [], jobDurations: [] };
  }

  const parts = await db.query<{ workspace_id: string; status: string; count: number }>(
    `select w.id as workspace_id, s.status::text as status, count(p.id)::int as count
     from unnest($1::uuid[]) as w(id)
     cross join unnest(enum_range(null::public.part_status)) as s(status)
     left join public.parts p on p.workspace_id = w.id and p.status = s.status
     group by w.id, s.status
     order by w.id, s.status`,
    [ids],
  );
  const claims = await db.query<{ workspace_id: string; count: number }>(
    `select w.id as workspace_id,
            (select count(*) from public.parts p
             where p.workspace_id = w.id and p.status = 'in_progress' and p.lease_expires_at > now())::int as count
     from unnest($1::uuid[]) as w(id)`,
    [ids],
  );
  const lag = await db.query<BucketRow & { workspace_id: string }>(
    `with lag as (
       select p.workspace_id, extract(epoch from (min(r.created_at) - p.created_at))::float8 as s
       from public.parts p
       join public.annotation_revisions r on r.part_id = p.id and r.source = 'model'
       where p.workspace_id = any($1::uuid[])
       group by p.id
     )
     select workspace_id, ${bucketOf("greatest(s, 0)", 2)} as bucket, count(*)::int as n, sum(greatest(s, 0))::float8 as sum
     from lag group by 1, 2`,
    [ids, negated(INGEST_LAG_BUCKETS)],
  );
  const queue = await db.query<{
    workspace_id: string;
    kind: string;
    status: "queued" | "running";
    count: number;
    oldest: number;
  }>(
    `select workspace_id, kind, status::text as status, count(*)::int as count,
            coalesce(extract(epoch from now() - min(created_at)), 0)::float8 as oldest
     from public.jobs
     where workspace_id = any($1::uuid[]) and status in ('queued', 'running')
     group by 1, 2, 3 order by 1, 2, 3`,
    [ids],
  );
  const finished = await db.query<BucketRow & { workspace_id: string; kind: string; status: string; timed: boolean }>(
    `with d as (
       select workspace_id, kind, status::text as status,
              extract(epoch from finished_at - started_at)::float8 as s
       from public.jobs
       where workspace_id = any($1::uuid[]) and status in ('completed', 'failed', 'canceled')
     )
     select workspace_id, kind, status, s is not null as timed,
            coalesce(${bucketOf("greatest(s, 0)", 2)}, 0) as bucket, count(*)::int as n,
            coalesce(sum(greatest(s, 0)), 0)::float8 as sum
     from d group by 1, 2, 3, 4, 5`,
    [ids, negated(JOB_DURATION_BUCKETS)],
  );

  const finishedCounts = new Map<string, { workspace: string; kind: string; status: string; count: number }>();
  for (const r of finished.rows) {
    const key = JSON.stringify([r.workspace_id, r.kind, r.status]);
    const c = finishedCounts.get(key) ?? { workspace: ws(r.workspace_id), kind: r.kind, status: r.status, count: 0 };
    c.count += r.n;
    finishedCounts.set(key, c);
  }
  return {
    parts: parts.rows.map((r) => ({ workspace: ws(r.workspace_id), status: r.status, count: r.count })),
    activeClaims: claims.rows.map((r) => ({ workspace: ws(r.workspace_id), count: r.count })),
    ingestLag: histograms(lag.rows, INGEST_LAG_BUCKETS, (r) => ({ workspace: ws(r.workspace_id) })),
    jobQueue: queue.rows.map((r) => ({
      workspace: ws(r.workspace_id),
      kind: r.kind,
      status: r.status,
      count: r.count,
      oldestSeconds: Math.max(0, r.oldest),
    })),
    jobsFinished: [...finishedCounts.values()],
    // a job canceled before it started has no run to time
    jobDurations: histograms(
      finished.rows.filter((r) => r.timed),
      JOB_DURATION_BUCKETS,
      (r) => ({ workspace: ws(r.workspace_id), kind: r.kind, status: r.status }),
    ),
  };
}

export interface InstanceMetrics {
  /** graphile-worker's queue by task: waiting (due), scheduled (later), running (locked), dead (out of attempts). */
  workerQueue: Array<{
    task: string;
    waiting: number;
    scheduled: number;
    running: number;
    dead: number;
    oldestSeconds: number;
  }>;
  /** Whether graphile-worker's schema exists (not with FACET_JOBS=trigger before any local worker ran). */
  workerQueuePresent: boolean;
  workersAlive: number;
}

/** Figures of the instance as a whole: for the operator's metrics token only (they count every tenant's work). */
export async function instanceMetrics(db: Queryable): Promise<InstanceMetrics> {
  const present = await db.query<{ ok: boolean }>(
    "select to_regclass('graphile_worker._private_jobs') is not null and to_regclass('graphile_worker._private_tasks') is not null as ok",
  );
  const workerQueuePresent = present.rows[0]?.ok === true;
  let workerQueue: InstanceMetrics["workerQueue"] = [];
  if (workerQueuePresent) {
    const { rows } = await db.query<{
      task: string;
      waiting: number;
      scheduled: number;
      running: number;
      dead: number;
      oldest: number;
    }>(
      `select t.identifier as task,
              count(*) filter (where j.locked_at is null and j.attempts < j.max_attempts and j.run_at <= now())::int as waiting,
              count(*) filter (where j.locked_at is null and j.attempts < j.max_attempts and j.run_at > now())::int as scheduled,
              count(*) filter (where j.locked_at is not null)::int as running,
              count(*) filter (where j.locked_at is null and j.attempts >= j.max_attempts)::int as dead,
              coalesce(extract(epoch from now() - min(j.run_at) filter (
                where j.locked_at is null and j.attempts < j.max_attempts and j.run_at <= now())), 0)::float8 as oldest
       from graphile_worker._private_jobs j
       join graphile_worker._private_tasks t on t.id = j.task_id
       group by t.identifier order by t.identifier`,
    );
    workerQueue = rows.map((r) => ({ ...r, oldestSeconds: Math.max(0, r.oldest) }));
  }
  const alive = await db.query<{ n: number }>(
    "select count(*)::int as n from private.worker_heartbeats where last_seen_at > now() - make_interval(secs => $1)",
    [HEARTBEAT_STALE_SECONDS],
  );
  return { workerQueue, workerQueuePresent, workersAlive: alive.rows[0]?.n ?? 0 };
}
