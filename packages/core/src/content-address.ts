import { z } from "zod";

export const sha256HexSchema = z
  .string()
  .regex(/^[0-9a-f]{64}$/, "expected a lowercase hexadecimal SHA-256 digest (64 characters)");

/** Object key of a blob: `blobs/sha256/<ab>/<cd>/<hash>`. */
export function blobKey(sha256: string): string {
  const hash = sha256HexSchema.parse(sha256);
  return `blobs/sha256/${hash.slice(0, 2)}/${hash.slice(2, 4)}/${hash}`;
}

/**
 * Where a workspace's upload of a blob lands before the server verifies it: `uploads/<workspace>/<hash>`.
 * The bytes become the content address only after the check, and the upload is the workspace's
 * proof that it holds them (a hash alone proves nothing).
 */
export function uploadKey(workspaceId: string, sha256: string): string {
  const workspace = z.uuid().parse(workspaceId).toLowerCase();
  return `uploads/${workspace}/${sha256HexSchema.parse(sha256)}`;
}

/**
 * Where a stored blob whose bytes no longer match their hash is set aside when found:
 * `quarantine/sha256/<hash>/<milliseconds>`. Out of its content address, it is served and exported no
 * more, and an upload of the right bytes stores them there again; the damaged copy is kept to look at.
 */
export function quarantineKey(sha256: string, at: Date): string {
  return `quarantine/sha256/${sha256HexSchema.parse(sha256)}/${at.getTime()}`;
}
