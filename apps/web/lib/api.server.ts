import "server-only";
import { type ApiKeyCaller, authenticateApiKey, bearerToken, type CookieJar } from "@facet/auth";
import {
  type ApiKeyScope,
  AppError,
  CAPABILITIES,
  type Capability,
  isAppError,
  type MemberRole,
  ROLE_LABELS,
  roleCan,
  SCOPE_FOR,
} from "@facet/core";
import { type Claims, getWorkspaceForMember, type PoolClient, type RequestContext, withUser } from "@facet/db";
import { cookies } from "next/headers";
import { type NextRequest, NextResponse } from "next/server";
import type { z } from "zod";
import { context } from "./context.server";

const MAX_JSON_BYTES = 1_000_000;

export function json(data: unknown, status = 200): NextResponse {
  return NextResponse.json(data, { status, headers: { "Cache-Control": "no-store" } });
}

/** The one place errors become HTTP responses: stable code, human message, never a stack trace. */
export function errorResponse(e: unknown, where: string): NextResponse {
  if (isAppError(e)) {
    if (!e.isUserError) console.error(`[api] ${where}: ${e.code} ${e.message}`);
    return json(e.toJSON(), e.status);
  }
  console.error(`[api] ${where}: unexpected error`, e);
  return json({ error: { code: "INTERNAL", message: "something went wrong on our side; it has been logged" } }, 500);
}

type Handler<P> = (req: NextRequest, params: P) => Promise<Response>;

/** Wrap a route handler: errors mapped to JSON, and cross-site writes refused. */
export function route<P = Record<string, never>>(handler: Handler<P>) {
  return async (req: NextRequest, ctx: { params: Promise<P> }): Promise<Response> => {
    const where = `${req.method} ${req.nextUrl.pathname}`;
    try {
      if (!["GET", "HEAD", "OPTIONS"].includes(req.method)) assertSameOrigin(req);
      return await handler(req, await ctx.params);
    } catch (e) {
      return errorResponse(e, where);
    }
  };
}

function assertSameOrigin(req: NextRequest): void {
  const origin = req.headers.get("origin");
  if (!origin) return; // not a browser, or a same-origin navigation: cookies are SameSite=Lax anyway
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    throw new AppError("FORBIDDEN", "malformed Origin header");
  }
  if (originHost !== host) throw new AppError("FORBIDDEN", "cross-site request refused");
}

/** Parse a JSON body against a schema; INVALID_JSON / VALIDATION_FAILED with the first problems named. */
export async function parseBody<S extends z.ZodType>(req: NextRequest, schema: S): Promise<z.infer<S>> {
  const length = Number(req.headers.get("content-length") ?? 0);
  if (length > MAX_JSON_BYTES)
    throw new AppError("PAYLOAD_TOO_LARGE", `JSON bodies are limited to ${MAX_JSON_BYTES} bytes`);
  const text = await req.text();
  if (text.length > MAX_JSON_BYTES)
    throw new AppError("PAYLOAD_TOO_LARGE", `JSON bodies are limited to ${MAX_JSON_BYTES} bytes`);
  let data: unknown;
  try {
    data = text === "" ? {} : JSON.parse(text);
  } catch {
    throw new AppError("INVALID_JSON", "the request body is not valid JSON");
  }
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
  const r = schema.safeParse(value);
  if (!r.success) throw new AppError("VALIDATION_FAILED", `${name}: ${r.error.issues[0]?.message ?? "invalid"}`);
  return r.data;
}

/** The request's cookies as the auth adapters see them (writable in route handlers). */
export async function cookieJar(): Promise<CookieJar> {
  const store = await cookies();
  return {
    getAll: () => store.getAll().map((c) => ({ name: c.name, value: c.value })),
    set: (name, value, options) => {
      try {
        store.set(name, value, options);
      } catch {
        // read-only in server components: nothing to write there
      }
    },
  };
}

export function requestContext(req: NextRequest): RequestContext {
  const forwarded = req.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  const ip = forwarded && /^[0-9a-f.:]+$/i.test(forwarded) ? forwarded : null;
  return { ip, userAgent: req.headers.get("user-agent") };
}

export interface Caller {
  claims: Claims;
  /** Set when the request is authenticated by an API key: its workspace binding and scopes. */
  apiKey: ApiKeyCaller["apiKey"] | null;
}

/** Who calls: a session (cookie or Bearer JWT) or an API key (`Bearer fct_…`). 401 otherwise. */
export async function requireCaller(req: NextRequest): Promise<Caller> {
  const { auth, pool } = await context();
  const authorization = req.headers.get("authorization");
  const bearer = bearerToken(authorization);
  if (bearer?.startsWith("fct_")) return authenticateApiKey(pool, bearer);
  const claims = await auth.authenticate(await cookieJar(), authorization);
  if (!claims) throw new AppError("UNAUTHENTICATED", "sign in first");
  return { claims, apiKey: null };
}

/** The caller's verified claims, or 401. */
export async function requireUser(req: NextRequest): Promise<Claims> {
  return (await requireCaller(req)).claims;
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
 */
export async function inWorkspace(req: NextRequest, ws: string, capability?: Capability) {
  const caller = await requireCaller(req);
  const { claims } = caller;
  const ctx: RequestContext = { ...requestContext(req), actorKind: caller.apiKey ? "api_key" : "user" };
  const { pool } = await context();
  const workspace = await withUser(pool, claims, (c) => getWorkspaceForMember(c, ws), ctx);
  if (caller.apiKey?.workspaceId && caller.apiKey.workspaceId !== workspace.id) {
    throw new AppError("NOT_A_MEMBER", "this API key belongs to another workspace");
  }
  checkScope(caller, capability ? SCOPE_FOR[capability] : "read");
  if (capability && !roleCan(workspace.role, capability)) {
    const allowed = (CAPABILITIES[capability] as readonly MemberRole[]).map((r) => ROLE_LABELS[r].toLowerCase());
    throw new AppError(
      "ROLE_REQUIRED",
      `this needs the role ${allowed.join(" or ")}; you are ${ROLE_LABELS[workspace.role].toLowerCase()} here`,
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
