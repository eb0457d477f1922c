import {
  type AnalyticsFilter,
  type AnalyticsReport,
  AppError,
  addDays,
  bucketByDay,
  daysOf,
  decisionRates,
  queueAges,
  rate,
  throughputByAnnotator,
  type WorkedPart,
} from "@facet/core";
import type { PoolClient } from "../pool";
import { prelabelAcceptance } from "./prelabel";

/**
 * Workspace analytics (issue 19, item 2), for admins: the status history comes from the audit log
 * (public.part_status_events refuses anyone else) and the active time from `work_time`, which only
 * admins read in full. Every figure is for the parts of the workspace, or of one dataset, as they are now (a part
 * moved to another dataset takes its history along; a discarded part's history is left out).
 *
 *   status by day       parts in each status at the end of each day: the parts' `part.status_changed`
 *                       events replayed from each part's first status (the `from` of its first event)
 *   submissions         `part.status_changed` in_progress -> in_review events, by the part's holder
 *   active time         what the workbench measured (`work_time`), per annotator and part
 *   review decisions    `part_reviews` of the period; per class: the classes present in the revision decided on
 *   pre-label acceptance faces of the newest model revision whose label the approved revision kept, by approval day
 *   class balance       faces per class in each part's latest revision (now, whatever the period)
 *   queue age           how long claimable parts (unannotated, pre_labeled) and parts in review have waited (now)
 */

/** Queries' parameters: $1 workspace, $2 dataset or null, then (history) $3 and $4 the period's first and end instants. */
const IN_SCOPE = "p.workspace_id = $1 and ($2::uuid is null or p.dataset_id = $2::uuid)";
const IN_PERIOD = (col: string) => `${col} >= $3::timestamptz and ${col} < $4::timestamptz`;
/** The labels of a revision document, [] when it has none. */
const LABELS = (doc: string) =>
  `(case when jsonb_typeof(${doc} -> 'labels') = 'array' then ${doc} -> 'labels' else '[]'::jsonb end)`;
/** Submissions: the holder moved the part from in_progress to review (public.part_status_events: admins only). */
const SUBMISSIONS = `
  select e.created_at, e.part_id, coalesce(e.annotator_id, e.actor_id) as annotator_id
  from public.part_status_events($1, $2, $3::timestamptz, $4::timestamptz) e
  where e.from_status = 'in_progress' and e.to_status = 'in_review'`;

export interface RecordActiveTimeInput {
  workspaceId: string;
  partId: string;
  /** The workbench page's session (made up by the browser). */
  sessionId: string;
  /** Milliseconds to add (1 .. 600,000). */
  activeMs: number;
}

/**
 * Add active time to the caller's session on a part they hold (or handed in for review a moment
 * ago). The database bounds it: at most 10 minutes a report, and never more in all than has passed
 * since the claim (VALIDATION_FAILED); a part not held is FORBIDDEN, one of another workspace NOT_FOUND.
 * Returns the session's total.
 */
export async function recordActiveTime(client: PoolClient, input: RecordActiveTimeInput): Promise<number> {
  await partInWorkspace(client, input.workspaceId, input.partId);
  const { rows } = await client.query<{ active_ms: string }>(
    `insert into public.work_time (workspace_id, part_id, user_id, session_id, active_ms)
     values ($1, $2, (select auth.uid()), $3, $4)
     on conflict (part_id, user_id, session_id) do update set active_ms = public.work_time.active_ms + excluded.active_ms
     returning active_ms`,
    [input.workspaceId, input.partId, input.sessionId, input.activeMs],
  );
  return Number(rows[0]?.active_ms ?? 0);
}

async function partInWorkspace(client: PoolClient, workspaceId: string, partId: string): Promise<void> {
  const { rows } = await client.query("select 1 from public.parts where id = $1 and workspace_id = $2", [
    partId,
    workspaceId,
  ]);
  if (rows.length === 0) throw new AppError("NOT_FOUND", "no such part in this workspace");
}

/** The caller's active time on a part of the workspace, in all their sessions (ms); NOT_FOUND for another workspace's part. */
export async function myActiveTime(client: PoolClient, workspaceId: string, partId: string): Promise<number> {
  await partInWorkspace(client, workspaceId, partId);
  const { rows } = await client.query<{ ms: string | null }>(
    "select sum(active_ms) as ms from public.work_time where part_id = $1 and user_id = (select auth.uid())",
    [partId],
  );
  return Number(rows[0]?.ms ?? 0);
}

