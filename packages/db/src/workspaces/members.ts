import { AppError, type MemberRole } from "@facet/core";
import type { PoolClient } from "../pool";

export interface Member {
  userId: string;
  email: string;
  displayName: string | null;
  role: MemberRole;
  joinedAt: string;
  /** Set when the membership is deactivated (no access; history kept). */
  deactivatedAt: string | null;
  /** Set when the person's data was erased (displayName is then the anonymised label). */
  erasedAt: string | null;
}

export async function listMembers(client: PoolClient, workspaceId: string): Promise<Member[]> {
  const { rows } = await client.query<Member>(
    `select m.user_id as "userId", p.email, p.display_name as "displayName", m.role,
            to_char(m.created_at at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as "joinedAt",
            to_char(m.deactivated_at at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as "deactivatedAt",
            to_char(p.erased_at at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as "erasedAt"
     from public.workspace_members m left join public.profiles p on p.user_id = m.user_id
     where m.workspace_id = $1
     order by m.deactivated_at is not null, case m.role when 'admin' then 0 when 'engineer' then 1 when 'ml_engineer' then 2
                          when 'annotator' then 3 else 4 end, p.email`,
    [workspaceId],
  );
  return rows;
}

/** RLS lets only admins change roles: 0 rows means the member does not exist or the caller may not. */
export async function changeMemberRole(
  client: PoolClient,
  input: { workspaceId: string; userId: string; role: MemberRole },
): Promise<void> {
  const r = await client.query(
    "update public.workspace_members set role = $3 where workspace_id = $1 and user_id = $2",
    [input.workspaceId, input.userId, input.role],
  );
  if (r.rowCount === 0) throw new AppError("NOT_FOUND", "no such member in this workspace");
}

export async function removeMember(client: PoolClient, input: { workspaceId: string; userId: string }): Promise<void> {
  const r = await client.query("delete from public.workspace_members where workspace_id = $1 and user_id = $2", [
    input.workspaceId,
    input.userId,
  ]);
  if (r.rowCount === 0) throw new AppError("NOT_FOUND", "no such member in this workspace");
}
