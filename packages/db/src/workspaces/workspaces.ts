import { AppError, type MemberRole, type Taxonomy } from "@facet/core";
import type { PoolClient } from "../pool";

export interface WorkspaceSummary {
  id: string;
  name: string;
  slug: string;
  role: MemberRole;
}

/** The caller's workspaces with their role in each (RLS: only workspaces they belong to). */
export async function listMyWorkspaces(client: PoolClient): Promise<WorkspaceSummary[]> {
  const { rows } = await client.query<WorkspaceSummary>(
    `select w.id, w.name, w.slug, m.role
     from public.workspaces w join public.workspace_members m on m.workspace_id = w.id
     where m.user_id = auth.uid() order by w.name, w.slug`,
  );
  return rows;
}

/** A workspace the caller belongs to, or NOT_A_MEMBER (also for a slug that does not exist). */
export async function getWorkspaceForMember(client: PoolClient, slugOrId: string): Promise<WorkspaceSummary> {
  const { rows } = await client.query<WorkspaceSummary>(
    `select w.id, w.name, w.slug, m.role
     from public.workspaces w join public.workspace_members m on m.workspace_id = w.id and m.user_id = auth.uid()
     where w.slug = $1 or w.id::text = $1`,
    [slugOrId],
  );
  const ws = rows[0];
  if (!ws) throw new AppError("NOT_A_MEMBER", "you are not a member of this workspace");
  return ws;
}

/** A new workspace with the caller as admin; `slug` is the wish: the database takes the first free "-n" form. */
export async function createWorkspace(
  client: PoolClient,
  input: { name: string; slug: string; taxonomy: Taxonomy },
): Promise<WorkspaceSummary> {
  const { rows } = await client.query<{ id: string; name: string; slug: string }>(
    "select id, name, slug from public.create_workspace($1, $2, $3)",
    [input.name, input.slug, JSON.stringify(input.taxonomy)],
  );
  const ws = rows[0] as { id: string; name: string; slug: string };
  return { ...ws, role: "admin" };
}

export async function countMemberships(client: PoolClient, userId: string): Promise<number> {
  const { rows } = await client.query<{ n: number }>(
    "select count(*)::int as n from public.workspace_members where user_id = $1",
    [userId],
  );
  return rows[0]?.n ?? 0;
}
