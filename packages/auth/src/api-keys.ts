import { randomBytes } from "node:crypto";
import { API_KEY_PATTERN, type ApiKeyScope, AppError } from "@facet/core";
import type { Claims, Pool, PoolClient } from "@facet/db";
import { sha256Hex } from "./tokens";

export interface ApiKeyInfo {
  id: string;
  name: string;
  prefix: string;
  workspaceId: string | null;
  scopes: ApiKeyScope[];
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
  /** The key that created this one (revoking it revokes this one too), or null. */
  parentId: string | null;
}

export interface ApiKeyCaller {
  claims: Claims;
  apiKey: { id: string; workspaceId: string | null; scopes: ApiKeyScope[] };
}

const COLUMNS = `id, name, prefix, workspace_id as "workspaceId", scopes, created_at as "createdAt",
  last_used_at as "lastUsedAt", expires_at as "expiresAt", revoked_at as "revokedAt", parent_id as "parentId"`;

/** Create a key for the caller (RLS: workspace keys need an admin). The secret is returned once. */
export async function createApiKey(
  client: PoolClient,
  input: { name: string; scopes: ApiKeyScope[]; workspaceId: string | null; expiresInDays?: number },
): Promise<{ key: string; info: ApiKeyInfo }> {
  const prefix = randomBytes(6).toString("base64url");
  const key = `fct_${prefix}_${randomBytes(32).toString("base64url")}`;
  const { rows } = await client.query<ApiKeyInfo>(
    `insert into public.api_keys (workspace_id, user_id, name, prefix, key_hash, scopes, expires_at)
     values ($1, auth.uid(), $2, $3, $4, $5,
             case when $6::int is null then null else now() + make_interval(days => $6::int) end)
     returning ${COLUMNS}`,
    [input.workspaceId, input.name, prefix, sha256Hex(key), [...new Set(input.scopes)], input.expiresInDays ?? null],
  );
  return { key, info: rows[0] as ApiKeyInfo };
}

/** A key as lists show it: with who made it (their email, as the reader may see it). */
export type ListedApiKey = ApiKeyInfo & { creatorEmail: string | null };

/**
 * The caller's personal keys, and with a workspace the keys bound to it (all of them for its admins:
 * row-level security), newest first.
 */
export async function listApiKeys(client: PoolClient, workspaceId: string | null): Promise<ListedApiKey[]> {
  const { rows } = await client.query<ListedApiKey>(
    `select k.*, p.email as "creatorEmail"
     from (select ${COLUMNS}, user_id from public.api_keys
           where ($1::uuid is null and user_id = auth.uid()) or workspace_id = $1 or (user_id = auth.uid() and workspace_id is null)) k
     left join public.profiles p on p.user_id = k.user_id
     order by k."createdAt" desc`,
    [workspaceId],
  );
  return rows.map(({ user_id: _, ...k }: ListedApiKey & { user_id?: string }) => k);
}

export async function revokeApiKey(client: PoolClient, id: string): Promise<void> {
  const r = await client.query("update public.api_keys set revoked_at = now() where id = $1 and revoked_at is null", [
    id,
  ]);
  if (r.rowCount === 0) throw new AppError("NOT_FOUND", "no such active API key");
}

/** How precisely a key's "last used" is kept. */
export const LAST_USED_PRECISION_SECONDS = 60;

/**
 * The caller behind an `fct_…` key: its owner's claims (RLS acts as the owner) and the key's limits.
 * Revoked, expired, unknown and malformed keys are refused alike.
 */
export async function authenticateApiKey(pool: Pool, key: string): Promise<ApiKeyCaller> {
  if (!API_KEY_PATTERN.test(key)) throw new AppError("TOKEN_INVALID", "this API key is malformed");
  const { rows } = await pool.query<{
    id: string;
    user_id: string;
    workspace_id: string | null;
    scopes: ApiKeyScope[];
    email: string | null;
  }>({
    // named: prepared once per connection, planned once (every request with a key runs it).
    name: "facet_api_key",
    // "last used" is written when it is a minute old or more: a key making many requests a second
    // (the CLI, a script) does not turn each of its reads into a write and a WAL flush
    text: `with k as (
       select k.id, k.user_id, k.workspace_id, k.scopes, u.email, k.last_used_at
       from public.api_keys k join auth.users u on u.id = k.user_id
       where k.key_hash = $1 and k.revoked_at is null
         and (k.expires_at is null or k.expires_at > now())
         and u.deleted_at is null and coalesce(u.banned_until <= now(), true)
     ), touched as (
       update public.api_keys set last_used_at = now()
       where id = (select id from k where last_used_at is null or last_used_at < now() - interval '${LAST_USED_PRECISION_SECONDS} seconds')
     )
     select id, user_id, workspace_id, scopes, email from k`,
    values: [sha256Hex(key)],
  });
  const row = rows[0];
  if (!row) throw new AppError("TOKEN_INVALID", "this API key is not valid (revoked, expired or unknown)");
  return {
    // a bound key's claims carry its workspace: the database then sees no other workspace for it
    claims: {
      sub: row.user_id,
      role: "authenticated",
      email: row.email ?? undefined,
      api_key_id: row.id,
      ...(row.workspace_id ? { facet_workspace_id: row.workspace_id } : {}),
    },
    apiKey: { id: row.id, workspaceId: row.workspace_id, scopes: row.scopes },
  };
}

/** Whether a key still works (not revoked or expired, its owner neither deleted nor deactivated). */
export async function apiKeyActive(pool: Pool, keyId: string): Promise<boolean> {
  const { rows } = await pool.query(
    `select 1 from public.api_keys k join auth.users u on u.id = k.user_id
     where k.id = $1 and k.revoked_at is null and (k.expires_at is null or k.expires_at > now())
       and u.deleted_at is null and coalesce(u.banned_until <= now(), true)`,
    [keyId],
  );
  return rows.length > 0;
}
