import type { PoolClient } from "../pool";

export interface NotificationRow {
  id: number;
  kind: "mention" | "reply" | "review_rejected" | "review_approved";
  partId: string | null;
  partName: string | null;
  commentId: string | null;
  actorName: string | null;
  summary: string;
  readAt: string | null;
  createdAt: string;
}

/** The caller's notifications in a workspace, newest first. */
export async function listNotifications(
  client: PoolClient,
  workspaceId: string,
  limit = 50,
): Promise<{ unread: number; items: NotificationRow[] }> {
  const { rows } = await client.query<
    Omit<NotificationRow, "readAt" | "createdAt" | "id"> & { id: string; readAt: Date | null; createdAt: Date }
  >(
    `select n.id, n.kind, n.part_id as "partId", p.name as "partName", n.comment_id as "commentId",
            n.actor_name as "actorName", n.summary, n.read_at as "readAt", n.created_at as "createdAt"
     from public.notifications n left join public.parts p on p.id = n.part_id
     where n.workspace_id = $1 and n.user_id = auth.uid()
     order by n.created_at desc, n.id desc limit $2`,
    [workspaceId, Math.min(Math.max(limit, 1), 200)],
  );
  const unread = await unreadNotifications(client, workspaceId);
  return {
    unread,
    items: rows.map((r) => ({
      ...r,
      id: Number(r.id),
      readAt: r.readAt ? r.readAt.toISOString() : null,
      createdAt: r.createdAt.toISOString(),
    })),
  };
}

export async function unreadNotifications(client: PoolClient, workspaceId: string): Promise<number> {
  const { rows } = await client.query<{ n: number }>(
    `select count(*)::int as n from public.notifications
     where workspace_id = $1 and user_id = auth.uid() and read_at is null`,
    [workspaceId],
  );
  return rows[0]?.n ?? 0;
}

/** Mark some (ids) or all of the caller's notifications in a workspace read. Returns how many changed. */
export async function markNotificationsRead(
  client: PoolClient,
  input: { workspaceId: string; ids?: number[] },
): Promise<number> {
  const { rowCount } = await client.query(
    `update public.notifications set read_at = now()
     where workspace_id = $1 and user_id = auth.uid() and read_at is null and ($2::bigint[] is null or id = any ($2))`,
    [input.workspaceId, input.ids ?? null],
  );
  return rowCount ?? 0;
}
