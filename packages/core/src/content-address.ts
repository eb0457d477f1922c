import { z } from "zod";

export const sha256HexSchema = z
  .string()
  .regex(/^[0-9a-f]{64}$/, "expected a lowercase hexadecimal SHA-256 digest (64 characters)");

/** Object key of a blob: `blobs/sha256/<ab>/<cd>/<hash>`. */
export function blobKey(sha256: string): string {
  const hash = sha256HexSchema.parse(sha256);
  return `blobs/sha256/${hash.slice(0, 2)}/${hash.slice(2, 4)}/${hash}`;
}
