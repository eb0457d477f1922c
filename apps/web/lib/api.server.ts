import "server-only";
import { type ApiKeyCaller, authenticateApiKey, bearerToken, type CookieJar, identifyCaller } from "@facet/auth";
import {
  type ApiKeyScope,
  AppError,
  CAPABILITIES,
  type Capability,
  isAppError,
  type MemberRole,
  roleCan,
  roleInSentence,
  SCOPE_FOR,
} from "@facet/core";
import {
  type Claims,
  collectTimings,
  databaseUnavailable,
  findWorkspaceForMember,
  type PoolClient,
  type RateLimit,
  type RequestContext,
  RequestTimings,
  takeRateLimits,
  timed,
  withUser,
} from "@facet/db";
import { cookies, headers } from "next/headers";
import { type NextRequest, NextResponse } from "next/server";
import type { z } from "zod";
import { clientAddress, isHttps, requestHost } from "./client-address";
import { context } from "./context.server";
import { env } from "./env.server";
import { checkJsonInput } from "./json-input";
import { serverLog } from "./log.server";

const MAX_JSON_BYTES = 1_000_000;

export function json(data: unknown, status = 200): NextResponse {
  return NextResponse.json(data, { status, headers: { "Cache-Control": "no-store" } });
}

/**
 * The one place errors become HTTP responses: stable code, human message, never a stack trace. What
 * is not the caller's mistake is logged as a JSON line with the request's id (the listener's line for
 * the same id has the route; raw paths are not logged: they can hold share tokens).
 */
