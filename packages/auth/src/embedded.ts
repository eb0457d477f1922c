import { AppError, isAppError } from "@facet/core";
import { type Claims, notifySessionsEnded, type Pool, type RequestContext } from "@facet/db";
import { signAccessToken, verifyAccessToken } from "./jwt";
import { hashPassword, verifyPassword } from "./password";
import {
  type AuthProvider,
  authenticateCaller,
  bearerToken,
  type CookieJar,
  cookieValue,
  type SignedIn,
  sessionRowActive,
  unverifiedExpiry,
} from "./provider";
import { randomToken, sha256Hex } from "./tokens";

export const SESSION_COOKIE = "facet-session";
export const REFRESH_COOKIE = "facet-refresh";

/**
 * A refresh token used again this soon after it was rotated is a browser's parallel requests, not a
 * thief: they get a fresh access token (not a new refresh token). Later reuse ends the session.
 * (Supabase Auth's "reuse interval" does the same.)
 */
const REUSE_INTERVAL_SECONDS = 10;

export interface EmbeddedAuthOptions {
  /** A pool connected as the database owner: the auth schema is the auth server's, not the users'. */
  pool: Pool;
  jwtSecret: string;
  /** How long a session lasts (sign in again after that), refreshed or not. */
  sessionTtlSeconds: number;
  /** How long one access token lasts; the refresh token in its own cookie gets the next one. */
  accessTokenTtlSeconds?: number;
  secureCookies: boolean;
  issuer?: string;
}

interface SessionRow {
  id: string;
  user_id: string;
  email: string;
  not_after: Date;
}

/**
 * Built-in accounts for the embedded default, shaped like Supabase Auth: scrypt passwords, sessions
 * in auth.sessions, short-lived access tokens (JWT, in an HttpOnly cookie or a Bearer header) and a
 * rotating refresh token (auth.refresh_tokens keeps its SHA-256) in a second HttpOnly cookie.
 */
export class EmbeddedAuthProvider implements AuthProvider {
  readonly kind = "embedded" as const;
  private readonly secret: Uint8Array;
  private readonly accessTtl: number;

