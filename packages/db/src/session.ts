import { AppError } from "@facet/core";
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

type Role = "authenticated" | "anon" | "service_role";

/** Who a transaction acts as, and for what request. */
interface Session {
  role: Role;
  claims: Record<string, unknown> | null;
  ctx: RequestContext;
}

async function connect(pool: pg.Pool): Promise<pg.PoolClient> {
  return timed("tx.pool", () =>
    pool.connect().catch((e: unknown) => {
      throw toAppError(e);
    }),
  );
}

/**
 * The statement that gives a transaction its role, claims and request context: `set_config(…,
 * true)` is `SET LOCAL` (for `role` too: PostgREST sets the role the same way), so all of it ends
 * with the transaction. Its values are literals escaped by the client (node-postgres'
 * `escapeLiteral`, as libpq's `PQescapeLiteral`), so that it travels with `begin`, or with a
 * lookup, in one simple query: one round trip where three were.
 */
function sessionStatement(client: pg.PoolClient, s: Session): string {
  const literal = (v: string) => escaped(client, v);
  return `select set_config('role', ${literal(s.role)}, true),
    set_config('request.jwt.claims', ${literal(s.claims === null ? "" : JSON.stringify(s.claims))}, true),
    set_config('facet.actor_kind', ${literal(s.ctx.actorKind ?? "")}, true),
    set_config('facet.client_ip', ${literal(s.ctx.ip ?? "")}, true),
    set_config('facet.user_agent', ${literal(s.ctx.userAgent ?? "")}, true),
    set_config('facet.workspace_id', ${literal(s.ctx.workspaceId ?? "")}, true)`;
}

/**
 * A value as an SQL literal. A NUL cannot travel inside a query's text (the protocol ends the text
 * there): refused, as PostgreSQL refuses it in a parameter.
 */
function escaped(client: pg.PoolClient, value: string): string {
  if (value.includes("\u0000")) throw new AppError("VALIDATION_FAILED", "text may not contain NUL characters");
  return client.escapeLiteral(value);
}

async function inTransaction<T>(
  pool: pg.Pool,
  session: Session,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await connect(pool);
  try {
    await timed("tx.setup", () => client.query(`begin; ${sessionStatement(client, session)}`));
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
 * One statement as the user, in one round trip: the session's settings and the statement are one
 * simple query, which PostgreSQL runs as one implicit transaction (the settings end with it; an
 * error undoes both). For the lookups every request makes. `statement` builds the SQL with values
 * escaped as literals by the function it is given (there are no $n parameters in a simple query).
 */
export async function readAsUser<R extends pg.QueryResultRow>(
  pool: pg.Pool,
  claims: Claims,
  statement: (literal: (value: string) => string) => string,
  ctx: RequestContext = {},
): Promise<R[]> {
  const client = await connect(pool);
  try {
    const session = sessionStatement(client, { role: "authenticated", claims, ctx: { actorKind: "user", ...ctx } });
    const sql = `${session}; ${statement((v) => escaped(client, v))}`;
    const results = (await timed("tx.work", () => client.query(sql))) as unknown as pg.QueryResult<R>[];
    return results[results.length - 1]?.rows ?? [];
  } catch (e) {
    throw toAppError(e);
  } finally {
    client.release();
  }
}

/** A transaction acting as a Supabase role with these JWT claims, so row-level security applies as there. */
function asRole<T>(
  pool: pg.Pool,
  role: "authenticated" | "anon",
  claims: Record<string, unknown>,
  fn: (client: pg.PoolClient) => Promise<T>,
  ctx: RequestContext,
): Promise<T> {
  return inTransaction(pool, { role, claims, ctx: { actorKind: "user", ...ctx } }, fn);
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
  return inTransaction(pool, { role: "service_role", claims: null, ctx: { actorKind: "service", ...ctx } }, fn);
}
