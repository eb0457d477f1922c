import type { Readable } from "node:stream";
import { isAppError } from "@facet/core";

export interface BlobHead {
  size: number;
  /** Lowercase hex SHA-256, when the store can tell (the filesystem store always; S3 when uploaded with a checksum). */
  sha256?: string;
}

export interface HealthResult {
  ok: boolean;
  detail: string;
}

/** A request a client makes straight to storage: short-lived, bound to one key, one length, one hash. */
export interface PresignedRequest {
  method: "PUT" | "GET";
  url: string;
  /** Headers the client must send exactly as given (they are part of the signature). */
  headers: Record<string, string>;
  expiresAt: Date;
}

export interface PresignPutOptions {
  size: number;
  sha256: string;
  expiresInSeconds: number;
}

export interface PresignGetOptions {
  expiresInSeconds: number;
  /** Suggested file name for downloads (Content-Disposition). */
  downloadName?: string;
}

/**
 * The object-storage port. Keys are content addresses (`blobs/sha256/ab/cd/<hash>`); adapters:
 * the filesystem (embedded default, URLs served and checked by the web app) and S3-compatible
 * stores (R2, S3, MinIO; presigned URLs).
 */
export interface BlobStore {
  readonly kind: "fs" | "s3";
  /** Store bytes under `key`, checking length and SHA-256 while they arrive; nothing is left on a mismatch. */
  put(key: string, body: Readable, expected: { size: number; sha256: string }): Promise<BlobHead>;
  head(key: string): Promise<BlobHead | null>;
  get(key: string): Promise<Readable>;
  /** The whole object in memory (small objects: faces files, thumbnails); NOT_FOUND when absent. */
  read(key: string): Promise<Buffer>;
  /** Bytes `start` to `end` inclusive (fewer when the object is shorter). */
  readRange(key: string, start: number, end: number): Promise<Buffer>;
  delete(key: string): Promise<void>;
  /**
   * Move an object to another key (uploads land under a staging key, then become the content address).
   * Afterwards `to` holds the bytes `from` held and `from` is gone. NOT_FOUND when `from` does not exist.
   */
  move(from: string, to: string): Promise<void>;
  /** Keys under a prefix, in lexicographic order, with their size and when they were last written. */
  list(prefix: string): AsyncIterable<{ key: string; size: number; lastModified: Date }>;
  /**
   * Remove what writes that never finished left behind (a process killed in the middle of a put)
   * and nothing has touched since `before`; how many files. S3 keeps no partial object (a PUT is
   * all or nothing): 0 there.
   */
  sweepInterruptedWrites(before: Date): Promise<number>;
  presignPut(key: string, options: PresignPutOptions): Promise<PresignedRequest>;
  presignGet(key: string, options: PresignGetOptions): Promise<PresignedRequest>;
  health(): Promise<HealthResult>;
}

/**
 * The whole object, or null when the store has none under `key` (a file lost or deleted: callers
 * that cannot go on without it say so at once instead of trying again). Other errors pass.
 */
export async function readIfStored(store: BlobStore, key: string): Promise<Buffer | null> {
  try {
    return await store.read(key);
  } catch (e) {
    if (isAppError(e) && e.code === "NOT_FOUND") return null;
    throw e;
  }
}
