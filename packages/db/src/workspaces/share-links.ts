import { createHash, randomBytes } from "node:crypto";
import { AppError, type NewShareLink, type ShareAccess } from "@facet/core";
import type { PoolClient } from "../pool";

export interface ShareLinkRow {
  id: string;
  partId: string;
  access: ShareAccess;
  label: string | null;
  expiresAt: string;
  revokedAt: string | null;
  createdByEmail: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  useCount: number;
  /** Neither revoked nor expired. */
  active: boolean;
}

/** The SHA-256 (hex) of a share token: all the database keeps. */
export function shareTokenHash(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

type Raw = Omit<ShareLinkRow, "expiresAt" | "revokedAt" | "createdAt" | "lastUsedAt"> & {
  expiresAt: Date;
  revokedAt: Date | null;
  createdAt: Date;
  lastUsedAt: Date | null;
};

const COLUMNS = `l.id, l.part_id as "partId", l.access, l.label, l.expires_at as "expiresAt", l.revoked_at as "revokedAt",
  pr.email as "createdByEmail", l.created_at as "createdAt", l.last_used_at as "lastUsedAt", l.use_count as "useCount",
  (l.revoked_at is null and l.expires_at > now()) as active`;

function toRow(r: Raw): ShareLinkRow {
  const d = (v: Date | null) => (v ? v.toISOString() : null);
  return {
    ...r,
    expiresAt: r.expiresAt.toISOString(),
    revokedAt: d(r.revokedAt),
    createdAt: r.createdAt.toISOString(),
    lastUsedAt: d(r.lastUsedAt),
  };
}

/**
 * Create a link to one part. The token is returned once (it is in the URL) and only its hash is
 * stored. Engineers and admins only (the API checks; row-level security checks again).
 */
export async function createShareLink(
  client: PoolClient,
  input: { workspaceId: string; partId: string; link: NewShareLink },
): Promise<{ link: ShareLinkRow; token: string }> {
  const part = await client.query("select 1 from public.parts where workspace_id = $1 and id = $2", [
    input.workspaceId,
    input.partId,
  ]);
  if (!part.rowCount) throw new AppError("NOT_FOUND", "no such part in this workspace");
  const token = randomBytes(32).toString("base64url");
  const { rows } = await client.query<{ id: string }>(
    `insert into public.share_links (part_id, token_hash, access, label, expires_at, created_by)
     values ($1, $2, $3, $4, now() + make_interval(days => $5), auth.uid()) returning id`,
    [input.partId, shareTokenHash(token), input.link.access, input.link.label || null, input.link.expiresInDays],
  );
  const [link] = await listShareLinks(client, input.partId, (rows[0] as { id: string }).id);
  if (!link) throw new AppError("INTERNAL", "the new share link could not be read back");
  return { link, token };
}

/** A part's links, newest first (or the one named). */
export async function listShareLinks(client: PoolClient, partId: string, id?: string): Promise<ShareLinkRow[]> {
  const { rows } = await client.query<Raw>(
    `select ${COLUMNS} from public.share_links l left join public.profiles pr on pr.user_id = l.created_by
     where l.part_id = $1 and ($2::uuid is null or l.id = $2) order by l.created_at desc`,
    [partId, id ?? null],
  );
  return rows.map(toRow);
}

export async function revokeShareLink(
  client: PoolClient,
  input: { partId: string; linkId: string },
): Promise<ShareLinkRow> {
  const { rows } = await client.query<{ id: string; revoked: boolean }>(
    `select id, revoked_at is not null as revoked from public.share_links where id = $1 and part_id = $2`,
    [input.linkId, input.partId],
  );
  const row = rows[0];
  if (!row) throw new AppError("NOT_FOUND", "no such share link on this part");
  if (!row.revoked) {
    const updated = await client.query("update public.share_links set revoked_at = now() where id = $1", [
      input.linkId,
    ]);
    if (!updated.rowCount) throw new AppError("FORBIDDEN", "only engineers and admins revoke share links");
  }
  const [link] = await listShareLinks(client, input.partId, input.linkId);
  return link as ShareLinkRow;
}

export interface OpenedShareLink {
  linkId: string;
  workspaceId: string;
  partId: string;
  access: ShareAccess;
  expiresAt: string;
}

/** Inside withShareLink: the link's part and access, counting the use; SHARE_LINK_INVALID otherwise. */
export async function openShareLink(client: PoolClient): Promise<OpenedShareLink> {
  const { rows } = await client.query<{
    link_id: string;
    workspace_id: string;
    part_id: string;
    access: ShareAccess;
    expires_at: Date;
  }>("select * from public.open_share_link()");
  const r = rows[0];
  if (!r) throw new AppError("SHARE_LINK_INVALID", "this share link is not valid");
  return {
    linkId: r.link_id,
    workspaceId: r.workspace_id,
    partId: r.part_id,
    access: r.access,
    expiresAt: r.expires_at.toISOString(),
  };
}
