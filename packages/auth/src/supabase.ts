import { AppError, isAppError } from "@facet/core";
import { type Claims, notifySessionsEnded, type Pool } from "@facet/db";
import { combineChunks, createServerClient, stringFromBase64URL } from "@supabase/ssr";
import { createClient } from "@supabase/supabase-js";
import { createRemoteJWKSet, type JWTVerifyGetKey } from "jose";
import { z } from "zod";
import { verifyAccessToken } from "./jwt";
import {
  type AuthProvider,
  authenticateCaller,
  bearerToken,
  type CookieJar,
  type SignedIn,
  sessionRowActive,
} from "./provider";

export interface SupabaseAuthOptions {
  url: string;
  anonKey: string;
  serviceRoleKey: string;
  /** Legacy HS256 projects: the JWT secret. Without it, tokens are checked against the project's JWKS. */
  jwtSecret?: string;
  /**
   * The project's database (as its owner): when given, a token is accepted only while its session
   * row exists in auth.sessions, so signing out, "sign out everywhere" and removals take effect at
   * once rather than when the access token expires.
   */
  pool?: Pool;
}

const sessionCookieSchema = z.object({ access_token: z.string() }).loose();

/** The cookie name @supabase/ssr uses for a project: `sb-<project ref>-auth-token`. */
export function supabaseStorageKey(url: string): string {
  return `sb-${new URL(url).hostname.split(".")[0]}-auth-token`;
}

/** Deployed mode: Supabase Auth, sessions in @supabase/ssr's cookies, claims verified locally. */
export class SupabaseAuthProvider implements AuthProvider {
  readonly kind = "supabase" as const;
  private readonly key: Uint8Array | JWTVerifyGetKey;

  constructor(private readonly o: SupabaseAuthOptions) {
    this.key = o.jwtSecret
      ? new TextEncoder().encode(o.jwtSecret)
      : createRemoteJWKSet(new URL("/auth/v1/.well-known/jwks.json", o.url));
  }

  private client(jar: CookieJar) {
    return createServerClient(this.o.url, this.o.anonKey, {
      cookies: {
        getAll: () => jar.getAll(),
        setAll: (cookies) => {
          for (const c of cookies) jar.set(c.name, c.value, c.options as Parameters<CookieJar["set"]>[2]);
        },
      },
    });
  }

  async createUser(input: { email: string; password: string; displayName?: string }): Promise<SignedIn> {
    const admin = createClient(this.o.url, this.o.serviceRoleKey, { auth: { persistSession: false } });
    const { data, error } = await admin.auth.admin.createUser({
      email: input.email,
      password: input.password,
      email_confirm: true,
      user_metadata: input.displayName ? { display_name: input.displayName } : {},
    });
    if (error || !data.user) {
      if (error?.status === 422 || /already/i.test(error?.message ?? "")) {
        throw new AppError("EMAIL_TAKEN", "an account with this email already exists: sign in instead");
      }
      throw new AppError("UNAVAILABLE", `Supabase Auth refused to create the account: ${error?.message ?? "no user"}`);
    }
    return { userId: data.user.id, email: data.user.email ?? input.email };
  }

  async deleteUser(userId: string): Promise<void> {
    const admin = createClient(this.o.url, this.o.serviceRoleKey, { auth: { persistSession: false } });
    await admin.auth.admin.deleteUser(userId);
  }

  async signIn(input: { email: string; password: string }, jar: CookieJar): Promise<SignedIn> {
    const { data, error } = await this.client(jar).auth.signInWithPassword(input);
    if (error || !data.user) throw new AppError("INVALID_CREDENTIALS", "wrong email or password");
    return { userId: data.user.id, email: data.user.email ?? input.email };
  }

  async checkPassword(input: { email: string; password: string }): Promise<SignedIn> {
    // a throwaway session, kept in memory only: signed in to check the password, then ended (that
    // session alone: scope "local")
    const client = createClient(this.o.url, this.o.anonKey, { auth: { persistSession: false } });
    const { data, error } = await client.auth.signInWithPassword(input);
    if (error || !data.user) throw new AppError("INVALID_CREDENTIALS", "wrong email or password");
    await client.auth.signOut({ scope: "local" }).catch(() => {});
    return { userId: data.user.id, email: data.user.email ?? input.email };
  }

