import { AppError } from "@facet/core";
import type { Claims, Pool, RequestContext } from "@facet/db";
import { signAccessToken, verifyAccessToken } from "./jwt";
import { hashPassword, verifyPassword } from "./password";
import { type AuthProvider, bearerToken, type CookieJar, cookieValue, type SignedIn } from "./provider";

export const SESSION_COOKIE = "facet-session";

export interface EmbeddedAuthOptions {
  /** A pool connected as the database owner: the auth schema is the auth server's, not the users'. */
  pool: Pool;
  jwtSecret: string;
  sessionTtlSeconds: number;
  secureCookies: boolean;
  issuer?: string;
}

/** Built-in accounts for the embedded default: scrypt passwords, sessions in auth.sessions. */
export class EmbeddedAuthProvider implements AuthProvider {
  readonly kind = "embedded" as const;
  private readonly secret: Uint8Array;

  constructor(private readonly o: EmbeddedAuthOptions) {
    if (o.jwtSecret.length < 32) throw new Error("the JWT secret must have at least 32 characters");
    this.secret = new TextEncoder().encode(o.jwtSecret);
  }

  async createUser(input: { email: string; password: string; displayName?: string }): Promise<SignedIn> {
    const hash = await hashPassword(input.password);
    try {
      const { rows } = await this.o.pool.query<{ id: string; email: string }>(
        `insert into auth.users (email, encrypted_password, email_confirmed_at, raw_user_meta_data)
         values ($1, $2, now(), $3) returning id, email`,
        [input.email, hash, JSON.stringify(input.displayName ? { display_name: input.displayName } : {})],
      );
      const row = rows[0] as { id: string; email: string };
      return { userId: row.id, email: row.email };
    } catch (e) {
      if ((e as { code?: string }).code === "23505") {
        throw new AppError("EMAIL_TAKEN", "an account with this email already exists: sign in instead");
      }
      throw e;
    }
  }

  async deleteUser(userId: string): Promise<void> {
    await this.o.pool.query("delete from auth.users where id = $1", [userId]);
  }

  async signIn(
    input: { email: string; password: string },
    jar: CookieJar,
    ctx: RequestContext = {},
  ): Promise<SignedIn> {
    const { rows } = await this.o.pool.query<{
      id: string;
      email: string;
      encrypted_password: string | null;
      banned: boolean;
    }>(
      `select id, email, encrypted_password, coalesce(banned_until > now(), false) as banned
       from auth.users where lower(email) = lower($1) and deleted_at is null`,
      [input.email],
    );
    const user = rows[0];
    const ok = await verifyPassword(input.password, user?.encrypted_password);
    if (!user || !ok || user.banned) {
      throw new AppError("INVALID_CREDENTIALS", "wrong email or password");
    }
    const session = await this.o.pool.query<{ id: string }>(
      `insert into auth.sessions (user_id, not_after, user_agent, ip)
       values ($1, now() + make_interval(secs => $2), $3, $4) returning id`,
      [user.id, this.o.sessionTtlSeconds, ctx.userAgent?.slice(0, 500) ?? null, ctx.ip ?? null],
    );
    await this.o.pool.query("update auth.users set last_sign_in_at = now() where id = $1", [user.id]);
    const { token, expiresAt } = await signAccessToken({
      secret: this.secret,
      userId: user.id,
      email: user.email,
      sessionId: (session.rows[0] as { id: string }).id,
      ttlSeconds: this.o.sessionTtlSeconds,
      issuer: this.o.issuer ?? "facet",
    });
    jar.set(SESSION_COOKIE, token, {
      httpOnly: true,
      secure: this.o.secureCookies,
      sameSite: "lax",
      path: "/",
      expires: expiresAt,
    });
    return { userId: user.id, email: user.email };
  }

  async signOut(jar: CookieJar): Promise<void> {
    const token = cookieValue(jar, SESSION_COOKIE);
    if (token) {
      try {
        const claims = await verifyAccessToken(token, this.secret);
        if (claims.session_id) await this.o.pool.query("delete from auth.sessions where id = $1", [claims.session_id]);
      } catch {
        // an invalid or expired cookie is simply cleared
      }
    }
    jar.set(SESSION_COOKIE, "", {
      httpOnly: true,
      secure: this.o.secureCookies,
      sameSite: "lax",
      path: "/",
      maxAge: 0,
    });
  }

  /** Issue a token for tests and tools that act as a user (same claims as a sign-in). */
  async issueToken(userId: string, email: string, ttlSeconds = this.o.sessionTtlSeconds): Promise<string> {
    const session = await this.o.pool.query<{ id: string }>(
      "insert into auth.sessions (user_id, not_after) values ($1, now() + make_interval(secs => $2)) returning id",
      [userId, ttlSeconds],
    );
    const { token } = await signAccessToken({
      secret: this.secret,
      userId,
      email,
      sessionId: (session.rows[0] as { id: string }).id,
      ttlSeconds,
      issuer: this.o.issuer ?? "facet",
    });
    return token;
  }

  async authenticate(jar: CookieJar, authorization?: string | null): Promise<Claims | null> {
    const token = bearerToken(authorization) ?? cookieValue(jar, SESSION_COOKIE);
    if (!token) return null;
    const claims = await verifyAccessToken(token, this.secret);
    // signed out, or the account was deleted: the session row is gone
    const { rows } = await this.o.pool.query(
      `select 1 from auth.sessions s join auth.users u on u.id = s.user_id
       where s.id = $1 and s.user_id = $2 and (s.not_after is null or s.not_after > now())
         and u.deleted_at is null and coalesce(u.banned_until <= now(), true)`,
      [claims.session_id ?? null, claims.sub],
    );
    if (rows.length === 0) throw new AppError("SESSION_REVOKED", "this session has ended: sign in again");
    return claims;
  }
}
