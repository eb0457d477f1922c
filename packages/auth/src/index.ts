export type { ApiKeyCaller, ApiKeyInfo } from "./api-keys";
export {
  apiKeyActive,
  authenticateApiKey,
  createApiKey,
  type ListedApiKey,
  listApiKeys,
  revokeApiKey,
} from "./api-keys";
export type { EmbeddedAuthOptions } from "./embedded";
export { EmbeddedAuthProvider, REFRESH_COOKIE, SESSION_COOKIE } from "./embedded";
export { claimsSchema, signAccessToken, verifyAccessToken } from "./jwt";
export { hashPassword, verifyPassword } from "./password";
export { assertStrongPassword, MIN_PASSWORD_LENGTH } from "./password-policy";
export type { AuthProvider, CookieJar, CookieOptions, Identified, SignedIn } from "./provider";
export { authenticateCaller, bearerToken, identifyCaller, sessionRowActive } from "./provider";
export { randomToken, sha256Hex } from "./tokens";
export { acceptInvitationAsUser, signUpWithInvitation } from "./use-cases/join-with-invitation";
export { hasAnyUser, setUpFirstAdmin } from "./use-cases/set-up-first-admin";
export type { SignInLimits } from "./use-cases/sign-in";
export { guardPasswordAttempt, signIn } from "./use-cases/sign-in";
