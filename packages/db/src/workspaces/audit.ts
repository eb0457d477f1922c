import type { AuditFilter } from "@facet/core";
import { readCursor, writeCursor } from "../cursor";
import type { PoolClient } from "../pool";

export interface AuditEvent {
  id: number;
  action: string;
  actorEmail: string | null;
  /** The actor's display name, else their email (null: the platform, or someone the reader cannot see). */
  actorName: string | null;
  actorKind: string;
  targetTable: string | null;
  targetId: string | null;
  data: Record<string, unknown>;
  createdAt: string;
  /** The part the event is about (its target, or `data.part_id`): its name now, or as deleted. */
  partName: string | null;
  /** What else the event is about, by name: the dataset, the member's email, the invitation's email, the label schema, the API key. */
  targetName: string | null;
  /** The role of the member or the invitation the event is about, as it is now. */
  targetRole: string | null;
}

/** The part an event is about: its target, or `data.part_id`. */
const PART_REF = `(case when e.target_table = 'parts' then e.target_id
                        else coalesce(e.data ->> 'part_id', e.data ->> 'partId') end)`;

/** A uuid from text that may not be one (target ids and data are text). */
const asUuid = (expr: string) =>
  `(case when ${expr} ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then (${expr})::uuid end)`;

/** Events per page of the audit log, at most. */
export const AUDIT_PAGE_MAX = 500;

/**
 * The workspace's audit log, newest first, with the names of what each event is about (as the reader
 * may see them: row-level security applies), so that a page can tell it in sentences.
 */
export async function listAuditEvents(client: PoolClient, workspaceId: string, limit = 100): Promise<AuditEvent[]> {
  return (await queryAuditLog(client, workspaceId, { limit })).events;
}

/**
 * A page of the audit log matching a filter (actor, action or action prefix, part, dataset — the
 * dataset's own events and its parts' —, period), newest first; `nextCursor` continues after it
 * (keyset on (created_at, id): every page costs the same).
 */
export async function queryAuditLog(
  client: PoolClient,
  workspaceId: string,
  input: { filter?: AuditFilter; cursor?: string | null; limit: number },
): Promise<{ events: AuditEvent[]; nextCursor: string | null }> {
  const f = input.filter ?? {};
  const limit = Math.max(1, Math.min(AUDIT_PAGE_MAX, Math.floor(input.limit)));
  const params: unknown[] = [workspaceId];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const and: string[] = ["e.workspace_id = $1"];
  if (f.actor) and.push(`e.actor_id = ${p(f.actor)}::uuid`);
  if (f.action?.endsWith(".")) and.push(`starts_with(e.action, ${p(f.action)})`);
  else if (f.action) and.push(`e.action = ${p(f.action)}`);
  if (f.part) and.push(`${PART_REF} = ${p(f.part)}`);
  if (f.dataset) {
    const d = p(f.dataset);
    and.push(`((e.target_table = 'datasets' and e.target_id = ${d}) or e.data ->> 'dataset_id' = ${d}
      or exists (select 1 from public.parts dp where dp.id = ${asUuid(PART_REF)} and dp.dataset_id = ${d}::uuid))`);
  }
  if (f.period?.min) and.push(`e.created_at >= (${p(f.period.min)}::date)::timestamp at time zone 'UTC'`);
  if (f.period?.max) and.push(`e.created_at < (${p(f.period.max)}::date + 1)::timestamp at time zone 'UTC'`);
  if (input.cursor) {
    const c = readCursor(input.cursor, "this log");
    and.push(`(e.created_at, e.id) < (${p(c.v)}::timestamptz, ${p(c.id)}::bigint)`);
  }
  const target = (table: string) => `e.target_table = '${table}' and ${asUuid("e.target_id")}`;
  const { rows } = await client.query<
    Omit<AuditEvent, "id" | "createdAt"> & { id: string; createdAt: Date; at: string }
  >(
    `with e as (
       select e.*, ${PART_REF} as part_ref
       from public.audit_events e
       where ${and.join(" and ")}
       order by e.created_at desc, e.id desc limit ${p(limit + 1)}
     )
     select e.id, e.action, a.email as "actorEmail", coalesce(nullif(a.display_name, ''), a.email) as "actorName",
            e.actor_kind as "actorKind", e.target_table as "targetTable", e.target_id as "targetId", e.data,
            e.created_at as "createdAt", e.created_at::text as at,
            coalesce(p.name, case when e.action = 'part.deleted' then e.data ->> 'name' end) as "partName",
            coalesce(d.name, m.email, i.email, s.name, k.name) as "targetName",
            coalesce(mm.role, i.role)::text as "targetRole"
     from e
     left join public.profiles a on a.user_id = e.actor_id
     left join public.parts p on p.id = ${asUuid("e.part_ref")}
     left join public.datasets d on ${target("datasets")} = d.id
     left join public.profiles m on ${target("workspace_members")} = m.user_id
     left join public.workspace_members mm on mm.workspace_id = e.workspace_id and mm.user_id = m.user_id
     left join public.invitations i on ${target("invitations")} = i.id
     left join public.label_schemas s on ${target("label_schemas")} = s.id
     left join public.api_keys k on ${target("api_keys")} = k.id
     order by e.created_at desc, e.id desc`,
    params,
  );
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    events: page.map(({ at: _, ...r }) => ({ ...r, id: Number(r.id), createdAt: r.createdAt.toISOString() })),
    // the exact timestamp (microseconds) as text: a Date would round it to milliseconds
    nextCursor: rows.length > limit && last ? writeCursor({ v: last.at, id: String(last.id) }) : null,
  };
}

export async function recordAuditEvent(
  client: PoolClient,
  input: { workspaceId: string | null; action: string; targetTable?: string; targetId?: string; data?: unknown },
): Promise<void> {
  await client.query("select public.record_audit_event($1, $2, $3, $4, $5)", [
    input.workspaceId,
    input.action,
    input.targetTable ?? null,
    input.targetId ?? null,
    JSON.stringify(input.data ?? {}),
  ]);
}
