import { AppError, isAppError } from "@facet/core";
import { type Pool, type RateLimit, type RequestContext, recordAuditEvent, takeRateLimit, withUser } from "@facet/db";
import type { AuthProvider, CookieJar, SignedIn } from "../provider";
import { sha256Hex } from "../tokens";

/** How many password guesses are allowed, per account and per client address (null: no limit). */
export interface SignInLimits {
  perAccount: RateLimit | null;
  perAddress: RateLimit | null;
}

/**
 * Count a password attempt against the account and the address it comes from, before checking it;
 * RATE_LIMITED (with the seconds to wait) when either is spent. The account is keyed by the email
 * as typed, whether or not it exists, so the answer tells nothing about which accounts exist.
 * Successful attempts are given back: only failures use the budget up.
 */
export async function guardPasswordAttempt<T>(
  input: { pool: Pool; email: string; ip?: string | null | undefined; limits?: SignInLimits | null },
  attempt: () => Promise<T>,
): Promise<T> {
  const taken: Array<{ bucket: string; key: string; limit: RateLimit }> = [];
  const buckets = [
    { bucket: "password:account", key: sha256Hex(input.email.trim().toLowerCase()), limit: input.limits?.perAccount },
    { bucket: "password:address", key: input.ip ?? "", limit: input.limits?.perAddress },
  ];
  for (const b of buckets) {
    if (!b.limit || !b.key) continue;
    const wait = await takeRateLimit(input.pool, b.bucket, b.key, b.limit);
    if (wait > 0) {
      await giveBack(input.pool, taken);
      throw new AppError("RATE_LIMITED", "too many sign-in attempts: wait a while before trying again", {
        retryAfterSeconds: Math.ceil(wait),
      });
    }
    taken.push({ bucket: b.bucket, key: b.key, limit: b.limit });
  }
  try {
    const result = await attempt();
    await giveBack(input.pool, taken);
    return result;
  } catch (e) {
    if (!(isAppError(e) && e.code === "INVALID_CREDENTIALS")) await giveBack(input.pool, taken);
    throw e;
  }
}

async function giveBack(pool: Pool, taken: Array<{ bucket: string; key: string; limit: RateLimit }>) {
  for (const t of taken) await takeRateLimit(pool, t.bucket, t.key, t.limit, -1);
}

/**
 * Sign in with email and password. The same answer (INVALID_CREDENTIALS) for an unknown email, a
 * wrong password and a deactivated account. An account that belongs to no workspace (every
 * membership removed) signs in all the same: it can then accept a new invitation.
 */
export async function signIn(input: {
  pool: Pool;
  auth: AuthProvider;
  email: string;
  password: string;
  jar: CookieJar;
  ctx?: RequestContext;
  limits?: SignInLimits | null;
}): Promise<SignedIn> {
  const user = await guardPasswordAttempt(
    { pool: input.pool, email: input.email, ip: input.ctx?.ip, limits: input.limits ?? null },
    () => input.auth.signIn({ email: input.email, password: input.password }, input.jar, input.ctx),
  );
  const claims = { sub: user.userId, role: "authenticated" as const, email: user.email };
  await withUser(
    input.pool,
    claims,
    (c) => recordAuditEvent(c, { workspaceId: null, action: "auth.signed_in" }),
    input.ctx,
  );
  return user;
}
