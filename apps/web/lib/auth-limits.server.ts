import "server-only";
import type { SignInLimits } from "@facet/auth";
import type { NextRequest } from "next/server";
import { rateLimit, requestContext } from "./api.server";
import { env } from "./env.server";

/** The configured budget of password attempts (FACET_RATE_LIMIT_SIGN_IN, …_ADDRESS). */
export function signInLimits(): SignInLimits {
  const e = env();
  return { perAccount: e.FACET_RATE_LIMIT_SIGN_IN, perAddress: e.FACET_RATE_LIMIT_SIGN_IN_ADDRESS };
}

/** Spend one of the client address's invitation budget (FACET_RATE_LIMIT_INVITATIONS): opening or accepting a link. */
export async function limitInvitations(req: NextRequest): Promise<void> {
  await rateLimit(
    [{ bucket: "invitation:address", key: requestContext(req).ip ?? "", limit: env().FACET_RATE_LIMIT_INVITATIONS }],
    "too many invitation links used from this address: wait for the time in Retry-After",
  );
}
