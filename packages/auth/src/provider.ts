import { AppError } from "@facet/core";
import type { Claims, Pool, RequestContext } from "@facet/db";

export interface CookieOptions {
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: "lax" | "strict" | "none";
  path?: string;
  maxAge?: number;
  expires?: Date;
  domain?: string;
}

/** The request's cookies, as the web framework exposes them. */
export interface CookieJar {
  getAll(): Array<{ name: string; value: string }>;
  set(name: string, value: string, options: CookieOptions): void;
}

export interface SignedIn {
  userId: string;
  email: string;
}

/**
 * How people sign in. Embedded: built-in accounts (scrypt) and Supabase-shaped JWTs in an
 * HttpOnly cookie. Deployed: Supabase Auth through @supabase/ssr. Chosen by configuration.
 */
export interface AuthProvider {
  readonly kind: "embedded" | "supabase";
  createUser(input: { email: string; password: string; displayName?: string }): Promise<SignedIn>;
  /** Undo createUser when what followed it failed, so no half-made account is left. */
  deleteUser(userId: string): Promise<void>;
  signIn(input: { email: string; password: string }, jar: CookieJar, ctx?: RequestContext): Promise<SignedIn>;
  /**
   * Check email and password without starting a browser session (the CLI's token exchange).
   * INVALID_CREDENTIALS alike for an unknown email, a wrong password and a deactivated account.
   */
  checkPassword(input: { email: string; password: string }): Promise<SignedIn>;
  signOut(jar: CookieJar): Promise<void>;
  /**
   * Continue a browser session whose access token expired, from its refresh token (rotated at each
   * use). Writes the new cookies to the jar; null when the session cannot continue.
   */
  refresh(jar: CookieJar): Promise<Claims | null>;
  /** End every session of a user (sign out everywhere, removal from the last workspace, deactivation). */
  endSessions(userId: string): Promise<number>;
  /** Whether the session behind these claims is still going (not signed out, expired or deactivated). */
  sessionActive(claims: Claims): Promise<boolean>;
  /**
   * Whether the browser's cookies hold a session whose access token has expired or is about to
   * (within `marginSeconds`), so that `refresh` should run before the request is handled.
   */
  shouldRefresh(jar: CookieJar, marginSeconds: number): boolean;
  /**
   * The caller's verified claims, from the session cookie or an `Authorization: Bearer` JWT, whose
   * session is still going (SESSION_REVOKED otherwise). Null when the request carries no credentials;
   * throws AppError when they are invalid or expired.
   */
  authenticate(jar: CookieJar, authorization?: string | null): Promise<Claims | null>;
  /**
   * `authenticate` without the session's check (a database round trip): the token's signature,
   * expiry and audience only, refreshing a browser session whose access token expired. Never act on
   * these claims alone: `identifyCaller` pairs them with the check.
   */
  verifyToken(jar: CookieJar, authorization?: string | null): Promise<Claims | null>;
}

/** A caller's verified claims, and the check of their session under way. */
export interface Identified {
  claims: Claims;
  /** Rejects with SESSION_REVOKED when the session ended: await it before acting on `claims`. */
  session: Promise<void>;
}

/**
 * Authenticate in two parts: the token's verified claims now, and its session's check as a promise,
 * so that a request can look up what else it needs (its workspace, its rate limits) meanwhile instead
 * of after. Null when the request carries no credentials.
 */
export async function identifyCaller(
  auth: Pick<AuthProvider, "verifyToken" | "sessionActive">,
  jar: CookieJar,
  authorization?: string | null,
): Promise<Identified | null> {
  const claims = await auth.verifyToken(jar, authorization);
  if (!claims) return null;
  const session = auth.sessionActive(claims).then((active) => {
    // signed out, or the account was deleted or deactivated: the session row is gone or unusable
    if (!active) throw new AppError("SESSION_REVOKED", "this session has ended: sign in again");
  });
  // awaited by the caller; until then a refusal must not count as unhandled
  session.catch(() => {});
  return { claims, session };
}

/** `AuthProvider.authenticate` from its two parts, one after the other. */
export async function authenticateCaller(
  auth: Pick<AuthProvider, "verifyToken" | "sessionActive">,
  jar: CookieJar,
  authorization?: string | null,
): Promise<Claims | null> {
  const who = await identifyCaller(auth, jar, authorization);
  if (!who) return null;
  await who.session;
  return who.claims;
}

export function bearerToken(authorization: string | null | undefined): string | null {
  const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? "");
  return m?.[1] ?? null;
}

export function cookieValue(jar: CookieJar, name: string): string | undefined {
  return jar.getAll().find((c) => c.name === name)?.value;
}

/**
 * A session as Supabase Auth and the built-in accounts both keep it (auth.sessions): still there,
 * not past `not_after`, and its account neither deleted nor deactivated (`banned_until`).
 */
export async function sessionRowActive(pool: Pool, claims: Claims): Promise<boolean> {
  // named: prepared once per connection, planned once (every request signed in with a session runs it)
  const { rows } = await pool.query({
    name: "facet_session_active",
    text: `select 1 from auth.sessions s join auth.users u on u.id = s.user_id
     where s.id = $1 and s.user_id = $2 and (s.not_after is null or s.not_after > now())
       and u.deleted_at is null and coalesce(u.banned_until <= now(), true)`,
    values: [claims.session_id ?? null, claims.sub],
  });
  return rows.length > 0;
}

/** A JWT's `exp` (seconds), read without verifying: only to decide when to refresh. */
export function unverifiedExpiry(token: string | undefined): number | null {
  const payload = token?.split(".")[1];
  if (!payload) return null;
  try {
    const exp = (JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { exp?: unknown }).exp;
    return typeof exp === "number" ? exp : null;
  } catch {
    return null;
  }
}
