import { AppError, type MemberRole } from "@facet/core";
import type { PoolClient } from "../pool";

/**
 * Someone who joined with an invitation link, and when. Email and name are null when the admin no
 * longer shares a workspace with them (they left) or their account is gone.
 */
export interface InvitationUse {
  id: string;
  email: string | null;
  displayName: string | null;
  usedAt: string;
}

export interface Invitation {
  id: string;
  role: MemberRole;
  email: string | null;
  maxUses: number;
  useCount: number;
  expiresAt: string;
  revokedAt: string | null;
  createdAt: string;
  createdByEmail: string | null;
  /** Who used the link, first use first (public.invitation_uses, written by accept_invitation). */
  uses: InvitationUse[];
}

export async function createInvitation(
  client: PoolClient,
  input: {
    workspaceId: string;
    role: MemberRole;
    email?: string | null;
    tokenHash: string;
    expiresInHours: number;
    maxUses: number;
  },
): Promise<{ id: string; expiresAt: string }> {
  const { rows } = await client.query<{ id: string; expiresAt: string }>(
    `insert into public.invitations (workspace_id, role, email, token_hash, expires_at, max_uses, created_by)
     values ($1, $2, $3, $4, now() + make_interval(hours => $5), $6, auth.uid())
     returning id, expires_at as "expiresAt"`,
    [input.workspaceId, input.role, input.email ?? null, input.tokenHash, input.expiresInHours, input.maxUses],
  );
  return rows[0] as { id: string; expiresAt: string };
}

export async function listInvitations(client: PoolClient, workspaceId: string): Promise<Invitation[]> {
  const { rows } = await client.query<Invitation>(
    `select i.id, i.role, i.email, i.max_uses as "maxUses", i.use_count as "useCount", i.expires_at as "expiresAt",
            i.revoked_at as "revokedAt", i.created_at as "createdAt", p.email as "createdByEmail",
            coalesce((select json_agg(json_build_object('id', u.id, 'email', up.email, 'displayName', up.display_name,
                                                        'usedAt', u.used_at) order by u.used_at, u.id)
                      from public.invitation_uses u left join public.profiles up on up.user_id = u.user_id
                      where u.invitation_id = i.id), '[]') as uses
     from public.invitations i left join public.profiles p on p.user_id = i.created_by
     where i.workspace_id = $1 order by i.created_at desc limit 200`,
    [workspaceId],
  );
  return rows;
}

export async function revokeInvitation(client: PoolClient, input: { workspaceId: string; id: string }): Promise<void> {
  const r = await client.query(
    "update public.invitations set revoked_at = now() where workspace_id = $1 and id = $2 and revoked_at is null",
    [input.workspaceId, input.id],
  );
  if (r.rowCount === 0) throw new AppError("NOT_FOUND", "no such open invitation");
}

export async function acceptInvitation(
  client: PoolClient,
  tokenHash: string,
): Promise<{ workspaceId: string; role: MemberRole; alreadyMember: boolean; slug: string }> {
  const { rows } = await client.query<{ workspace_id: string; role: MemberRole; already_member: boolean }>(
    "select * from public.accept_invitation($1)",
    [tokenHash],
  );
  const r = rows[0];
  if (!r) throw new AppError("INVITATION_INVALID", "this invitation link is not valid");
  const ws = await client.query<{ slug: string }>("select slug from public.workspaces where id = $1", [r.workspace_id]);
  return { workspaceId: r.workspace_id, role: r.role, alreadyMember: r.already_member, slug: ws.rows[0]?.slug ?? "" };
}

export interface InvitationPreview {
  workspaceName: string;
  role: MemberRole;
  email: string | null;
  expiresAt: string;
  valid: boolean;
  reason: string | null;
}

/** What an invitation link offers, for the page a person lands on (read as the service). */
export async function previewInvitation(serviceClient: PoolClient, tokenHash: string): Promise<InvitationPreview> {
  const { rows } = await serviceClient.query<{
    name: string;
    role: MemberRole;
    email: string | null;
    expires_at: string;
    revoked_at: string | null;
    used_up: boolean;
    expired: boolean;
  }>(
    `select w.name, i.role, i.email, i.expires_at, i.revoked_at, i.use_count >= i.max_uses as used_up,
            i.expires_at <= now() as expired
     from public.invitations i join public.workspaces w on w.id = i.workspace_id where i.token_hash = $1`,
    [tokenHash],
  );
  const r = rows[0];
  if (!r) throw new AppError("INVITATION_INVALID", "this invitation link does not exist");
  const reason = r.revoked_at ? "revoked" : r.expired ? "expired" : r.used_up ? "already used" : null;
  return {
    workspaceName: r.name,
    role: r.role,
    email: r.email,
    expiresAt: r.expires_at,
    valid: reason === null,
    reason,
  };
}