  constructor(private readonly o: EmbeddedAuthOptions) {
    if (o.jwtSecret.length < 32) throw new Error("the JWT secret must have at least 32 characters");
    this.secret = new TextEncoder().encode(o.jwtSecret);
    this.accessTtl = Math.min(o.accessTokenTtlSeconds ?? 900, o.sessionTtlSeconds);
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

  async checkPassword(input: { email: string; password: string }): Promise<SignedIn> {
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
    // the same work and the same answer for an unknown email, a wrong password and a deactivated account
    const ok = await verifyPassword(input.password, user?.encrypted_password);
    if (!user || !ok || user.banned) throw new AppError("INVALID_CREDENTIALS", "wrong email or password");
    return { userId: user.id, email: user.email };
  }

  async signIn(
    input: { email: string; password: string },
    jar: CookieJar,
    ctx: RequestContext = {},
  ): Promise<SignedIn> {
    const user = await this.checkPassword(input);
    const { rows } = await this.o.pool.query<SessionRow>(
      `insert into auth.sessions (user_id, not_after, user_agent, ip)
       values ($1, now() + make_interval(secs => $2), $3, $4)
       returning id, user_id, $5::text as email, not_after`,
      [user.userId, this.o.sessionTtlSeconds, ctx.userAgent?.slice(0, 500) ?? null, ctx.ip ?? null, user.email],
    );
    await this.o.pool.query("update auth.users set last_sign_in_at = now() where id = $1", [user.userId]);
    const session = rows[0] as SessionRow;
    const refresh = await this.newRefreshToken(this.o.pool, session, null);
    await this.setCookies(jar, session, refresh);
    return user;
  }

  /** A new refresh token of the session (only its hash stored); `parent`: the hash of the one it replaces. */
  private async newRefreshToken(
    db: Pick<Pool, "query">,
    session: Pick<SessionRow, "id" | "user_id">,
    parent: string | null,
  ): Promise<string> {
    const token = randomToken();
    await db.query(
      `insert into auth.refresh_tokens (token, user_id, revoked, parent, session_id)
       values ($1, $2, false, $3, $4)`,
      [sha256Hex(token), session.user_id, parent, session.id],
    );
    return token;
  }

  private async accessToken(session: SessionRow): Promise<{ token: string; expiresAt: Date }> {
    const left = Math.floor((session.not_after.getTime() - Date.now()) / 1000);
    return signAccessToken({
      secret: this.secret,
      userId: session.user_id,
      email: session.email,
      sessionId: session.id,
      ttlSeconds: Math.max(1, Math.min(this.accessTtl, left)),
      issuer: this.o.issuer ?? "facet",
    });
  }

  /** The access token cookie lives as long as the session (its JWT expires sooner); so does the refresh cookie. */
  private async setCookies(jar: CookieJar, session: SessionRow, refresh: string | null): Promise<Claims> {
    const { token } = await this.accessToken(session);
    const options = { httpOnly: true, secure: this.o.secureCookies, sameSite: "lax" as const, path: "/" };
    jar.set(SESSION_COOKIE, token, { ...options, expires: session.not_after });
    if (refresh !== null) jar.set(REFRESH_COOKIE, refresh, { ...options, expires: session.not_after });
    return verifyAccessToken(token, this.secret);
  }

  private clearCookies(jar: CookieJar): void {
    const options = { httpOnly: true, secure: this.o.secureCookies, sameSite: "lax" as const, path: "/", maxAge: 0 };
    jar.set(SESSION_COOKIE, "", options);
    jar.set(REFRESH_COOKIE, "", options);
  }

  /**
   * Exchange the refresh cookie for a new access token and a new refresh token (the old one is
   * revoked: rotation). Null when there is no valid session to continue (no cookie, signed out,
   * expired, the account deactivated, or a stolen token replayed: then the session is ended).
   */
  async refresh(jar: CookieJar): Promise<Claims | null> {
    const presented = cookieValue(jar, REFRESH_COOKIE);
    if (!presented) return null;
    const hash = sha256Hex(presented);
    const client = await this.o.pool.connect();
    try {
      await client.query("begin");
      const { rows } = await client.query<
        SessionRow & { token_id: string; revoked: boolean; rotated_recently: boolean; usable: boolean }
      >(
        `select s.id, s.user_id, u.email, s.not_after, rt.id as token_id, coalesce(rt.revoked, false) as revoked,
                rt.updated_at > now() - make_interval(secs => $2) as rotated_recently,
                (s.not_after is null or s.not_after > now()) and u.deleted_at is null
                  and coalesce(u.banned_until <= now(), true) as usable
         from auth.refresh_tokens rt
         join auth.sessions s on s.id = rt.session_id
         join auth.users u on u.id = s.user_id
         where rt.token = $1
         for update of rt`,
        [hash, REUSE_INTERVAL_SECONDS],
      );
      const row = rows[0];
      if (!row) {
        await client.query("rollback");
        this.clearCookies(jar);
        return null;
      }
      if (!row.usable || (row.revoked && !row.rotated_recently)) {
        // expired, deactivated, or a rotated token replayed later: end the whole session
        await client.query("delete from auth.sessions where id = $1", [row.id]);
        await client.query("commit");
        await notifySessionsEnded(this.o.pool, { userId: row.user_id, sessionId: row.id });
        this.clearCookies(jar);
        return null;
      }
      const session: SessionRow = { id: row.id, user_id: row.user_id, email: row.email, not_after: row.not_after };
      if (row.revoked) {
        // a parallel request of the same browser: the first one got (and set) the new refresh token
        await client.query("commit");
        return this.setCookies(jar, session, null);
      }
      await client.query("update auth.refresh_tokens set revoked = true, updated_at = now() where id = $1", [
        row.token_id,
      ]);
      const token = await this.newRefreshToken(client, session, hash);
      await client.query("update auth.sessions set refreshed_at = now(), updated_at = now() where id = $1", [row.id]);
      await client.query("commit");
      return this.setCookies(jar, session, token);
    } catch (e) {
      await client.query("rollback").catch(() => {});
      throw e;
    } finally {
      client.release();
    }
  }

  async signOut(jar: CookieJar): Promise<void> {
    const token = cookieValue(jar, SESSION_COOKIE);
    const refresh = cookieValue(jar, REFRESH_COOKIE);
    let ended: { id: string; user_id: string } | undefined;
    if (token) {
      try {
        const claims = await verifyAccessToken(token, this.secret);
        if (claims.session_id) {
          const r = await this.o.pool.query<{ id: string; user_id: string }>(
            "delete from auth.sessions where id = $1 returning id, user_id",
            [claims.session_id],
          );
          ended = r.rows[0];
        }
      } catch {
        // an expired access token: the refresh token below still names the session
      }
    }
    if (!ended && refresh) {
      const r = await this.o.pool.query<{ id: string; user_id: string }>(
        `delete from auth.sessions s using auth.refresh_tokens rt
         where rt.token = $1 and s.id = rt.session_id returning s.id, s.user_id`,
        [sha256Hex(refresh)],
      );
      ended = r.rows[0];
    }
    if (ended) await notifySessionsEnded(this.o.pool, { userId: ended.user_id, sessionId: ended.id });
    this.clearCookies(jar);
  }

  async endSessions(userId: string): Promise<number> {
    const r = await this.o.pool.query("delete from auth.sessions where user_id = $1", [userId]);
    await notifySessionsEnded(this.o.pool, { userId, sessionId: null });
    return r.rowCount ?? 0;
  }

  /** Issue a token for tests and tools that act as a user (same claims as a sign-in). */
  async issueToken(userId: string, email: string, ttlSeconds = this.o.sessionTtlSeconds): Promise<string> {
    const session = await this.o.pool.query<{ id: string }>(
      "insert into auth.sessions (user_id, not_after) values ($1, now() + make_interval(secs => $2)) returning id",
      [userId, Math.max(ttlSeconds, 1)],
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

  authenticate(jar: CookieJar, authorization?: string | null): Promise<Claims | null> {
    return authenticateCaller(this, jar, authorization);
  }

  async verifyToken(jar: CookieJar, authorization?: string | null): Promise<Claims | null> {
    const bearer = bearerToken(authorization);
    const token = bearer ?? cookieValue(jar, SESSION_COOKIE);
    if (!token) return bearer === null ? this.refresh(jar) : null;
    try {
      return await verifyAccessToken(token, this.secret);
    } catch (e) {
      // a browser whose access token expired continues its session with the refresh cookie
      if (bearer === null && isAppError(e) && e.code === "TOKEN_EXPIRED" && cookieValue(jar, REFRESH_COOKIE)) {
        const refreshed = await this.refresh(jar);
        if (refreshed) return refreshed;
      }
      throw e;
    }
  }

  shouldRefresh(jar: CookieJar, marginSeconds: number): boolean {
    if (!cookieValue(jar, REFRESH_COOKIE)) return false;
    const exp = unverifiedExpiry(cookieValue(jar, SESSION_COOKIE));
    return exp === null || exp * 1000 < Date.now() + marginSeconds * 1000;
  }

  async sessionActive(claims: Claims): Promise<boolean> {
    return sessionRowActive(this.o.pool, claims);
  }
}
