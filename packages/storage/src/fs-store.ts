import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { createReadStream, createWriteStream, type Dirent } from "node:fs";
import { type FileHandle, mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { AppError } from "@facet/core";
import type {
  BlobHead,
  BlobStore,
  HealthResult,
  PresignedRequest,
  PresignGetOptions,
  PresignPutOptions,
} from "./blob-store";
import {
  assertExpected,
  assertPrefix,
  assertPresignGet,
  assertPresignPut,
  assertRange,
  contentDisposition,
  isSha256Hex,
  isValidKey,
  VerifyingStream,
} from "./common";

export interface FsBlobStoreOptions {
  /** Folder holding the blobs (keys are paths below it). */
  root: string;
  /** Public URL of the web app that serves `/api/blobs/<key>`, e.g. `http://localhost:3000`. */
  baseUrl: string;
  /** HMAC-SHA256 key for the presigned URLs: 32 characters or more, secret, the same in every web process. */
  secret: string;
}

/** What a valid presigned PUT URL allows: exactly these bytes. */
export interface VerifiedPut {
  method: "PUT";
  size: number;
  sha256: string;
  expiresAt: Date;
}

/** What a valid presigned GET URL allows; `downloadName` goes into Content-Disposition (see `contentDisposition`). */
export interface VerifiedGet {
  method: "GET";
  downloadName?: string;
  expiresAt: Date;
}

/**
 * The answer to a GET of a presigned URL, whoever writes it to the wire (the web server's own listener for
 * speed, the `/api/blobs` route otherwise): the headers, and the object opened already, so that the
 * Content-Length is the size of the bytes that will be sent. Call one of `body()` (a stream), `bytes()` (all of
 * it, for a small object) or `close()`, once.
 */
export interface PresignedGetAnswer {
  size: number;
  headers: Record<string, string>;
  body(): Readable;
  bytes(): Promise<Buffer>;
  close(): Promise<void>;
}

const SIGNATURE_VERSION = "facet-blob-url-v1";
const SIG = /^[A-Za-z0-9_-]{43}$/;
const DIGITS = /^[0-9]{1,15}$/;

function signFields(secret: string, fields: readonly (string | number | null)[]): string {
  // JSON of an array: unambiguous whatever the fields contain (a download name may hold any character).
  return createHmac("sha256", secret)
    .update(JSON.stringify([SIGNATURE_VERSION, ...fields]))
    .digest("base64url");
}

function refuse(method: string, reason: "invalid" | "expired", details?: Record<string, unknown>): AppError {
  const what = method === "PUT" ? "upload URL" : method === "GET" ? "download URL" : "URL";
  const message = reason === "expired" ? `this ${what} has expired` : `this ${what} is not valid`;
  return new AppError("FORBIDDEN", message, { reason, ...details });
}

function single(params: URLSearchParams, name: string): string | undefined {
  const all = params.getAll(name);
  return all.length === 1 ? all[0] : undefined;
}

function assertSecret(secret: string): void {
  if (typeof secret !== "string" || secret.length < 32) {
    throw new AppError("INTERNAL", "the blob URL secret must have at least 32 characters");
  }
}

/**
 * Checks a request against a URL made by `FsBlobStore.presignPut`/`presignGet` with the same secret: the signature
 * (HMAC-SHA256 over method, key, size, SHA-256, expiry and download name; compared in constant time), then the expiry.
 * Throws `AppError("FORBIDDEN")` with `details.reason` `"invalid"` (tampered, wrong method, malformed) or `"expired"`.
 *
 * @param method the HTTP method of the request (`PUT` or `GET`; anything else is refused)
 * @param key the object key taken from the request path (`/api/blobs/<key>`)
 * @param searchParams the request's query string
 * @param now the current time (for tests)
 */
export function verifyPresigned(
  secret: string,
  method: "PUT",
  key: string,
  searchParams: URLSearchParams,
  now?: Date,
): VerifiedPut;
export function verifyPresigned(
  secret: string,
  method: "GET",
  key: string,
  searchParams: URLSearchParams,
  now?: Date,
): VerifiedGet;
export function verifyPresigned(
  secret: string,
  method: string,
  key: string,
  searchParams: URLSearchParams,
  now?: Date,
): VerifiedPut | VerifiedGet;
export function verifyPresigned(
  secret: string,
  method: string,
  key: string,
  searchParams: URLSearchParams,
  now: Date = new Date(),
): VerifiedPut | VerifiedGet {
  assertSecret(secret);
  const m = method.toUpperCase();
  if (m !== "PUT" && m !== "GET") throw refuse(m, "invalid", { method: m });
  if (!isValidKey(key)) throw refuse(m, "invalid");
  const exp = single(searchParams, "exp");
  const sig = single(searchParams, "sig");
  if (exp === undefined || !DIGITS.test(exp) || sig === undefined || !SIG.test(sig)) throw refuse(m, "invalid");
  const expSeconds = Number(exp);

  let fields: (string | number | null)[];
  let grant: VerifiedPut | VerifiedGet;
  const expiresAt = new Date(expSeconds * 1000);
  if (m === "PUT") {
    const size = single(searchParams, "size");
    const sha256 = single(searchParams, "sha256");
    if (size === undefined || !DIGITS.test(size) || sha256 === undefined || !isSha256Hex(sha256)) {
      throw refuse(m, "invalid");
    }
    if (searchParams.has("name")) throw refuse(m, "invalid");
    fields = ["PUT", key, Number(size), sha256, expSeconds];
    grant = { method: "PUT", size: Number(size), sha256, expiresAt };
  } else {
    const names = searchParams.getAll("name");
    if (names.length > 1 || searchParams.has("size") || searchParams.has("sha256")) throw refuse(m, "invalid");
    const downloadName = names[0];
    fields = ["GET", key, expSeconds, downloadName ?? null];
    grant = downloadName === undefined ? { method: "GET", expiresAt } : { method: "GET", downloadName, expiresAt };
  }

  const expected = Buffer.from(signFields(secret, fields), "ascii");
  const given = Buffer.from(sig, "ascii");
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw refuse(m, "invalid");
  if (Math.floor(now.getTime() / 1000) >= expSeconds) {
    throw refuse(m, "expired", { expiresAt: expiresAt.toISOString() });
  }
  return grant;
}

/**
 * The disk said no (full, over quota, read-only, not permitted): an UNAVAILABLE error in words for
 * the person whose upload or job failed, without the server's paths that Node's message carries.
 * Anything else (a bad hash, a short body) passes as it is.
 */
function refusedWrite(e: unknown): unknown {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (code === "ENOSPC" || code === "EDQUOT")
    return new AppError("UNAVAILABLE", "the blob store is full: no space is left on its disk", { cause: code });
  if (code === "EROFS" || code === "EACCES" || code === "EPERM")
    return new AppError("UNAVAILABLE", "the blob store refused the write: its disk is read-only or not writable", {
      cause: code,
    });
  return e;
}

/**
 * Blobs as files under a root folder. Writes are atomic (temporary file, fsync, rename) and verified (length and
 * SHA-256 computed while the bytes arrive), so a reader never sees a partial or wrong object. Presigned URLs point at
 * the web app (`<baseUrl>/api/blobs/<key>?…&sig=…`), which accepts them with `verifyPresigned`.
 */
export class FsBlobStore implements BlobStore {
  readonly kind = "fs" as const;
  readonly root: string;
  readonly baseUrl: string;
  readonly #secret: string;

  constructor(options: FsBlobStoreOptions) {
    if (!options.root) throw new AppError("INTERNAL", "FsBlobStore needs a root folder");
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new AppError("INTERNAL", `FsBlobStore baseUrl is not a URL: ${JSON.stringify(options.baseUrl)}`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new AppError("INTERNAL", "FsBlobStore baseUrl must be http(s)");
    }
    assertSecret(options.secret);
    this.root = options.root;
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.#secret = options.secret;
  }

  private pathOf(key: string): string {
    // `.sha256` is the sidecar holding a blob's digest: no key may collide with one.
    if (!isValidKey(key) || key.endsWith(".sha256")) {
      throw new AppError("VALIDATION_FAILED", `invalid object key: ${JSON.stringify(key)}`);
    }
    return path.join(this.root, key);
  }

  async put(key: string, body: Readable, expected: { size: number; sha256: string }): Promise<BlobHead> {
    const target = this.pathOf(key);
    assertExpected(expected);
    try {
      return await this.write(target, body, expected);
    } catch (e) {
      throw refusedWrite(e);
    }
  }

  private async write(target: string, body: Readable, expected: { size: number; sha256: string }): Promise<BlobHead> {
    await mkdir(path.dirname(target), { recursive: true });
    const tmpDir = this.tmpDir;
    await mkdir(tmpDir, { recursive: true });
    const tmp = path.join(tmpDir, `${randomBytes(8).toString("hex")}.part`);
    const tmpSidecar = `${tmp}.sha256`;
    const verifier = new VerifyingStream(expected);
    try {
      await pipeline(body, verifier, createWriteStream(tmp, { flags: "wx" }));
      const digest = verifier.digest!;
      const fh = await open(tmp, "r");
      await fh.sync();
      await fh.close();
      // The sidecar first, so that a visible blob always has its digest beside it.
      await writeFile(tmpSidecar, digest);
      await rename(tmpSidecar, `${target}.sha256`);
      await rename(tmp, target);
      return { size: verifier.size, sha256: digest };
    } finally {
      await rm(tmp, { force: true });
      await rm(tmpSidecar, { force: true });
    }
  }

  /** Where writes are assembled before their rename (skipped by `list`). */
  private get tmpDir(): string {
    return path.join(this.root, ".tmp");
  }

  /**
   * Temporary files of writes that never finished (the writer was killed between its first byte and
   * the rename) and were not written to since `before`: a write in progress keeps touching its file.
   */
  async sweepInterruptedWrites(before: Date): Promise<number> {
    const tmpDir = this.tmpDir;
    let names: string[];
    try {
      names = await readdir(tmpDir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return 0;
      throw e;
    }
    let removed = 0;
    for (const name of names) {
      const file = path.join(tmpDir, name);
      const s = await stat(file).catch(() => null);
      if (!s?.isFile() || s.mtime >= before) continue;
      await rm(file, { force: true });
      removed++;
    }
    return removed;
  }

  async head(key: string): Promise<BlobHead | null> {
    const p = this.pathOf(key);
    try {
      const s = await stat(p);
      if (!s.isFile()) return null;
      const sha256 = await readFile(`${p}.sha256`, "utf8").catch(() => undefined);
      return sha256 ? { size: s.size, sha256 } : { size: s.size };
    } catch {
      return null;
    }
  }

  async get(key: string): Promise<Readable> {
    const p = this.pathOf(key);
    const s = await stat(p).catch(() => null);
    if (!s?.isFile()) throw new AppError("NOT_FOUND", `no object ${key}`);
    return createReadStream(p);
  }

  async read(key: string): Promise<Buffer> {
    // one open, one read, one close: no stat and no stream (an export reads a faces file per part)
    return readFile(this.pathOf(key)).catch((e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT" || e.code === "EISDIR" || e.code === "ENOTDIR")
        throw new AppError("NOT_FOUND", `no object ${key}`);
      throw e;
    });
  }

  async readRange(key: string, start: number, end: number): Promise<Buffer> {
    const p = this.pathOf(key);
    assertRange(start, end);
    const fh = await open(p, "r").catch(() => {
      throw new AppError("NOT_FOUND", `no object ${key}`);
    });
    try {
      const { size } = await fh.stat();
      if (start >= size) return Buffer.alloc(0);
      const length = Math.min(end, size - 1) - start + 1;
      const buf = Buffer.alloc(length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await fh.read(buf, filled, length - filled, start + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return buf.subarray(0, filled);
    } finally {
      await fh.close();
    }
  }

  async delete(key: string): Promise<void> {
    const p = this.pathOf(key);
    await rm(p, { force: true });
    await rm(`${p}.sha256`, { force: true });
  }

  async move(from: string, to: string): Promise<void> {
    const source = this.pathOf(from);
    const target = this.pathOf(to);
    const s = await stat(source).catch(() => null);
    if (!s?.isFile()) throw new AppError("NOT_FOUND", `no object ${from}`);
    await mkdir(path.dirname(target), { recursive: true });
    // sidecar first (as put does), then the bytes: a visible object always has its digest beside it
    await rename(`${source}.sha256`, `${target}.sha256`).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== "ENOENT") throw e;
    });
    await rename(source, target);
  }

  /** Keys starting with `prefix`, in lexicographic order (as S3 lists them); skips `.tmp`, `.health` and sidecars. */
  async *list(prefix: string): AsyncIterable<{ key: string; size: number; lastModified: Date }> {
    assertPrefix(prefix);
    const slash = prefix.lastIndexOf("/");
    yield* this.walk(slash >= 0 ? prefix.slice(0, slash) : "", prefix);
  }

  private async *walk(
    dirKey: string,
    prefix: string,
  ): AsyncGenerator<{ key: string; size: number; lastModified: Date }> {
    const dir = dirKey ? path.join(this.root, dirKey) : this.root;
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") return;
      throw e;
    }
    // Sorting a directory's entry as `name/` makes the depth-first walk yield keys in plain lexicographic order.
    const items = entries
      .filter((e) => (e.isFile() || e.isDirectory()) && !(dirKey === "" && e.name.startsWith(".")))
      .map((e) => ({ name: e.name, isDir: e.isDirectory(), sortAs: e.isDirectory() ? `${e.name}/` : e.name }))
      .sort((a, b) => (a.sortAs < b.sortAs ? -1 : a.sortAs > b.sortAs ? 1 : 0));
    for (const item of items) {
      const key = dirKey ? `${dirKey}/${item.name}` : item.name;
      if (item.isDir) {
        const asDir = `${key}/`;
        if (asDir.startsWith(prefix) || prefix.startsWith(asDir)) yield* this.walk(key, prefix);
      } else if (key.startsWith(prefix) && !key.endsWith(".sha256")) {
        const s = await stat(path.join(this.root, key)).catch(() => null);
        if (s?.isFile()) yield { key, size: s.size, lastModified: s.mtime };
      }
    }
  }

  async presignPut(key: string, options: PresignPutOptions): Promise<PresignedRequest> {
    assertPresignPut(key, options);
    const exp = Math.floor(Date.now() / 1000) + options.expiresInSeconds;
    const sig = signFields(this.#secret, ["PUT", key, options.size, options.sha256, exp]);
    const query = new URLSearchParams({ size: String(options.size), sha256: options.sha256, exp: String(exp), sig });
    return { method: "PUT", url: `${this.urlOf(key)}?${query}`, headers: {}, expiresAt: new Date(exp * 1000) };
  }

  async presignGet(key: string, options: PresignGetOptions): Promise<PresignedRequest> {
    assertPresignGet(key, options);
    const exp = Math.floor(Date.now() / 1000) + options.expiresInSeconds;
    const sig = signFields(this.#secret, ["GET", key, exp, options.downloadName ?? null]);
    const query = new URLSearchParams({ exp: String(exp) });
    if (options.downloadName !== undefined) query.set("name", options.downloadName);
    query.set("sig", sig);
    return { method: "GET", url: `${this.urlOf(key)}?${query}`, headers: {}, expiresAt: new Date(exp * 1000) };
  }

  /** `verifyPresigned` with this store's secret: what the `/api/blobs/[...key]` route calls. */
  verifyPresigned(method: "PUT", key: string, searchParams: URLSearchParams, now?: Date): VerifiedPut;
  verifyPresigned(method: "GET", key: string, searchParams: URLSearchParams, now?: Date): VerifiedGet;
  verifyPresigned(method: string, key: string, searchParams: URLSearchParams, now?: Date): VerifiedPut | VerifiedGet;
  verifyPresigned(method: string, key: string, searchParams: URLSearchParams, now?: Date): VerifiedPut | VerifiedGet {
    return verifyPresigned(this.#secret, method, key, searchParams, now);
  }

  /**
   * A GET of a presigned URL: the signature and expiry checked (`verifyPresigned`, FORBIDDEN otherwise), then
   * the object opened (NOT_FOUND when it is not there). The one implementation of the answer: the web server
   * serves it before Next.js, and the `/api/blobs` route serves the same. No ETag and no Range: the whole
   * object, every time (the URLs are short-lived and bound to one object; nothing caches them).
   */
  async openPresignedGet(key: string, searchParams: URLSearchParams, now?: Date): Promise<PresignedGetAnswer> {
    const grant = this.verifyPresigned("GET", key, searchParams, now);
    const p = this.pathOf(key);
    let fh: FileHandle;
    try {
      fh = await open(p, "r");
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR" || code === "EISDIR")
        throw new AppError("NOT_FOUND", "no such object");
      throw e;
    }
    let size: number;
    try {
      const s = await fh.stat();
      if (!s.isFile()) throw new AppError("NOT_FOUND", "no such object");
      size = s.size;
    } catch (e) {
      await fh.close();
      throw e;
    }
    return {
      size,
      headers: {
        "content-type": "application/octet-stream",
        "content-length": String(size),
        "cache-control": "private, max-age=0, no-store",
        ...(grant.downloadName ? { "content-disposition": contentDisposition(grant.downloadName) } : {}),
      },
      // the stream closes the file when it ends or is destroyed
      body: () => fh.createReadStream({ start: 0 }),
      bytes: async () => {
        try {
          const buf = Buffer.allocUnsafe(size);
          let filled = 0;
          while (filled < size) {
            const { bytesRead } = await fh.read(buf, filled, size - filled, filled);
            if (bytesRead === 0) break;
            filled += bytesRead;
          }
          // objects are written once (temporary name, rename): a short read means something is badly wrong
          if (filled !== size) throw new AppError("INTERNAL", `object ${key} changed while it was read`);
          return buf;
        } finally {
          await fh.close();
        }
      },
      close: () => fh.close(),
    };
  }

  private urlOf(key: string): string {
    return `${this.baseUrl}/api/blobs/${key.split("/").map(encodeURIComponent).join("/")}`;
  }

  async health(): Promise<HealthResult> {
    const probe = path.join(this.root, ".health", `${process.pid}-${randomBytes(4).toString("hex")}`);
    try {
      await mkdir(path.dirname(probe), { recursive: true });
      await writeFile(probe, "ok");
      const back = await readFile(probe, "utf8");
      await rm(probe, { force: true });
      return back === "ok"
        ? { ok: true, detail: `filesystem ${this.root}` }
        : { ok: false, detail: "read back differs" };
    } catch (e) {
      return { ok: false, detail: `filesystem ${this.root}: ${(e as Error).message}` };
    }
  }
}
