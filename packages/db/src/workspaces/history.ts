import type { PoolClient } from "../pool";

export interface HistoryEvent {
  id: number;
  /** e.g. part.status_changed, part.claimed, part.submitted, revision.created, part.reviewed, comment.created */
  action: string;
  actorId: string | null;
  actorKind: string;
  actorName: string | null;
  data: Record<string, unknown>;
  createdAt: string;
}

/** Everything that happened to a part, oldest first, from the audit log (any member may read it). */
export async function partHistory(client: PoolClient, partId: string): Promise<HistoryEvent[]> {
  const { rows } = await client.query<Omit<HistoryEvent, "id" | "createdAt"> & { id: string; createdAt: Date }>(
    `select id, action, actor_id as "actorId", actor_kind as "actorKind", actor_name as "actorName", data,
            created_at as "createdAt"
     from public.part_history($1)`,
    [partId],
  );
  return rows.map((r) => ({ ...r, id: Number(r.id), createdAt: r.createdAt.toISOString() }));
}
