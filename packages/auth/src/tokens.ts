import { createHash, randomBytes } from "node:crypto";

/** An opaque secret for links and keys: 32 random bytes, base64url. Only its hash is stored. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

export function sha256Hex(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}
