import type { PoolClient } from "../pool";

export interface AuditEvent {
  id: number;
  action: string;
  actorEmail: string | null;
  actorKind: string;
  targetTable: string | null;
  targetId: string | null;
  data: Record<string, unknown>;
  createdAt: string;
}

export async function listAuditEvents(client: PoolClient, workspaceId: string, limit = 100): Promise<AuditEvent[]> {
  const { rows } = await client.query<AuditEvent>(
    `select e.id, e.action, p.email as "actorEmail", e.actor_kind as "actorKind", e.target_table as "targetTable",
            e.target_id as "targetId", e.data, e.created_at as "createdAt"
     from public.audit_events e left join public.profiles p on p.user_id = e.actor_id
     where e.workspace_id = $1 order by e.id desc limit $2`,
    [workspaceId, Math.min(limit, 500)],
  );
  return rows;
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