  async signOut(jar: CookieJar): Promise<void> {
    const claims = await this.authenticate(jar).catch(() => null);
    await this.client(jar).auth.signOut();
    if (claims && this.o.pool) {
      await notifySessionsEnded(this.o.pool, { userId: claims.sub, sessionId: claims.session_id ?? null });
    }
  }

  /** @supabase/ssr refreshes an expired session from its refresh token and writes the cookies back. */
  async refresh(jar: CookieJar): Promise<Claims | null> {
    const { data, error } = await this.client(jar).auth.refreshSession();
    if (error || !data.session) return null;
    return verifyAccessToken(data.session.access_token, this.key);
  }

  /** Deleting the sessions ends their refresh tokens in Supabase Auth and (with `pool`) their access tokens here. */
  async endSessions(userId: string): Promise<number> {
    if (!this.o.pool) {
      throw new AppError("UNAVAILABLE", "ending sessions needs the database connection (SupabaseAuthOptions.pool)");
    }
    const r = await this.o.pool.query("delete from auth.sessions where user_id = $1", [userId]);
    await notifySessionsEnded(this.o.pool, { userId, sessionId: null });
    return r.rowCount ?? 0;
  }

  /** Read the access token from @supabase/ssr's (possibly chunked, base64url) session cookie. */
  async accessTokenFromCookies(jar: CookieJar): Promise<string | null> {
    const cookies = new Map(jar.getAll().map((c) => [c.name, c.value]));
    const raw = await combineChunks(supabaseStorageKey(this.o.url), (name) => cookies.get(name));
    if (!raw) return null;
    const text = raw.startsWith("base64-") ? stringFromBase64URL(raw.slice("base64-".length)) : raw;
    try {
      const parsed = sessionCookieSchema.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data.access_token : null;
    } catch {
      return null;
    }
  }

  authenticate(jar: CookieJar, authorization?: string | null): Promise<Claims | null> {
    return authenticateCaller(this, jar, authorization);
  }

  async verifyToken(jar: CookieJar, authorization?: string | null): Promise<Claims | null> {
    const bearer = bearerToken(authorization);
    const token = bearer ?? (await this.accessTokenFromCookies(jar));
    if (!token) return null;
    try {
      return await verifyAccessToken(token, this.key);
    } catch (e) {
      if (bearer === null && isAppError(e) && e.code === "TOKEN_EXPIRED") {
        const refreshed = await this.refresh(jar).catch(() => null);
        if (refreshed) return refreshed;
      }
      throw e;
    }
  }

  shouldRefresh(jar: CookieJar, marginSeconds: number): boolean {
    // @supabase/ssr's cookie is read asynchronously (chunks); its access token's expiry is enough here
    const cookies = new Map(jar.getAll().map((c) => [c.name, c.value]));
    const key = supabaseStorageKey(this.o.url);
    const raw = cookies.get(key) ?? [0, 1, 2, 3, 4].map((i) => cookies.get(`${key}.${i}`) ?? "").join("");
    if (!raw) return false;
    try {
      const text = raw.startsWith("base64-") ? stringFromBase64URL(raw.slice("base64-".length)) : raw;
      const session = JSON.parse(text) as { expires_at?: number; refresh_token?: string };
      if (!session.refresh_token) return false;
      return typeof session.expires_at !== "number" || session.expires_at * 1000 < Date.now() + marginSeconds * 1000;
    } catch {
      return false;
    }
  }

  /** Without the database connection only the token's own expiry ends a session. */
  async sessionActive(claims: Claims): Promise<boolean> {
    if (!this.o.pool) return typeof claims.exp !== "number" || claims.exp * 1000 > Date.now();
    return sessionRowActive(this.o.pool, claims);
  }
}
