import { AppError } from "@facet/core";
import { countMemberships, type Pool, type RequestContext, recordAuditEvent, withUser } from "@facet/db";
import type { AuthProvider, CookieJar, SignedIn } from "../provider";

/**
 * Sign in with email and password. An account that belongs to no workspace any more (every
 * membership removed) is refused with NOT_A_MEMBER, and no session is left behind.
 */
export async function signIn(input: {
  pool: Pool;
  auth: AuthProvider;
  email: string;
  password: string;
  jar: CookieJar;
  ctx?: RequestContext;
}): Promise<SignedIn> {
  const user = await input.auth.signIn({ email: input.email, password: input.password }, input.jar, input.ctx);
  const claims = { sub: user.userId, role: "authenticated" as const, email: user.email };
  const memberships = await withUser(input.pool, claims, (c) => countMemberships(c, user.userId), input.ctx);
  if (memberships === 0) {
    await input.auth.signOut(input.jar);
    throw new AppError("NOT_A_MEMBER", "this account is not a member of any workspace: ask an admin for an invitation");
  }
  await withUser(
    input.pool,
    claims,
    (c) => recordAuditEvent(c, { workspaceId: null, action: "auth.signed_in" }),
    input.ctx,
  );
  return user;
}
