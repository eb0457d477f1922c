import {
  createInvitation,
  getWorkspaceForMember,
  removeMember,
  revokeInvitation,
  withService,
  withUser,
} from "@facet/db";
import { createTestDatabase, type TestDatabase } from "@facet/db/testing";
import { createChunks, stringToBase64URL } from "@supabase/ssr";
import { decodeJwt, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { EmbeddedAuthProvider, REFRESH_COOKIE, SESSION_COOKIE } from "./embedded";
import { type CookieJar, type CookieOptions, identifyCaller } from "./provider";
import { SupabaseAuthProvider, supabaseStorageKey } from "./supabase";
import { randomToken, sha256Hex } from "./tokens";
import { signUpWithInvitation } from "./use-cases/join-with-invitation";
import { setUpFirstAdmin } from "./use-cases/set-up-first-admin";
import { signIn } from "./use-cases/sign-in";

class Jar implements CookieJar {
  readonly cookies = new Map<string, { value: string; options: CookieOptions }>();
  constructor(initial: Record<string, string> = {}) {
    for (const [k, v] of Object.entries(initial)) this.cookies.set(k, { value: v, options: {} });
  }
  getAll() {
    return [...this.cookies].filter(([, c]) => c.value !== "").map(([name, c]) => ({ name, value: c.value }));
  }
  set(name: string, value: string, options: CookieOptions) {
    this.cookies.set(name, { value, options });
  }
}

const SECRET = "x".repeat(40);
const PASSWORD = "correct horse battery";

async function errorCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
  return "no error";
}

