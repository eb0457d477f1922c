import "server-only";
import type { SignInLimits } from "@facet/auth";
import { env } from "./env.server";

/** The configured budget of password attempts (FACET_RATE_LIMIT_SIGN_IN, …_ADDRESS). */
export function signInLimits(): SignInLimits {
  const e = env();
  return { perAccount: e.FACET_RATE_LIMIT_SIGN_IN, perAddress: e.FACET_RATE_LIMIT_SIGN_IN_ADDRESS };
}
