import type { Claims, RequestContext } from "@facet/db";

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
  signOut(jar: CookieJar): Promise<void>;
  /**
   * The caller's verified claims, from the session cookie or an `Authorization: Bearer` JWT.
   * Null when the request carries no credentials; throws AppError when they are invalid or expired.
   */
  authenticate(jar: CookieJar, authorization?: string | null): Promise<Claims | null>;
}

export function bearerToken(authorization: string | null | undefined): string | null {
  const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? "");
  return m?.[1] ?? null;
}

export function cookieValue(jar: CookieJar, name: string): string | undefined {
  return jar.getAll().find((c) => c.name === name)?.value;
}
