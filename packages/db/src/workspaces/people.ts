import { AppError } from "@facet/core";
import type { PoolClient } from "../pool";
import { listMembers, type Member } from "./members";

/**
 * People, for admins (issue 19 item 3). Every function runs as the caller (RLS and the database's own
 * checks decide: admins only; not yourself; the last active admin stays; erasure only of someone who
 * belongs to no other workspace). See supabase/migrations/20261206006000_people.sql.
 */

/** Deactivate a membership: no access from the next statement on, their claims back to the queue. */
export async function deactivateMember(
  client: PoolClient,
  input: { workspaceId: string; userId: string },
): Promise<{ releasedParts: number }> {
  const held = await client.query<{ n: number }>(
    `select count(*)::int as n from public.parts
     where workspace_id = $1 and annotator_id = $2 and status = 'in_progress'`,
    [input.workspaceId, input.userId],
  );
  const r = await client.query(
    "update public.workspace_members set deactivated_at = now() where workspace_id = $1 and user_id = $2",
    [input.workspaceId, input.userId],
  );
  if (r.rowCount === 0) throw new AppError("NOT_FOUND", "no such member in this workspace");
  return { releasedParts: held.rows[0]?.n ?? 0 };
}

/** Give a deactivated member their access back (their role is what it was). */
export async function reactivateMember(
  client: PoolClient,
  input: { workspaceId: string; userId: string },
): Promise<void> {
  const r = await client.query(
    "update public.workspace_members set deactivated_at = null where workspace_id = $1 and user_id = $2",
    [input.workspaceId, input.userId],
  );
  if (r.rowCount === 0) throw new AppError("NOT_FOUND", "no such member in this workspace");
}

export interface MemberActivity {
  userId: string;
  /** The last change they made in this workspace, or use of a key bound to it. */
  lastActiveAt: string | null;
  /** The last sign-in or session refresh of their account (any workspace). */
  lastSeenAt: string | null;
}

/** Per member, when they were last active (admins only: others get an empty list). */
export async function listMemberActivity(client: PoolClient, workspaceId: string): Promise<MemberActivity[]> {
  const { rows } = await client.query<MemberActivity>(
    `select user_id as "userId",
            to_char(last_active_at at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as "lastActiveAt",
            to_char(last_seen_at at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as "lastSeenAt"
     from public.member_activity($1)`,
    [workspaceId],
  );
  return rows;
}

/**
 * Erase a person's name and email everywhere (account, profile, invitations, comments, notifications,
 * the audit log's copies); their work stays, attributed to the label returned ("Former member 7f3a").
 */
export async function erasePerson(
  client: PoolClient,
  input: { workspaceId: string; userId: string },
): Promise<{ label: string }> {
  const { rows } = await client.query<{ label: string }>("select public.erase_person($1, $2) as label", [
    input.workspaceId,
    input.userId,
  ]);
  return { label: rows[0]?.label as string };
}

/** Move what one member owns (datasets, saved filters) to another, active, member. */
export async function transferMemberItems(
  client: PoolClient,
  input: { workspaceId: string; fromUserId: string; toUserId: string },
): Promise<{ datasets: number; savedFilters: number }> {
  const { rows } = await client.query<{ datasets: number; savedFilters: number }>(
    `select datasets, saved_filters as "savedFilters" from public.transfer_member_items($1, $2, $3)`,
    [input.workspaceId, input.fromUserId, input.toUserId],
  );
  return rows[0] ?? { datasets: 0, savedFilters: 0 };
}

export interface OwnedItems {
  datasets: Array<{ id: string; name: string }>;
  heldParts: number;
}

/** The datasets a member owns and the parts they hold (for the admin's person page). */
export async function listOwnedItems(client: PoolClient, workspaceId: string, userId: string): Promise<OwnedItems> {
  const { rows } = await client.query<OwnedItems>(
    `select coalesce((select jsonb_agg(jsonb_build_object('id', d.id, 'name', d.name) order by d.name)
                      from public.datasets d where d.workspace_id = $1 and d.created_by = $2), '[]'::jsonb) as datasets,
            (select count(*)::int from public.parts p
             where p.workspace_id = $1 and p.annotator_id = $2 and p.status = 'in_progress') as "heldParts"`,
    [workspaceId, userId],
  );
  return rows[0] as OwnedItems;
}

export type MemberWithActivity = Member & Omit<MemberActivity, "userId">;

/** The members with when each was last active (null times for callers who are not admins). */
export async function listMembersWithActivity(client: PoolClient, workspaceId: string): Promise<MemberWithActivity[]> {
  const members = await listMembers(client, workspaceId);
  const activity = new Map((await listMemberActivity(client, workspaceId)).map((a) => [a.userId, a]));
  return members.map((m) => ({
    ...m,
    lastActiveAt: activity.get(m.userId)?.lastActiveAt ?? null,
    lastSeenAt: activity.get(m.userId)?.lastSeenAt ?? null,
  }));
}
