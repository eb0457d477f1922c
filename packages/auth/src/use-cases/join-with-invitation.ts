import { AppError, isAppError } from "@facet/core";
import { acceptInvitation, type Pool, previewInvitation, type RequestContext, withService, withUser } from "@facet/db";
import { assertStrongPassword } from "../password-policy";
import type { AuthProvider, CookieJar, SignedIn } from "../provider";
import { sha256Hex } from "../tokens";
import { guardPasswordAttempt, type SignInLimits } from "./sign-in";

/**
 * Someone follows an invitation link with an email and a password. A new email: create the account
 * (a strong password is required), sign in, join. An email that has an account already (a member
 * removed earlier, or someone in another workspace): the password must be that account's; then
 * sign in and join. Password attempts are rate-limited like sign-in.
 */
export async function signUpWithInvitation(input: {
  pool: Pool;
  auth: AuthProvider;
  token: string;
  email: string;
  password: string;
  displayName?: string;
  jar: CookieJar;
  ctx?: RequestContext;
  limits?: SignInLimits | null;
}) {
  const tokenHash = sha256Hex(input.token);
  const preview = await withService(input.pool, (c) => previewInvitation(c, tokenHash));
  if (!preview.valid) throw new AppError("INVITATION_INVALID", `this invitation link is ${preview.reason}`);
  if (preview.email && preview.email !== input.email) {
    throw new AppError("FORBIDDEN", "this invitation is for another email address");
  }
  let created: SignedIn | null = null;
  try {
    assertStrongPassword(input.password, [input.email, input.displayName]);
    created = await input.auth.createUser({
      email: input.email,
      password: input.password,
      ...(input.displayName ? { displayName: input.displayName } : {}),
    });
  } catch (e) {
    if (!(isAppError(e) && (e.code === "EMAIL_TAKEN" || e.code === "WEAK_PASSWORD"))) throw e;
    // An existing account joins with its own password; a weak password for a new account is refused.
    // (A weak password that is an existing account's own is that account's business: it still joins.)
    const existing = await hasAccount(input.pool, input.email);
    if (!existing) throw e;
  }
  if (!created) {
    const user = await guardPasswordAttempt(
      { pool: input.pool, email: input.email, ip: input.ctx?.ip, limits: input.limits ?? null },
      () => input.auth.signIn({ email: input.email, password: input.password }, input.jar, input.ctx),
    );
    const claims = { sub: user.userId, role: "authenticated" as const, email: user.email };
    const joined = await withUser(input.pool, claims, (c) => acceptInvitation(c, tokenHash), input.ctx);
    return { user, ...joined };
  }
  const claims = { sub: created.userId, role: "authenticated" as const, email: created.email };
  try {
    const joined = await withUser(input.pool, claims, (c) => acceptInvitation(c, tokenHash), input.ctx);
    const user = await input.auth.signIn({ email: input.email, password: input.password }, input.jar, input.ctx);
    return { user, ...joined };
  } catch (e) {
    // the link was used up or revoked meanwhile: leave no account without a workspace
    await input.auth.deleteUser(created.userId);
    throw e;
  }
}

async function hasAccount(pool: Pool, email: string): Promise<boolean> {
  const { rows } = await pool.query<{ any: boolean }>(
    "select exists (select 1 from auth.users where lower(email) = lower($1) and deleted_at is null) as any",
    [email],
  );
  return rows[0]?.any ?? false;
}

/** A signed-in person follows an invitation link. */
export async function acceptInvitationAsUser(input: {
  pool: Pool;
  claims: { sub: string; role: "authenticated"; email?: string };
  token: string;
  ctx?: RequestContext;
}) {
  return withUser(input.pool, input.claims, (c) => acceptInvitation(c, sha256Hex(input.token)), input.ctx);
}
