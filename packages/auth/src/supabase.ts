import { AppError } from "@facet/core";
import type { Claims } from "@facet/db";
import { combineChunks, createServerClient, stringFromBase64URL } from "@supabase/ssr";
import { createClient } from "@supabase/supabase-js";
import { createRemoteJWKSet, type JWTVerifyGetKey } from "jose";
import { z } from "zod";
import { verifyAccessToken } from "./jwt";
import { type AuthProvider, bearerToken, type CookieJar, type SignedIn } from "./provider";

export interface SupabaseAuthOptions {
  url: string;
  anonKey: string;
  serviceRoleKey: string;
  /** Legacy HS256 projects: the JWT secret. Without it, tokens are checked against the project's JWKS. */
  jwtSecret?: string;
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

  async signOut(jar: CookieJar): Promise<void> {
    await this.client(jar).auth.signOut();
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

  async authenticate(jar: CookieJar, authorization?: string | null): Promise<Claims | null> {
    const token = bearerToken(authorization) ?? (await this.accessTokenFromCookies(jar));
    if (!token) return null;
    return verifyAccessToken(token, this.key);
  }
}
