import { createHash, type Hash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { AppError } from "@facet/core";
import type { PresignGetOptions, PresignPutOptions } from "./blob-store";

const KEY = /^[a-z0-9][a-z0-9/_.-]*$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The longest a presigned URL may live (S3's own limit, applied to both adapters). */
export const MAX_EXPIRY_SECONDS = 7 * 24 * 3600;

/** Keys are lowercase content addresses (`blobs/sha256/ab/cd/<hash>`): no `..`, no empty segment, no leading `/`. */
export function isValidKey(key: string): boolean {
  return key.length <= 1024 && KEY.test(key) && !key.includes("..") && !key.includes("//") && !key.endsWith("/");
}

export function assertKey(key: string): void {
  if (!isValidKey(key)) throw new AppError("VALIDATION_FAILED", `invalid object key: ${JSON.stringify(key)}`);
}

/** A list prefix: empty (everything) or the start of a valid key. */
export function assertPrefix(prefix: string): void {
  if (prefix !== "" && (!KEY.test(prefix) || prefix.includes("..") || prefix.includes("//"))) {
    throw new AppError("VALIDATION_FAILED", `invalid key prefix: ${JSON.stringify(prefix)}`);
  }
}

export function isSha256Hex(value: string): boolean {
  return SHA256_HEX.test(value);
}

export function assertExpected(expected: { size: number; sha256: string }): void {
  if (!Number.isSafeInteger(expected.size) || expected.size < 0) {
    throw new AppError("VALIDATION_FAILED", `invalid size: ${expected.size}`);
  }
  if (!isSha256Hex(expected.sha256)) {
    throw new AppError("VALIDATION_FAILED", "expected a lowercase hexadecimal SHA-256 digest (64 characters)");
  }
}

export function assertExpiry(expiresInSeconds: number): void {
  if (!Number.isInteger(expiresInSeconds) || expiresInSeconds < 1 || expiresInSeconds > MAX_EXPIRY_SECONDS) {
    throw new AppError(
      "VALIDATION_FAILED",
      `expiresInSeconds must be an integer from 1 to ${MAX_EXPIRY_SECONDS}, got ${expiresInSeconds}`,
    );
  }
}

export function assertPresignPut(key: string, options: PresignPutOptions): void {
  assertKey(key);
  assertExpected(options);
  assertExpiry(options.expiresInSeconds);
}

export function assertPresignGet(key: string, options: PresignGetOptions): void {
  assertKey(key);
  assertExpiry(options.expiresInSeconds);
  if (options.downloadName !== undefined) assertDownloadName(options.downloadName);
}

export function assertDownloadName(name: string): void {
  let control = false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) control = true;
  }
  if (name.length === 0 || name.length > 255 || control) {
    throw new AppError("VALIDATION_FAILED", "a download name has 1 to 255 characters and no control characters");
  }
}

export function assertRange(start: number, end: number): void {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new AppError("VALIDATION_FAILED", `invalid byte range ${start}-${end}`);
  }
}

/**
 * `Content-Disposition: attachment` for a download name: an ASCII fallback (`filename=`) plus the exact name in
 * RFC 5987 form (`filename*=`). Safe to put in a header whatever the name (quotes, non-ASCII).
 */
export function contentDisposition(downloadName: string): string {
  let fallback = "";
  for (const ch of downloadName) {
    const c = ch.codePointAt(0)!;
    fallback += c >= 0x20 && c < 0x7f && ch !== '"' && ch !== "\\" ? ch : "_";
  }
  const encoded = encodeURIComponent(downloadName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/**
 * Passes bytes through while counting and hashing them; fails as soon as there are more bytes than declared, and at
 * the end when the length or the SHA-256 differs. It holds the last chunk back until both checks pass, so a
 * receiver that waits for the declared length (an HTTP PUT with Content-Length) never gets a complete wrong body.
 */
export class VerifyingStream extends Transform {
  private readonly hash: Hash = createHash("sha256");
  private held: Buffer | null = null;
  size = 0;
  digest: string | undefined;

  constructor(private readonly expected: { size: number; sha256: string }) {
    super();
  }

  override _transform(chunk: Buffer | string, _enc: BufferEncoding, done: TransformCallback): void {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    this.size += buf.length;
    if (this.size > this.expected.size) {
      done(new AppError("VALIDATION_FAILED", `more bytes than the declared ${this.expected.size}`));
      return;
    }
    this.hash.update(buf);
    const previous = this.held;
    this.held = buf;
    done(null, previous ?? undefined);
  }

  override _flush(done: TransformCallback): void {
    this.digest = this.hash.digest("hex");
    if (this.size !== this.expected.size) {
      done(new AppError("VALIDATION_FAILED", `received ${this.size} bytes, declared ${this.expected.size}`));
      return;
    }
    if (this.digest !== this.expected.sha256) {
      done(new AppError("VALIDATION_FAILED", "the bytes do not match the declared SHA-256"));
      return;
    }
    if (this.held) this.push(this.held);
    this.held = null;
    done();
  }
}