describe("embedded accounts", () => {
  let db: TestDatabase;
  let auth: EmbeddedAuthProvider;
  let workspaceId: string;
  let adminClaims: { sub: string; role: "authenticated"; email: string };

  beforeAll(async () => {
    db = await createTestDatabase(inject("pgBaseUrl"));
    auth = new EmbeddedAuthProvider({
      pool: db.owner,
      jwtSecret: SECRET,
      sessionTtlSeconds: 3600,
      secureCookies: false,
    });
    const r = await setUpFirstAdmin({
      pool: db.owner,
      auth,
      email: "admin@example.test",
      password: PASSWORD,
      workspaceName: "Acme Parts",
    });
    workspaceId = r.workspace.id;
    adminClaims = { sub: r.user.userId, role: "authenticated", email: r.user.email };
  });
  afterAll(() => db.drop());

  /** An invitation link's token to the test workspace (made by its admin). */
  async function invite(role: "viewer" | "engineer" | "annotator", maxUses = 1): Promise<string> {
    const token = randomToken();
    await withUser(db.owner, adminClaims, (c) =>
      createInvitation(c, { workspaceId, role, tokenHash: sha256Hex(token), expiresInHours: 1, maxUses }),
    );
    return token;
  }

  it("sets up the first admin with a workspace and its default label schema, once", async () => {
    const ws = await withUser(db.owner, adminClaims, (c) => getWorkspaceForMember(c, "acme-parts"));
    expect(ws).toMatchObject({ name: "Acme Parts", role: "admin" });
    const schemas = await db.owner.query(
      "select name, is_default, jsonb_array_length(taxonomy->'featureTypes') as n from label_schemas where workspace_id = $1",
      [workspaceId],
    );
    expect(schemas.rows).toEqual([{ name: "Default", is_default: true, n: 25 }]);
    expect(
      await errorCode(
        setUpFirstAdmin({ pool: db.owner, auth, email: "b@example.test", password: PASSWORD, workspaceName: "X" }),
      ),
    ).toBe("ALREADY_SET_UP");
  });

  it("stores passwords as scrypt hashes, never in clear", async () => {
    const { rows } = await db.owner.query(
      "select encrypted_password from auth.users where email = 'admin@example.test'",
    );
    expect(rows[0].encrypted_password).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(rows[0].encrypted_password).not.toContain(PASSWORD);
  });

  it("signs in with a Supabase-shaped JWT in an HttpOnly cookie", async () => {
    const jar = new Jar();
    await signIn({ pool: db.owner, auth, email: "ADMIN@example.test", password: PASSWORD, jar });
    const cookie = jar.cookies.get(SESSION_COOKIE);
    expect(cookie?.options).toMatchObject({ httpOnly: true, sameSite: "lax", path: "/" });
    const claims = decodeJwt(cookie?.value ?? "");
    expect(claims).toMatchObject({
      sub: adminClaims.sub,
      role: "authenticated",
      email: "admin@example.test",
      aud: "authenticated",
    });
    // a short-lived access token (15 minutes), continued by a refresh token in its own HttpOnly cookie;
    // both cookies last as long as the session (an hour here)
    expect(claims.exp).toBeGreaterThan(Date.now() / 1000 + 880);
    expect(claims.exp).toBeLessThan(Date.now() / 1000 + 910);
    const refresh = jar.cookies.get(REFRESH_COOKIE);
    expect(refresh?.options).toMatchObject({ httpOnly: true, sameSite: "lax", path: "/" });
    expect(refresh?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    for (const c of [cookie, refresh]) {
      expect(c?.options.expires?.getTime()).toBeGreaterThan(Date.now() + 3500_000);
    }
    // only the refresh token's hash is stored
    const stored = await db.owner.query("select token from auth.refresh_tokens where token = $1", [
      sha256Hex(refresh?.value ?? ""),
    ]);
    expect(stored.rowCount).toBe(1);
    expect(await auth.authenticate(jar)).toMatchObject({ sub: adminClaims.sub });
  });

  it("refuses a wrong password and an unknown account with the same code", async () => {
    expect(
      await errorCode(
        signIn({ pool: db.owner, auth, email: "admin@example.test", password: "wrong password!", jar: new Jar() }),
      ),
    ).toBe("INVALID_CREDENTIALS");
    expect(
      await errorCode(
        signIn({ pool: db.owner, auth, email: "nobody@example.test", password: PASSWORD, jar: new Jar() }),
      ),
    ).toBe("INVALID_CREDENTIALS");
  });

  it("refuses an expired, a tampered and a foreign-signed token, and a signed-out session", async () => {
    const expired = await auth.issueToken(adminClaims.sub, adminClaims.email, -10);
    expect(await errorCode(auth.authenticate(new Jar({ [SESSION_COOKIE]: expired })))).toBe("TOKEN_EXPIRED");

    const good = await auth.issueToken(adminClaims.sub, adminClaims.email);
    const [h, p, s] = good.split(".") as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, "base64url").toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...payload, sub: "00000000-0000-4000-8000-000000000000" })).toString("base64url")}.${s}`;
    expect(await errorCode(auth.authenticate(new Jar({ [SESSION_COOKIE]: forged })))).toBe("TOKEN_INVALID");
    expect(await errorCode(auth.authenticate(new Jar(), `Bearer ${good.slice(0, -3)}abc`))).toBe("TOKEN_INVALID");

    const foreign = await new SignJWT({ role: "authenticated", session_id: payload.session_id })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(adminClaims.sub)
      .setAudience("authenticated")
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode("y".repeat(40)));
    expect(await errorCode(auth.authenticate(new Jar(), `Bearer ${foreign}`))).toBe("TOKEN_INVALID");

    const jar = new Jar();
    await auth.signIn({ email: "admin@example.test", password: PASSWORD }, jar);
    const token = jar.cookies.get(SESSION_COOKIE)?.value ?? "";
    await auth.signOut(jar);
    expect(jar.cookies.get(SESSION_COOKIE)?.options.maxAge).toBe(0);
    expect(await errorCode(auth.authenticate(new Jar({ [SESSION_COOKIE]: token })))).toBe("SESSION_REVOKED");
    expect(await auth.authenticate(new Jar())).toBeNull();

    // in two parts (a request looks up its workspace while the session is checked): the signed-out
    // token's signature still verifies, and the check refuses it; a live session passes both
    const signedOut = await identifyCaller(auth, new Jar({ [SESSION_COOKIE]: token }));
    expect(signedOut?.claims.sub).toBe(adminClaims.sub);
    expect(await errorCode(signedOut?.session as Promise<void>)).toBe("SESSION_REVOKED");
    const live = await identifyCaller(auth, new Jar(), `Bearer ${good}`);
    await expect(live?.session).resolves.toBeUndefined();
    expect(await identifyCaller(auth, new Jar())).toBeNull();
  });

  it("joins through an invitation link with the granted role; a used, revoked or expired link is refused", async () => {
    const token = randomToken();
    await withUser(db.owner, adminClaims, (c) =>
      createInvitation(c, {
        workspaceId,
        role: "annotator",
        tokenHash: sha256Hex(token),
        expiresInHours: 24,
        maxUses: 1,
      }),
    );
    const jar = new Jar();
    const joined = await signUpWithInvitation({
      pool: db.owner,
      auth,
      token,
      email: "ann@example.test",
      password: PASSWORD,
      jar,
    });
    expect(joined).toMatchObject({ workspaceId, role: "annotator", alreadyMember: false });
    expect(await auth.authenticate(jar)).toMatchObject({ email: "ann@example.test" });

    expect(
      await errorCode(
        signUpWithInvitation({
          pool: db.owner,
          auth,
          token,
          email: "second@example.test",
          password: PASSWORD,
          jar: new Jar(),
        }),
      ),
    ).toBe("INVITATION_INVALID");

    const revoked = randomToken();
    const inv = await withUser(db.owner, adminClaims, (c) =>
      createInvitation(c, {
        workspaceId,
        role: "viewer",
        tokenHash: sha256Hex(revoked),
        expiresInHours: 24,
        maxUses: 5,
      }),
    );
    await withUser(db.owner, adminClaims, (c) => revokeInvitation(c, { workspaceId, id: inv.id }));
    expect(
      await errorCode(
        signUpWithInvitation({
          pool: db.owner,
          auth,
          token: revoked,
          email: "third@example.test",
          password: PASSWORD,
          jar: new Jar(),
        }),
      ),
    ).toBe("INVITATION_INVALID");

    const expired = randomToken();
    await withUser(db.owner, adminClaims, (c) =>
      createInvitation(c, {
        workspaceId,
        role: "viewer",
        tokenHash: sha256Hex(expired),
        expiresInHours: 24,
        maxUses: 5,
      }),
    );
    await db.owner.query("update invitations set expires_at = now() - interval '1 minute' where token_hash = $1", [
      sha256Hex(expired),
    ]);
    expect(
      await errorCode(
        signUpWithInvitation({
          pool: db.owner,
          auth,
          token: expired,
          email: "fourth@example.test",
          password: PASSWORD,
          jar: new Jar(),
        }),
      ),
    ).toBe("INVITATION_INVALID");
    // none of the refused sign-ups left an account behind
    const { rows } = await db.owner.query(
      "select count(*)::int as n from auth.users where email in ('second@example.test','third@example.test','fourth@example.test')",
    );
    expect(rows[0].n).toBe(0);
  });

  it("shuts a removed member out of the workspace at once, and lets them come back through a new invitation", async () => {
    const jar = new Jar();
    const { user } = await signUpWithInvitation({
      pool: db.owner,
      auth,
      token: await invite("engineer"),
      email: "eng@example.test",
      password: PASSWORD,
      jar,
    });
    const claims = await auth.authenticate(jar);
    expect(claims).not.toBeNull();
    await withUser(db.owner, adminClaims, (c) => removeMember(c, { workspaceId, userId: user.userId }));
    expect(await errorCode(withUser(db.owner, claims!, (c) => getWorkspaceForMember(c, workspaceId)))).toBe(
      "NOT_A_MEMBER",
    );
    // they can still sign in (to a home with no workspace: the answer a wrong password gets is another)
    const again = new Jar();
    await signIn({ pool: db.owner, auth, email: "eng@example.test", password: PASSWORD, jar: again });
    expect(await errorCode(withUser(db.owner, claims!, (c) => getWorkspaceForMember(c, workspaceId)))).toBe(
      "NOT_A_MEMBER",
    );
    // a new invitation: their account joins again with its own password (no EMAIL_TAKEN)...
    expect(
      await errorCode(
        signUpWithInvitation({
          pool: db.owner,
          auth,
          token: await invite("engineer"),
          email: "eng@example.test",
          password: "not their password",
          jar: new Jar(),
        }),
      ),
    ).toBe("INVALID_CREDENTIALS");
    const back = new Jar();
    const joined = await signUpWithInvitation({
      pool: db.owner,
      auth,
      token: await invite("engineer"),
      email: "eng@example.test",
      password: PASSWORD,
      jar: back,
    });
    expect(joined).toMatchObject({ user: { userId: user.userId }, workspaceId, role: "engineer" });
    const backClaims = await auth.authenticate(back);
    expect(await withUser(db.owner, backClaims!, (c) => getWorkspaceForMember(c, workspaceId))).toMatchObject({
      role: "engineer",
    });
  });

  describe("sessions: short-lived access tokens and rotating refresh tokens", () => {
    const expireAccessToken = async (jar: Jar) => {
      // an access token as the session's own, but expired (what the browser holds after 15 minutes)
      const claims = decodeJwt(jar.cookies.get(SESSION_COOKIE)?.value ?? "");
      const expired = await new SignJWT({ role: "authenticated", email: claims.email, session_id: claims.session_id })
        .setProtectedHeader({ alg: "HS256" })
        .setSubject(claims.sub as string)
        .setAudience("authenticated")
        .setIssuedAt(Math.floor(Date.now() / 1000) - 1000)
        .setExpirationTime(Math.floor(Date.now() / 1000) - 10)
        .sign(new TextEncoder().encode(SECRET));
      jar.set(SESSION_COOKIE, expired, {});
    };

    it("continues an expired access token from the refresh cookie, rotating it; a replayed token ends the session", async () => {
      const jar = new Jar();
      await signIn({ pool: db.owner, auth, email: "admin@example.test", password: PASSWORD, jar });
      const first = jar.cookies.get(REFRESH_COOKIE)?.value as string;
      await expireAccessToken(jar);
      expect(auth.shouldRefresh(jar, 30)).toBe(true);
      // a request with the expired token: refreshed on the way (new access and refresh cookies)
      expect(await auth.authenticate(jar)).toMatchObject({ sub: adminClaims.sub });
      const second = jar.cookies.get(REFRESH_COOKIE)?.value as string;
      expect(second).not.toBe(first);
      expect(auth.shouldRefresh(jar, 30)).toBe(false);
      const revoked = await db.owner.query<{ revoked: boolean }>(
        "select revoked from auth.refresh_tokens where token = $1",
        [sha256Hex(first)],
      );
      expect(revoked.rows[0]?.revoked).toBe(true);

      // the same browser's parallel request with the old refresh token, seconds later: an access token only
      const parallel = new Jar({ [REFRESH_COOKIE]: first });
      expect(await auth.refresh(parallel)).toMatchObject({ sub: adminClaims.sub });
      expect(parallel.cookies.get(REFRESH_COOKIE)?.value).toBe(first); // not given a new refresh token

      // the old token replayed later (stolen): the whole session ends, the current tokens with it
      await db.owner.query("update auth.refresh_tokens set updated_at = now() - interval '1 minute' where token = $1", [
        sha256Hex(first),
      ]);
      expect(await auth.refresh(new Jar({ [REFRESH_COOKIE]: first }))).toBeNull();
      expect(await auth.refresh(new Jar({ [REFRESH_COOKIE]: second }))).toBeNull();
      expect(await errorCode(auth.authenticate(jar))).toBe("SESSION_REVOKED");
    });

    it("ends with the session: no refresh after signing out, after the session's end, or for a deactivated account", async () => {
      const signedOut = new Jar();
      await signIn({ pool: db.owner, auth, email: "admin@example.test", password: PASSWORD, jar: signedOut });
      const refresh = signedOut.cookies.get(REFRESH_COOKIE)?.value as string;
      await auth.signOut(signedOut);
      expect(signedOut.getAll()).toEqual([]);
      expect(await auth.refresh(new Jar({ [REFRESH_COOKIE]: refresh }))).toBeNull();

      const ended = new Jar();
      await signIn({ pool: db.owner, auth, email: "admin@example.test", password: PASSWORD, jar: ended });
      const claims = decodeJwt(ended.cookies.get(SESSION_COOKIE)?.value ?? "");
      await db.owner.query("update auth.sessions set not_after = now() - interval '1 second' where id = $1", [
        claims.session_id,
      ]);
      await expireAccessToken(ended);
      expect(await auth.refresh(ended)).toBeNull();
      expect(ended.getAll()).toEqual([]);
    });

    it("signs out everywhere: every session of the user ends at once, other users' stay", async () => {
      const token = await invite("viewer", 1);
      const mine = [new Jar(), new Jar()];
      await signUpWithInvitation({
        pool: db.owner,
        auth,
        token,
        email: "everywhere@example.test",
        password: PASSWORD,
        jar: mine[0] as Jar,
      });
      await signIn({ pool: db.owner, auth, email: "everywhere@example.test", password: PASSWORD, jar: mine[1] as Jar });
      const others = new Jar();
      await signIn({ pool: db.owner, auth, email: "admin@example.test", password: PASSWORD, jar: others });
      const me = await auth.authenticate(mine[0] as Jar);
      expect(await auth.endSessions(me?.sub as string)).toBe(2);
      for (const jar of mine) {
        expect(await errorCode(auth.authenticate(jar))).toBe("SESSION_REVOKED");
        expect(await auth.refresh(jar)).toBeNull();
      }
      expect(await auth.authenticate(others)).toMatchObject({ sub: adminClaims.sub });
    });

    it("answers a deactivated account exactly as a wrong password, and ends its sessions' use", async () => {
      const token = await invite("viewer", 1);
      const jar = new Jar();
      await signUpWithInvitation({ pool: db.owner, auth, token, email: "gone@example.test", password: PASSWORD, jar });
      await db.owner.query("update auth.users set banned_until = 'infinity' where email = 'gone@example.test'");
      const answer = async (email: string, password: string) => {
        try {
          await signIn({ pool: db.owner, auth, email, password, jar: new Jar() });
          return "signed in";
        } catch (e) {
          return JSON.stringify((e as { toJSON(): unknown }).toJSON());
        }
      };
      const deactivated = await answer("gone@example.test", PASSWORD);
      expect(deactivated).toContain("INVALID_CREDENTIALS");
      expect(deactivated).toBe(await answer("gone@example.test", "a wrong password"));
      expect(deactivated).toBe(await answer("never-existed@example.test", PASSWORD));
      expect(await errorCode(auth.authenticate(jar))).toBe("SESSION_REVOKED");
      expect(await auth.refresh(jar)).toBeNull();
      expect(await errorCode(auth.checkPassword({ email: "gone@example.test", password: PASSWORD }))).toBe(
        "INVALID_CREDENTIALS",
      );
    });
  });

  describe("password attempts and new passwords", () => {
    const limits = {
      perAccount: { limit: 3, periodSeconds: 900 },
      perAddress: { limit: 5, periodSeconds: 900 },
    };
    const attempt = (email: string, password: string, ip: string) =>
      errorCode(signIn({ pool: db.owner, auth, email, password, jar: new Jar(), ctx: { ip }, limits }));

    it("limits wrong passwords per account, whatever the address, then refuses even the right one for a while", async () => {
      for (let i = 0; i < 3; i++)
        expect(await attempt("admin@example.test", "wrong password!", `10.0.0.${i}`)).toBe("INVALID_CREDENTIALS");
      let refusal: unknown;
      try {
        await signIn({
          pool: db.owner,
          auth,
          email: "Admin@Example.test",
          password: PASSWORD,
          jar: new Jar(),
          ctx: { ip: "10.0.0.9" },
          limits,
        });
      } catch (e) {
        refusal = e;
      }
      expect(refusal).toMatchObject({ code: "RATE_LIMITED", details: { retryAfterSeconds: expect.any(Number) } });
      const wait = (refusal as { details: { retryAfterSeconds: number } }).details.retryAfterSeconds;
      expect(wait).toBeGreaterThan(200);
      expect(wait).toBeLessThanOrEqual(300);
      // an unknown account is limited the same way (the answers tell nothing about which accounts exist)
      for (let i = 0; i < 3; i++)
        expect(await attempt("ghost@example.test", "whatever it is", `10.0.1.${i}`)).toBe("INVALID_CREDENTIALS");
      expect(await attempt("ghost@example.test", "whatever it is", "10.0.1.9")).toBe("RATE_LIMITED");
    });

    it("limits wrong passwords per address across accounts (spraying), and gives back successful attempts", async () => {
      const ip = "192.0.2.7";
      const ok = new Jar();
      // successes do not use the budget up
      for (let i = 0; i < 6; i++) {
        await signIn({
          pool: db.owner,
          auth,
          email: "admin@example.test",
          password: PASSWORD,
          jar: ok,
          ctx: { ip },
          limits: { perAccount: null, perAddress: limits.perAddress },
        });
      }
      for (let i = 0; i < 5; i++)
        expect(await attempt(`spray${i}@example.test`, "Summer2026!", ip)).toBe("INVALID_CREDENTIALS");
      expect(await attempt("spray9@example.test", "Summer2026!", ip)).toBe("RATE_LIMITED");
      expect(await attempt("spray9@example.test", "Summer2026!", "192.0.2.8")).toBe("INVALID_CREDENTIALS");
    });

    it("refuses weak new passwords with the reason, for the first admin and for people joining", async () => {
      const token = await invite("viewer", 5);
      for (const weak of ["aaaaaaaaaa", "password123", "qwertyuiop", "1234567890", "weakling@example.test"]) {
        let refusal: unknown;
        try {
          await signUpWithInvitation({
            pool: db.owner,
            auth,
            token,
            email: "weakling@example.test",
            password: weak,
            jar: new Jar(),
          });
        } catch (e) {
          refusal = e;
        }
        expect(refusal, weak).toMatchObject({ code: "WEAK_PASSWORD" });
      }
      expect((await db.owner.query("select 1 from auth.users where email = 'weakling@example.test'")).rowCount).toBe(0);
      expect(
        await errorCode(
          setUpFirstAdmin({
            pool: db.owner,
            auth,
            email: "b@example.test",
            password: "aaaaaaaaaa",
            workspaceName: "X",
          }),
        ),
      ).toBe("WEAK_PASSWORD");
    });
  });

  it("writes audit events for membership and invitation changes", async () => {
    const { rows } = await withService(db.owner, (c) =>
      c.query("select action from audit_events where workspace_id = $1 order by id", [workspaceId]),
    );
    const actions = rows.map((r) => r.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        "workspace.created",
        "member.created",
        "invitation.created",
        "invitation.updated",
        "member.deleted",
      ]),
    );
  });
});

describe("Supabase Auth adapter", () => {
  const url = "https://abcdefghijklmnop.supabase.co";
  const jwtSecret = "super-secret-jwt-token-with-at-least-32-characters-long";
  const provider = new SupabaseAuthProvider({ url, anonKey: "anon", serviceRoleKey: "service", jwtSecret });
  const sub = "4b0c1d4e-8a43-4b79-9c0f-5d6b2f0f9a11";

  // What Supabase Auth issues (see its GoTrue access-token claims).
  const supabaseToken = (secret: string, exp: string | number = "1h") =>
    new SignJWT({
      role: "authenticated",
      email: "ml@example.test",
      aal: "aal1",
      session_id: "8d3c1f7e-0000-4000-8000-000000000001",
      is_anonymous: false,
      app_metadata: { provider: "email" },
    })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setIssuer(`${url}/auth/v1`)
      .setSubject(sub)
      .setAudience("authenticated")
      .setIssuedAt()
      .setExpirationTime(exp)
      .sign(new TextEncoder().encode(secret));

  // The cookie exactly as @supabase/ssr writes it: `base64-` + base64url(JSON session), in chunks.
  const cookieJar = (accessToken: string) => {
    const session = {
      access_token: accessToken,
      refresh_token: "r".repeat(400),
      token_type: "bearer",
      expires_in: 3600,
      expires_at: Math.floor(Date.now() / 1000) + 3600,
      user: { id: sub, email: "ml@example.test", padding: "p".repeat(3000) },
    };
    const chunks = createChunks(supabaseStorageKey(url), `base64-${stringToBase64URL(JSON.stringify(session))}`);
    return new Jar(Object.fromEntries(chunks.map((c) => [c.name, c.value])));
  };

  it("reads the chunked @supabase/ssr session cookie and verifies the Supabase-signed claims", async () => {
    const jar = cookieJar(await supabaseToken(jwtSecret));
    expect(jar.getAll().length).toBeGreaterThan(1); // really chunked
    expect(jar.getAll()[0]?.name).toBe("sb-abcdefghijklmnop-auth-token.0");
    expect(await provider.authenticate(jar)).toMatchObject({ sub, role: "authenticated", email: "ml@example.test" });
  });

  it("accepts the same token as a Bearer header (CLI and API clients)", async () => {
    expect(await provider.authenticate(new Jar(), `Bearer ${await supabaseToken(jwtSecret)}`)).toMatchObject({ sub });
  });

  it("refuses expired, tampered and foreign tokens", async () => {
    expect(
      await errorCode(
        provider.authenticate(cookieJar(await supabaseToken(jwtSecret, Math.floor(Date.now() / 1000) - 60))),
      ),
    ).toBe("TOKEN_EXPIRED");
    expect(
      await errorCode(
        provider.authenticate(cookieJar(await supabaseToken("another-secret-of-at-least-thirty-two-chars"))),
      ),
    ).toBe("TOKEN_INVALID");
    const t = await supabaseToken(jwtSecret);
    const [h, , s] = t.split(".");
    const tampered = `${h}.${Buffer.from(JSON.stringify({ sub, role: "service_role", aud: "authenticated", exp: 9999999999 })).toString("base64url")}.${s}`;
    expect(await errorCode(provider.authenticate(new Jar(), `Bearer ${tampered}`))).toBe("TOKEN_INVALID");
    expect(await provider.authenticate(new Jar())).toBeNull();
  });
});