export function errorResponse(thrown: unknown, where: { method: string; requestId: string | null }): NextResponse {
  const fields = { method: where.method, request_id: where.requestId ?? undefined };
  // the database restarting or unreachable, wherever it was met: 503, try again shortly
  const e = databaseUnavailable(thrown) ?? thrown;
  if (isAppError(e)) {
    if (!e.isUserError) serverLog.error("request failed", { ...fields, code: e.code, error: e.message });
    const res = json(e.toJSON(), e.status);
    const wait = e.details?.retryAfterSeconds;
    if ((e.code === "RATE_LIMITED" || e.code === "UNAVAILABLE") && typeof wait === "number")
      res.headers.set("Retry-After", String(wait));
    return res;
  }
  serverLog.error("unexpected error", { ...fields, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  return json({ error: { code: "INTERNAL", message: "something went wrong on our side; it has been logged" } }, 500);
}

type Handler<P> = (req: NextRequest, params: P) => Promise<Response>;

/**
 * Wrap a route handler: errors mapped to JSON, and cross-site writes refused. With
 * FACET_SERVER_TIMING on, the answer says where its time went (Server-Timing).
 */
export function route<P = Record<string, never>>(handler: Handler<P>) {
  const answer = async (req: NextRequest, ctx: { params: Promise<P> }): Promise<Response> => {
    const where = { method: req.method, requestId: req.headers.get("x-request-id") };
    try {
      if (!["GET", "HEAD", "OPTIONS"].includes(req.method)) assertSameOrigin(req);
      return await handler(req, await ctx.params);
    } catch (e) {
      return errorResponse(e, where);
    }
  };
  return async (req: NextRequest, ctx: { params: Promise<P> }): Promise<Response> => {
    if (env().FACET_SERVER_TIMING === "off") return answer(req, ctx);
    const timings = new RequestTimings();
    const started = performance.now();
    const res = await collectTimings(timings, () => answer(req, ctx));
    timings.add("handler", performance.now() - started);
    try {
      res.headers.append("Server-Timing", timings.header());
    } catch {
      // an answer whose headers are immutable (a redirect made by Response.redirect): sent without
    }
    return res;
  };
}

function assertSameOrigin(req: NextRequest): void {
  const origin = req.headers.get("origin");
  if (!origin) return; // not a browser, or a same-origin navigation: cookies are SameSite=Lax anyway
  const host = requestHost(req.headers, env().FACET_TRUSTED_PROXIES);
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    throw new AppError("FORBIDDEN", "malformed Origin header");
  }
  if (originHost !== host) throw new AppError("FORBIDDEN", "cross-site request refused");
}

/**
 * The request body as text, at most `limit` bytes: a declared Content-Length over the limit is
 * refused before reading, and a body without one (chunked) is cut off as soon as it passes it.
 */
export async function readBodyText(req: NextRequest, limit = MAX_JSON_BYTES): Promise<string> {
  return new TextDecoder("utf-8", { fatal: false }).decode(await readBodyBytes(req, limit));
}

/** The request body's bytes, at most `limit` (refused as readBodyText refuses). */
export async function readBodyBytes(req: NextRequest, limit: number): Promise<Buffer> {
  const tooLarge = () => new AppError("PAYLOAD_TOO_LARGE", `request bodies are limited to ${limit} bytes`);
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw tooLarge();
  if (!req.body) return Buffer.alloc(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** Parse a JSON body against a schema; INVALID_JSON / VALIDATION_FAILED with the first problems named. */
export async function parseBody<S extends z.ZodType>(req: NextRequest, schema: S): Promise<z.infer<S>> {
  return timed("body", async () => parseText(await readBodyText(req), schema));
}

function parseText<S extends z.ZodType>(text: string, schema: S): z.infer<S> {
  let data: unknown;
  try {
    data = text === "" ? {} : JSON.parse(text);
  } catch {
    throw new AppError("INVALID_JSON", "the request body is not valid JSON");
  }
  checkJsonInput(data);
  const r = schema.safeParse(data);
  if (!r.success) {
    const issues = r.error.issues.slice(0, 5).map((i) => ({ path: i.path.join("."), message: i.message }));
    const first = issues[0];
    throw new AppError(
      "VALIDATION_FAILED",
      first ? `${first.path ? `${first.path}: ` : ""}${first.message}` : "invalid request",
      { issues },
    );
  }
  return r.data;
}

export function parseParam<S extends z.ZodType>(value: unknown, schema: S, name: string): z.infer<S> {
  if (typeof value === "string") checkJsonInput(value);
  const r = schema.safeParse(value);
  if (!r.success) throw new AppError("VALIDATION_FAILED", `${name}: ${r.error.issues[0]?.message ?? "invalid"}`);
  return r.data;
}

/**
 * The request's cookies as the auth adapters see them (writable in route handlers). Cookies set
 * over https are always `Secure`.
 */
export async function cookieJar(): Promise<CookieJar> {
  const store = await cookies();
  const e = env();
  const https = isHttps(await headers(), e.FACET_TRUSTED_PROXIES, e.FACET_PUBLIC_URL);
  return {
    getAll: () => store.getAll().map((c) => ({ name: c.name, value: c.value })),
    set: (name, value, options) => {
      try {
        store.set(name, value, { ...options, secure: options.secure || https });
      } catch {
        // read-only in server components: nothing to write there
      }
    },
  };
}

/** Who and where from, for the audit log and the rate limits (the address only as far as it can be trusted). */
export function requestContext(req: NextRequest): RequestContext {
  return {
    ip: clientAddress(req.headers, env().FACET_TRUSTED_PROXIES),
    userAgent: req.headers.get("user-agent")?.slice(0, 500) ?? null,
  };
}

/**
 * Spend `cost` of rate limits (shared by every web process), one round trip for all of them;
 * RATE_LIMITED with Retry-After when one is spent. A limit that is off (null) or has no key is skipped.
 */
export async function rateLimit(
  hits: Array<{ bucket: string; key: string; limit: RateLimit | null; cost?: number }>,
  message: string,
): Promise<void> {
  const on = hits.flatMap((h) => (h.limit && h.key ? [{ ...h, limit: h.limit }] : []));
  const { pool } = await context();
  const wait = await timed("rate", () => takeRateLimits(pool, on));
  if (wait > 0) throw new AppError("RATE_LIMITED", message, { retryAfterSeconds: Math.ceil(wait) });
}

export interface Caller {
  claims: Claims;
  /** Set when the request is authenticated by an API key: its workspace binding and scopes. */
  apiKey: ApiKeyCaller["apiKey"] | null;
}

/**
 * Who calls: a session (cookie or Bearer JWT) or an API key (`Bearer fct_…`). 401 otherwise.
 * Each call counts against the API rate limit of its user, and of its key.
 */
export async function requireCaller(req: NextRequest): Promise<Caller> {
  const { caller, session, withinLimits } = await identify(req);
  await session;
  await withinLimits;
  return caller;
}

/**
 * The caller, the check of their session and their spending of the API rate limits under way
 * (SESSION_REVOKED, RATE_LIMITED): a request that has more to look up (its workspace) does it
 * meanwhile, not after. Nothing may be acted on before `session` has been awaited.
 */
async function identify(
  req: NextRequest,
): Promise<{ caller: Caller; session: Promise<void>; withinLimits: Promise<void> }> {
  const { auth, pool } = await context();
  const authorization = req.headers.get("authorization");
  const bearer = bearerToken(authorization);
  const { caller, session } = await timed("auth", async (): Promise<{ caller: Caller; session: Promise<void> }> => {
    // an API key's lookup checks that it is live (not revoked, not expired) in the same statement
    if (bearer?.startsWith("fct_"))
      return { caller: await authenticateApiKey(pool, bearer), session: Promise.resolve() };
    const who = await identifyCaller(auth, await cookieJar(), authorization);
    if (!who) throw new AppError("UNAUTHENTICATED", "sign in first");
    return { caller: { claims: who.claims, apiKey: null }, session: timed("session", () => who.session) };
  });
  const limit = env().FACET_RATE_LIMIT_API;
  const withinLimits = rateLimit(
    [
      { bucket: "api:user", key: caller.claims.sub, limit },
      ...(caller.apiKey ? [{ bucket: "api:key", key: caller.apiKey.id, limit }] : []),
    ],
    "too many requests: slow down and try again after the time in Retry-After",
  );
  // awaited by the caller; until then a refusal must not count as unhandled
  withinLimits.catch(() => {});
  session.catch(() => {});
  return { caller, session, withinLimits };
}

/** The caller's verified claims, or 401. */
export async function requireUser(req: NextRequest): Promise<Claims> {
  return (await requireCaller(req)).claims;
}

/**
 * A person acting for themselves, beyond any one workspace (create a workspace, join one, manage
 * their keys): a session, or an API key that is bound to no workspace and has `scope`. Keys bound to
 * a workspace never act outside it; `scope: null` refuses API keys altogether.
 */
export async function requirePerson(req: NextRequest, scope: ApiKeyScope | null): Promise<Caller> {
  const caller = await requireCaller(req);
  if (!caller.apiKey) return caller;
  if (scope === null) throw new AppError("FORBIDDEN", "this is done by a signed-in person, not with an API key");
  if (caller.apiKey.workspaceId) {
    throw new AppError("FORBIDDEN", "this API key is bound to one workspace and cannot act outside it");
  }
  checkScope(caller, scope);
  return caller;
}

function checkScope(caller: Caller, scope: ApiKeyScope): void {
  if (caller.apiKey && !caller.apiKey.scopes.includes(scope)) {
    throw new AppError(
      "SCOPE_REQUIRED",
      `this API key lacks the scope "${scope}" (it has: ${caller.apiKey.scopes.join(", ")})`,
    );
  }
}

/**
 * A request acting in a workspace: the caller must be a member (404-free: NOT_A_MEMBER), and,
 * when a capability is named, hold a role that has it (ROLE_REQUIRED, checked before RLS does).
 * An API key needs the capability's scope (`read` without one), or `options.scope` when given.
 */
export async function inWorkspace(
  req: NextRequest,
  ws: string,
  capability?: Capability,
  options: { scope?: ApiKeyScope } = {},
) {
  const { caller, session, withinLimits } = await identify(req);
  checkJsonInput(ws);
  const { claims } = caller;
  const base: RequestContext = { ...requestContext(req), actorKind: caller.apiKey ? "api_key" : "user" };
  const { pool } = await context();
  // the session's check, the rate limits and the membership, in parallel: three round trips at the
  // time of one. An ended session is refused first, whatever the others found.
  const membership = timed("member", () => findWorkspaceForMember(pool, claims, ws, base));
  membership.catch(() => {});
  await session;
  const [workspace] = await Promise.all([membership, withinLimits]);
  if (caller.apiKey?.workspaceId && caller.apiKey.workspaceId !== workspace.id) {
    throw new AppError("NOT_A_MEMBER", "this API key belongs to another workspace");
  }
  // From here on the database sees this workspace only: every row read or written, every role
  // checked, whatever other workspaces the caller belongs to.
  const ctx: RequestContext = { ...base, workspaceId: workspace.id };
  checkScope(caller, options.scope ?? (capability ? SCOPE_FOR[capability] : "read"));
  if (capability && !roleCan(workspace.role, capability)) {
    const allowed = (CAPABILITIES[capability] as readonly MemberRole[]).map(roleInSentence);
    throw new AppError(
      "ROLE_REQUIRED",
      `only ${new Intl.ListFormat("en", { type: "disjunction" }).format(allowed)} may do this; you are ${roleInSentence(workspace.role)} here`,
    );
  }
  return {
    caller,
    claims,
    ctx,
    workspace,
    run: <T>(fn: (c: PoolClient) => Promise<T>) => withUser(pool, claims, fn, ctx),
  };
}

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
type Method = (typeof METHODS)[number];
type RouteFn<P> = (req: NextRequest, ctx: { params: Promise<P> }) => Promise<Response>;

/**
 * All five methods for a route file: the given handlers, and a JSON 405 for the rest (Next.js
 * would answer an empty 405). Use as `export const { GET, POST, PUT, PATCH, DELETE } = methods({...})`.
 */
export function methods<P = Record<string, never>>(
  handlers: Partial<Record<Method, RouteFn<P>>>,
): Record<Method, RouteFn<P>> {
  const allowed = METHODS.filter((m) => handlers[m]);
  const refuse: RouteFn<P> = async (req) => {
    const res = json(
      {
        error: {
          code: "METHOD_NOT_ALLOWED",
          message: `${req.method} is not supported here; use ${allowed.join(" or ")}`,
        },
      },
      405,
    );
    res.headers.set("Allow", allowed.join(", "));
    return res;
  };
  return Object.fromEntries(METHODS.map((m) => [m, handlers[m] ?? refuse])) as Record<Method, RouteFn<P>>;
}
