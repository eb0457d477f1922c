import type { Readable } from "node:stream";

export interface BlobHead {
  size: number;
  /** Known when the store keeps it (the filesystem store verifies it on write). */
  sha256?: string;
}

export interface HealthResult {
  ok: boolean;
  detail: string;
}

/**
 * The object-storage port. Keys are content addresses (`blobs/sha256/ab/cd/<hash>`); adapters:
 * the filesystem (embedded default) and S3-compatible stores (R2, S3, MinIO).
 */
export interface BlobStore {
  readonly kind: "fs" | "s3";
  /** Store bytes under `key`, checking length and SHA-256 while they arrive; nothing is left on a mismatch. */
  put(key: string, body: Readable, expected: { size: number; sha256: string }): Promise<BlobHead>;
  head(key: string): Promise<BlobHead | null>;
  get(key: string): Promise<Readable>;
  delete(key: string): Promise<void>;
  health(): Promise<HealthResult>;
}