const STATUS_BY_DAY = `
  -- $3 first day, $4 last day, $5 the end of the last day
  with ps as (
    select p.id, p.status::text as status, p.created_at from public.parts p where ${IN_SCOPE}
  ), ev as (
    select e.part_id, e.event_id as id, e.created_at, e.from_status, e.to_status
    from public.part_status_events($1, $2, '-infinity', $5::timestamptz) e
  ), first_event as (
    select distinct on (part_id) part_id, from_status from ev order by part_id, created_at, id
  ), deltas as (
    -- each part enters its first status when it is made, then leaves and enters with each change
    select (ps.created_at at time zone 'UTC')::date as day, coalesce(f.from_status, ps.status) as status, 1 as n
    from ps left join first_event f on f.part_id = ps.id
    union all select (created_at at time zone 'UTC')::date, to_status, 1 from ev
    union all select (created_at at time zone 'UTC')::date, from_status, -1 from ev
  ), daily as (
    select greatest(day, $3::date) as day, status, sum(n) as n from deltas where day <= $4::date group by 1, 2
  )
  select to_char(d.day, 'YYYY-MM-DD') as day, s.status::text as status,
         (sum(coalesce(daily.n, 0)) over (partition by s.status order by d.day))::integer as parts
  from generate_series($3::date, $4::date, interval '1 day') g(at)
  cross join lateral (select g.at::date as day) d
  cross join unnest(enum_range(null::public.part_status)) s(status)
  left join daily on daily.day = d.day and daily.status = s.status::text
  order by d.day, s.status`;

const SUBMISSIONS_BY_DAY = `
  select to_char((s.created_at at time zone 'UTC')::date, 'YYYY-MM-DD') as day, s.annotator_id::text as "annotatorId",
         count(*)::integer as parts
  from (${SUBMISSIONS}) s where s.annotator_id is not null group by 1, 2 order by 1, 2`;

const WORKED_PARTS = `
  with sub as (select distinct annotator_id, part_id from (${SUBMISSIONS}) s where s.annotator_id is not null)
  select sub.annotator_id::text as "annotatorId", sub.part_id::text as "partId",
         (select sum(w.active_ms) from public.work_time w
          where w.part_id = sub.part_id and w.user_id = sub.annotator_id) as "activeMs",
         g.face_count as faces,
         exists (select 1 from public.annotation_revisions r where r.part_id = sub.part_id and r.source = 'model')
           as prelabelled
  from sub join public.parts p on p.id = sub.part_id left join public.part_geometry g on g.id = p.geometry_id`;

const REVIEWS_BY_ANNOTATOR = `
  select pr.annotator_id::text as key, count(*) filter (where pr.decision = 'approved')::integer as approved,
         count(*) filter (where pr.decision = 'rejected')::integer as rejected
  from public.part_reviews pr join public.parts p on p.id = pr.part_id
  where pr.workspace_id = $1 and pr.annotator_id is not null and ${IN_SCOPE} and ${IN_PERIOD("pr.created_at")}
  group by 1`;

const REVIEWS_BY_CLASS = `
  select c.label as key, count(*) filter (where pr.decision = 'approved')::integer as approved,
         count(*) filter (where pr.decision = 'rejected')::integer as rejected
  from public.part_reviews pr join public.parts p on p.id = pr.part_id
  join public.annotation_revisions r on r.id = pr.revision_id
  cross join lateral (
    select distinct l.label from jsonb_array_elements_text(${LABELS("r.document")}) l(label) where l.label is not null
  ) c
  where pr.workspace_id = $1 and ${IN_SCOPE} and ${IN_PERIOD("pr.created_at")}
  group by 1`;

const PRELABEL_BY_DAY = `
  with appr as (
    select pr.part_id, pr.revision_id, pr.created_at from public.part_reviews pr join public.parts p on p.id = pr.part_id
    where pr.workspace_id = $1 and pr.decision = 'approved' and ${IN_SCOPE} and ${IN_PERIOD("pr.created_at")}
  ), pre as (
    select distinct on (r.part_id) r.part_id, r.document
    from public.annotation_revisions r join appr a on a.part_id = r.part_id
    where r.source = 'model' order by r.part_id, r.revision_no desc
  )
  select to_char((a.created_at at time zone 'UTC')::date, 'YYYY-MM-DD') as day, count(*)::integer as faces,
         (count(*) filter (where f.label = l.label))::integer as accepted, count(distinct a.part_id)::integer as parts
  from appr a
  join public.annotation_revisions fr on fr.id = a.revision_id
  join pre on pre.part_id = a.part_id
  cross join lateral jsonb_array_elements_text(${LABELS("pre.document")}) with ordinality l(label, i)
  join lateral jsonb_array_elements_text(${LABELS("fr.document")}) with ordinality f(label, i) on f.i = l.i
  where l.label is not null and fr.document ->> 'faceSignature' is not distinct from pre.document ->> 'faceSignature'
  group by 1 order by 1`;

