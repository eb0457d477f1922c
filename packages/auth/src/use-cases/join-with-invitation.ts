import { AppError } from "@facet/core";
import { acceptInvitation, type Pool, previewInvitation, type RequestContext, withService, withUser } from "@facet/db";
import type { AuthProvider, CookieJar } from "../provider";
import { sha256Hex } from "../tokens";

/** A new person follows an invitation link: create the account, sign in, join the workspace. */
export async function signUpWithInvitation(input: {
  pool: Pool;
  auth: AuthProvider;
  token: string;
  email: string;
  password: string;
  displayName?: string;
  jar: CookieJar;
  ctx?: RequestContext;
}) {
  const tokenHash = sha256Hex(input.token);
  const preview = await withService(input.pool, (c) => previewInvitation(c, tokenHash));
  if (!preview.valid) throw new AppError("INVITATION_INVALID", `this invitation link is ${preview.reason}`);
  if (preview.email && preview.email !== input.email) {
    throw new AppError("FORBIDDEN", "this invitation is for another email address");
  }
  const created = await input.auth.createUser({
    email: input.email,
    password: input.password,
    ...(input.displayName ? { displayName: input.displayName } : {}),
  });
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

/** A signed-in person follows an invitation link. */
export async function acceptInvitationAsUser(input: {
  pool: Pool;
  claims: { sub: string; role: "authenticated"; email?: string };
  token: string;
  ctx?: RequestContext;
}) {
  return withUser(input.pool, input.claims, (c) => acceptInvitation(c, sha256Hex(input.token)), input.ctx);
}
