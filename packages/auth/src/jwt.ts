import { AppError, type ErrorCode } from "@facet/core";
import type { Claims } from "@facet/db";
import { errors, type JWTVerifyGetKey, jwtVerify, SignJWT } from "jose";
import { z } from "zod";

/** The claims Facet relies on, as Supabase Auth issues them. */
export const claimsSchema = z
  .object({
    sub: z.uuid(),
    role: z.literal("authenticated"),
    email: z.string().optional(),
    aud: z.union([z.string(), z.array(z.string())]).optional(),
    exp: z.number(),
    iat: z.number().optional(),
    session_id: z.string().optional(),
  })
  .loose();

export interface SignOptions {
  secret: Uint8Array;
  userId: string;
  email: string;
  sessionId: string;
  ttlSeconds: number;
  issuer: string;
}

export async function signAccessToken(o: SignOptions): Promise<{ token: string; expiresAt: Date }> {
  const now = Math.floor(Date.now() / 1000);
  const exp = now + o.ttlSeconds;
  const token = await new SignJWT({ role: "authenticated", email: o.email, session_id: o.sessionId, aal: "aal1" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(o.userId)
    .setAudience("authenticated")
    .setIssuer(o.issuer)
    .setIssuedAt(now)
    .setExpirationTime(exp)
    .sign(o.secret);
  return { token, expiresAt: new Date(exp * 1000) };
}

function fail(code: ErrorCode, message: string): never {
  throw new AppError(code, message);
}

/** Verify signature, expiry and audience; map every failure to a stable code. */
export async function verifyAccessToken(token: string, key: Uint8Array | JWTVerifyGetKey): Promise<Claims> {
  let payload: unknown;
  try {
    const opts = { audience: "authenticated", algorithms: ["HS256", "RS256", "ES256"] };
    const result = key instanceof Uint8Array ? await jwtVerify(token, key, opts) : await jwtVerify(token, key, opts);
    payload = result.payload;
  } catch (e) {
    if (e instanceof errors.JWTExpired) fail("TOKEN_EXPIRED", "your session has expired: sign in again");
    fail("TOKEN_INVALID", "the session token is not valid: sign in again");
  }
  const parsed = claimsSchema.safeParse(payload);
  if (!parsed.success) fail("TOKEN_INVALID", "the session token lacks the expected claims");
  return parsed.data as Claims;
}