const CLASS_BALANCE = `
  with latest as (
    select distinct on (r.part_id) r.part_id, r.document
    from public.annotation_revisions r join public.parts p on p.id = r.part_id
    where r.workspace_id = $1 and ${IN_SCOPE}
    order by r.part_id, r.revision_no desc
  )
  select l.label as feature, count(*)::integer as faces, count(distinct latest.part_id)::integer as parts
  from latest cross join lateral jsonb_array_elements_text(${LABELS("latest.document")}) l(label)
  where l.label is not null group by 1 order by 2 desc, 1`;

const QUEUE_WAITS = `
  select case when p.status = 'in_review' then 'review' else 'annotation' end as queue,
         extract(epoch from ($3::timestamptz - p.status_changed_at))::float8 as seconds
  from public.parts p
  where ${IN_SCOPE} and p.status in ('unannotated', 'pre_labeled', 'in_review')`;

/** Everything the analytics page shows, for one dataset or all, over a period of days. */
export async function analyticsReport(
  client: PoolClient,
  workspaceId: string,
  filter: AnalyticsFilter,
  now: Date = new Date(),
): Promise<AnalyticsReport> {
  const { datasetId, from, to } = filter;
  const start = `${from}T00:00:00Z`;
  const end = `${addDays(to, 1)}T00:00:00Z`;
  const history = [workspaceId, datasetId, start, end];
  const q = async <T extends object>(sql: string, params: unknown[]) => (await client.query<T>(sql, params)).rows;
  const statusRows = await q<{ day: string; status: string; parts: number }>(STATUS_BY_DAY, [
    workspaceId,
    datasetId,
    from,
    to,
    end,
  ]);
  const submissions = await q<{ day: string; annotatorId: string; parts: number }>(SUBMISSIONS_BY_DAY, history);
  const worked = await q<{
    annotatorId: string;
    partId: string;
    activeMs: string | null;
    faces: number | null;
    prelabelled: boolean;
  }>(WORKED_PARTS, history);
  const byAnnotator = await q<{ key: string; approved: number; rejected: number }>(REVIEWS_BY_ANNOTATOR, history);
  const byClass = await q<{ key: string; approved: number; rejected: number }>(REVIEWS_BY_CLASS, history);
  const prelabelDays = await q<{ day: string; faces: number; accepted: number; parts: number }>(
    PRELABEL_BY_DAY,
    history,
  );
  const balance = await q<{ feature: string; faces: number; parts: number }>(CLASS_BALANCE, [workspaceId, datasetId]);
  const waits = await q<{ queue: "annotation" | "review"; seconds: number }>(QUEUE_WAITS, [
    workspaceId,
    datasetId,
    now.toISOString(),
  ]);
  const prelabelByModel = await prelabelAcceptance(client, workspaceId, datasetId);

  const ids = [...new Set([...submissions.map((s) => s.annotatorId), ...byAnnotator.map((r) => r.key)])];
  const names = new Map(
    (
      await q<{ id: string; name: string }>(
        `select user_id::text as id, coalesce(nullif(display_name, ''), email) as name
         from public.profiles where user_id = any($1::uuid[])`,
        [ids],
      )
    ).map((r) => [r.id, r.name]),
  );
  const nameOf = (id: string) => names.get(id) ?? `former member ${id.slice(0, 8)}`;

  const days = daysOf(from, to);
  const statuses = [...new Set(statusRows.map((r) => r.status))];
  const workedParts: WorkedPart[] = worked.map((w) => ({
    annotatorId: w.annotatorId,
    partId: w.partId,
    activeMs: w.activeMs === null ? null : Number(w.activeMs),
    faces: w.faces,
    prelabelled: w.prelabelled,
  }));
  const totalFaces = balance.reduce((n, b) => n + b.faces, 0);
  return {
    filter,
    generatedAt: now.toISOString(),
    statuses,
    statusByDay: bucketByDay(
      statusRows.map((r) => ({ day: r.day, series: r.status, value: r.parts })),
      days,
      statuses,
    ),
    submissionsByDay: submissions.map((s) => ({ ...s, annotator: nameOf(s.annotatorId) })),
    throughput: throughputByAnnotator({ submissions, worked: workedParts, days: days.length, nameOf }),
    reviewsByAnnotator: decisionRates(byAnnotator.map((r) => ({ ...r, label: nameOf(r.key) }))),
    reviewsByClass: decisionRates(byClass),
    prelabelByDay: prelabelDays.map((p) => ({ ...p, rate: rate(p.accepted, p.faces) })),
    prelabelByModel,
    classBalance: balance.map((b) => ({ ...b, share: rate(b.faces, totalFaces) })),
    queueAge: queueAges(waits),
  };
}
