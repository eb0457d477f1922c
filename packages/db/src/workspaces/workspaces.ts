import { AppError, type MemberRole, type Taxonomy } from "@facet/core";
import type { Pool, PoolClient } from "../pool";
import { type Claims, type RequestContext, readAsUser } from "../session";

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
     from public.workspace_members m join public.workspaces w on w.id = m.workspace_id
     where m.user_id = (select auth.uid()) order by w.name, w.slug`,
  );
  return rows;
}

/**
 * The caller's membership of a workspace (by slug or id). Every API request asks this: the caller's
 * own membership rows are found by their index (the uid as a one-time value, `(select auth.uid())`),
 * so the row-level checks run on those rows only, not on every member of the workspace.
 */
const MEMBERSHIP = (slugOrId: string) => `select w.id, w.name, w.slug, m.role
  from public.workspace_members m join public.workspaces w on w.id = m.workspace_id
  where m.user_id = (select auth.uid()) and (w.slug = ${slugOrId} or w.id::text = ${slugOrId})`;

function found(rows: WorkspaceSummary[]): WorkspaceSummary {
  const ws = rows[0];
  if (!ws) throw new AppError("NOT_A_MEMBER", "you are not a member of this workspace");
  return ws;
}

/** A workspace the caller belongs to, or NOT_A_MEMBER (also for a slug that does not exist). */
export async function getWorkspaceForMember(client: PoolClient, slugOrId: string): Promise<WorkspaceSummary> {
  return found((await client.query<WorkspaceSummary>(MEMBERSHIP("$1"), [slugOrId])).rows);
}

/**
 * The same, as its own one-round-trip read (readAsUser): what an API request asks before anything
 * else, outside the transaction that does its work.
 */
export async function findWorkspaceForMember(
  pool: Pool,
  claims: Claims,
  slugOrId: string,
  ctx: RequestContext = {},
): Promise<WorkspaceSummary> {
  return found(await readAsUser<WorkspaceSummary>(pool, claims, (literal) => MEMBERSHIP(literal(slugOrId)), ctx));
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
