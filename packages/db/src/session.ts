import type pg from "pg";
import { toAppError } from "./errors";
import { timed } from "./request-timing";

/** Supabase-shaped JWT claims, as auth.jwt() sees them. */
export interface Claims {
  sub: string;
  role: "authenticated";
  email?: string;
  aud?: string;
  exp?: number;
  iat?: number;
  session_id?: string;
  [key: string]: unknown;
}

/** Where a request comes from, for the audit log. */
export interface RequestContext {
  actorKind?: "user" | "api_key" | "service" | "system";
  ip?: string | null;
  userAgent?: string | null;
  /**
   * The workspace the request acts in (a route under /api/workspaces/<ws>/…): row-level security and
   * every role check in the database then see no other workspace, whatever else the caller belongs to.
   */
  workspaceId?: string | null;
}

async function inTransaction<T>(
  pool: pg.Pool,
  setup: (client: pg.PoolClient) => Promise<void>,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await timed("tx.pool", () =>
    pool.connect().catch((e: unknown) => {
      throw toAppError(e);
    }),
  );
  try {
    await timed("tx.setup", async () => {
      await client.query("begin");
      await setup(client);
    });
    const result = await timed("tx.work", () => fn(client));
    await timed("tx.commit", () => client.query("commit"));
    return result;
  } catch (e) {
    await client.query("rollback").catch(() => {});
    throw toAppError(e);
  } finally {
    client.release();
  }
}

/**
 * The transaction's role, claims and request context, in one round trip: `set_config(…, true)` is
 * `SET LOCAL` (for `role` too: PostgREST sets the role the same way), so all of it ends with the
 * transaction.
 */
async function setSession(
  client: pg.PoolClient,
  role: "authenticated" | "anon" | "service_role",
  claims: Record<string, unknown> | null,
  ctx: RequestContext,
): Promise<void> {
  await client.query(
    `select set_config('role', $1, true), set_config('request.jwt.claims', $2, true),
            set_config('facet.actor_kind', $3, true), set_config('facet.client_ip', $4, true),
            set_config('facet.user_agent', $5, true), set_config('facet.workspace_id', $6, true)`,
    [
      role,
      claims === null ? "" : JSON.stringify(claims),
      ctx.actorKind ?? "",
      ctx.ip ?? "",
      ctx.userAgent ?? "",
      ctx.workspaceId ?? "",
    ],
  );
}

/** A transaction acting as a Supabase role with these JWT claims, so row-level security applies as there. */
function asRole<T>(
  pool: pg.Pool,
  role: "authenticated" | "anon",
  claims: Record<string, unknown>,
  fn: (client: pg.PoolClient) => Promise<T>,
  ctx: RequestContext,
): Promise<T> {
  return inTransaction(pool, (client) => setSession(client, role, claims, { actorKind: "user", ...ctx }), fn);
}

/**
 * Run `fn` in a transaction as the user: `SET LOCAL ROLE authenticated` and the claims in
 * `request.jwt.claims`, so the same row-level security applies as on Supabase.
 */
export function withUser<T>(
  pool: pg.Pool,
  claims: Claims,
  fn: (client: pg.PoolClient) => Promise<T>,
  ctx: RequestContext = {},
): Promise<T> {
  return asRole(pool, "authenticated", claims, fn, ctx);
}

/**
 * Run `fn` in a transaction as a guest holding a share link: `SET LOCAL ROLE anon` with the token in
 * the claims. Row-level security then shows the link's part (and lets a `comment` link comment on
 * it) while the link is valid, and nothing else.
 */
export function withShareLink<T>(
  pool: pg.Pool,
  token: string,
  fn: (client: pg.PoolClient) => Promise<T>,
  ctx: RequestContext = {},
): Promise<T> {
  return asRole(pool, "anon", { role: "anon", share_token: token }, fn, ctx);
}

/** Run `fn` in a transaction as the service (bypasses RLS: callers check permissions themselves). */
export function withService<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
  ctx: RequestContext = {},
): Promise<T> {
  return inTransaction(
    pool,
    (client) => setSession(client, "service_role", null, { actorKind: "service", ...ctx }),
    fn,
  );
}
