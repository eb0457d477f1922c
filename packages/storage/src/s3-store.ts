import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
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
  assertKey,
  assertPrefix,
  assertPresignGet,
  assertPresignPut,
  assertRange,
  contentDisposition,
  VerifyingStream,
} from "./common";

export interface S3BlobStoreOptions {
  bucket: string;
  /** e.g. `us-east-1`; `auto` for Cloudflare R2. */
  region: string;
  /** For R2, MinIO and other S3-compatible stores, e.g. `https://<account>.r2.cloudflarestorage.com`. */
  endpoint?: string;
  /** Path-style URLs (`<endpoint>/<bucket>/<key>`): needed by MinIO and most local servers. */
  forcePathStyle?: boolean;
  accessKeyId: string;
  secretAccessKey: string;
  /** Keys per ListObjectsV2 page (1 to 1000; default 1000): only tests need another value. */
  listPageSize?: number;
  /** Deadlines other than the defaults (REQUEST_TIMEOUT_MS, UPLOAD_IDLE_MS): only tests need them. */
  timeouts?: { requestMs?: number; uploadIdleMs?: number };
}

/** S3's `x-amz-checksum-sha256`: the base64 of the 32 digest bytes. */
export function sha256HexToBase64(hex: string): string {
  return Buffer.from(hex, "hex").toString("base64");
}

export function sha256Base64ToHex(value: string): string | undefined {
  // Multipart uploads report a composite checksum (`<base64>-<parts>`): not the hash of the object.
  if (!/^[A-Za-z0-9+/]{43}=$/.test(value)) return undefined;
  return Buffer.from(value, "base64").toString("hex");
}

/** How long a health check waits for the store's answer (HeadBucket, retries included). */
const HEALTH_TIMEOUT_MS = 5000;

/** How long a connection to the store may take to open: an unreachable host fails then, not after the OS's minutes. */
const CONNECT_TIMEOUT_MS = 5000;

/**
 * How long a request other than an upload (HEAD, GET, DELETE, COPY, LIST) waits for the store's answer
 * (its status and headers; a GET's body then comes at its reader's pace), each attempt: a store that
 * takes the connection and says nothing fails the request instead of holding a job or a web request.
 */
const REQUEST_TIMEOUT_MS = 60_000;

/**
 * How long an upload's connection may stay silent (nothing sent, nothing received). Uploads are not
 * bounded in total (a large file on a slow link takes its time); their bodies come from memory or a
 * file, so a pause this long is a store that stopped taking the bytes or answering.
 */
const UPLOAD_IDLE_MS = 120_000;

interface SdkError {
  name?: string;
  $metadata?: { httpStatusCode?: number };
}

function sdkError(e: unknown): SdkError {
  return typeof e === "object" && e !== null ? (e as SdkError) : {};
}

/**
 * A write the store did not take, as an UNAVAILABLE error in words for the person whose upload or job
 * failed: the store's error name (NoSuchBucket, AccessDenied, SlowDown, …) or that it could not be
 * reached, never the SDK's or Node's message, which names the endpoint, its address or the bucket.
 */
function refusedWrite(e: unknown): AppError {
  const { name, $metadata } = sdkError(e);
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if ($metadata?.httpStatusCode !== undefined && name) {
    return new AppError("UNAVAILABLE", `the blob store refused the write (${name.slice(0, 60)})`, {
      status: $metadata.httpStatusCode,
    });
  }
  const why = code ?? name ?? "no answer";
  return new AppError("UNAVAILABLE", `the blob store could not be reached (${why.slice(0, 60)})`);
}

function isNotFound(e: unknown): boolean {
  const { name, $metadata } = sdkError(e);
  if (name === "NoSuchBucket") return false;
  return name === "NotFound" || name === "NoSuchKey" || $metadata?.httpStatusCode === 404;
}

/**
 * Blobs in an S3-compatible bucket (AWS S3, Cloudflare R2, MinIO). Browsers upload and download with presigned URLs
 * bound to one key, one length and one SHA-256 (a signed `x-amz-checksum-sha256` header that the store checks).
 */
export class S3BlobStore implements BlobStore {
  readonly kind = "s3" as const;
  readonly bucket: string;
  private readonly client: S3Client;
  /** Same settings, no retries: a streamed body cannot be sent twice. */
  private readonly uploadClient: S3Client;
  private readonly endpoint: string | undefined;
  private readonly listPageSize: number;

  constructor(options: S3BlobStoreOptions) {
    if (!options.bucket) throw new AppError("INTERNAL", "S3BlobStore needs a bucket");
    this.bucket = options.bucket;
    this.endpoint = options.endpoint;
    this.listPageSize = options.listPageSize ?? 1000;
    if (!Number.isInteger(this.listPageSize) || this.listPageSize < 1 || this.listPageSize > 1000) {
      throw new AppError("INTERNAL", "listPageSize must be an integer from 1 to 1000");
    }
    const config: S3ClientConfig = {
      region: options.region,
      credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
      // Checksums only where we set them: otherwise the presigner signs a CRC32 of an EMPTY body into PUT URLs.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.forcePathStyle !== undefined ? { forcePathStyle: options.forcePathStyle } : {}),
    };
    this.client = new S3Client({
      ...config,
      requestHandler: {
        connectionTimeout: CONNECT_TIMEOUT_MS,
        requestTimeout: options.timeouts?.requestMs ?? REQUEST_TIMEOUT_MS,
        throwOnRequestTimeout: true,
      },
    });
    this.uploadClient = new S3Client({
      ...config,
      maxAttempts: 1,
      requestHandler: {
        connectionTimeout: CONNECT_TIMEOUT_MS,
        socketTimeout: options.timeouts?.uploadIdleMs ?? UPLOAD_IDLE_MS,
      },
    });
  }

  /**
   * Streams the bytes up with their length and SHA-256 (`x-amz-checksum-sha256`, which S3 and R2 check too), hashing
   * them on the way. A wrong length or hash aborts the upload before its last chunk leaves, so the store never gets
   * the declared Content-Length and (S3 semantics) creates no object and keeps any object already there. Should a store
   * complete an upload whose bytes did not verify all the same, that object is deleted.
   */
  async put(key: string, body: Readable, expected: { size: number; sha256: string }): Promise<BlobHead> {
    assertKey(key);
    assertExpected(expected);
    const verifier = new VerifyingStream(expected);
    const putObject = (bytes: Buffer | Readable) =>
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: bytes,
        ContentLength: expected.size,
        ChecksumSHA256: sha256HexToBase64(expected.sha256),
        ContentType: "application/octet-stream",
      });
    if (expected.size === 0) {
      // No last chunk to hold back: check the (empty) body before sending anything.
      await pipeline(body, verifier, new Writable({ write: (_chunk, _enc, done) => done() }));
      await this.uploadClient.send(putObject(Buffer.alloc(0)));
      return { size: 0, sha256: expected.sha256 };
    }
    const abort = new AbortController();
    let failure: unknown;
    const streamed = new Promise<void>((resolve) => {
      body.on("error", (e) => verifier.destroy(e));
      verifier.on("error", (e) => {
        failure ??= e;
        abort.abort(e);
        resolve();
      });
      verifier.on("end", () => resolve());
      body.pipe(verifier);
    });
    try {
      await this.uploadClient.send(putObject(verifier), { abortSignal: abort.signal });
    } catch (e) {
      verifier.destroy();
      body.destroy();
      if (failure) throw failure;
      const { name } = sdkError(e);
      if (name === "BadDigest" || name === "XAmzContentSHA256Mismatch" || name === "InvalidDigest") {
        throw new AppError("VALIDATION_FAILED", "the bytes do not match the declared SHA-256");
      }
      throw refusedWrite(e);
    }
    await streamed;
    // Not reachable with the held-back last chunk; a safety net should a store accept an unverified body.
    if (failure || verifier.digest !== expected.sha256 || verifier.size !== expected.size) {
      await this.delete(key);
      throw failure ?? new AppError("VALIDATION_FAILED", "the bytes do not match the declared SHA-256");
    }
    return { size: verifier.size, sha256: verifier.digest };
  }

  async head(key: string): Promise<BlobHead | null> {
    assertKey(key);
    try {
      const out = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: key, ChecksumMode: "ENABLED" }),
      );
      const size = out.ContentLength ?? 0;
      const sha256 =
        out.ChecksumSHA256 && (out.ChecksumType === undefined || out.ChecksumType === "FULL_OBJECT")
          ? sha256Base64ToHex(out.ChecksumSHA256)
          : undefined;
      return sha256 ? { size, sha256 } : { size };
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  async get(key: string): Promise<Readable> {
    assertKey(key);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!(out.Body instanceof Readable)) throw new AppError("INTERNAL", "the S3 client returned no Node stream");
      return out.Body;
    } catch (e) {
      if (isNotFound(e)) throw new AppError("NOT_FOUND", `no object ${key}`);
      throw e;
    }
  }

  async read(key: string): Promise<Buffer> {
    assertKey(key);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return out.Body ? Buffer.from(await out.Body.transformToByteArray()) : Buffer.alloc(0);
    } catch (e) {
      if (isNotFound(e)) throw new AppError("NOT_FOUND", `no object ${key}`);
      throw e;
    }
  }

  async readRange(key: string, start: number, end: number): Promise<Buffer> {
    assertKey(key);
    assertRange(start, end);
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=${start}-${end}` }),
      );
      if (!out.Body) return Buffer.alloc(0);
      return Buffer.from(await out.Body.transformToByteArray());
    } catch (e) {
      if (isNotFound(e)) throw new AppError("NOT_FOUND", `no object ${key}`);
      const { name, $metadata } = sdkError(e);
      // The range starts past the end: nothing to read (the filesystem store answers the same).
      if (name === "InvalidRange" || $metadata?.httpStatusCode === 416) return Buffer.alloc(0);
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    assertKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  /** A server-side copy (with its SHA-256 checksum kept) then the source deleted: no byte passes through us. */
  async move(from: string, to: string): Promise<void> {
    assertKey(from);
    assertKey(to);
    try {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: to,
          CopySource: `${this.bucket}/${from.split("/").map(encodeURIComponent).join("/")}`,
          ChecksumAlgorithm: "SHA256",
        }),
      );
    } catch (e) {
      if (isNotFound(e)) throw new AppError("NOT_FOUND", `no object ${from}`);
      throw e;
    }
    await this.delete(from);
  }

  async *list(prefix: string): AsyncIterable<{ key: string; size: number; lastModified: Date }> {
    assertPrefix(prefix);
    let token: string | undefined;
    do {
      const out = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          MaxKeys: this.listPageSize,
          ...(prefix ? { Prefix: prefix } : {}),
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const o of out.Contents ?? []) {
        if (o.Key !== undefined) yield { key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0) };
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
  }

  /**
   * A PUT URL bound to the key, the exact length and the SHA-256: `content-length` and `x-amz-checksum-sha256` are
   * signed headers, so S3 refuses a request without them or with other values, and checks the bytes against the
   * checksum. The client must send `x-amz-checksum-sha256` as returned in `headers`; `content-length` is returned
   * too, but browsers set it themselves from the body (it is a forbidden header name for `fetch`), and it must equal
   * `size`. CORS on the bucket must allow PUT with the `x-amz-checksum-sha256` header.
   */
  async presignPut(key: string, options: PresignPutOptions): Promise<PresignedRequest> {
    assertPresignPut(key, options);
    const checksum = sha256HexToBase64(options.sha256);
    const signingDate = new Date(Math.floor(Date.now() / 1000) * 1000);
    const url = await getSignedUrl(
      this.client,
      new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentLength: options.size, ChecksumSHA256: checksum }),
      {
        expiresIn: options.expiresInSeconds,
        signingDate,
        signableHeaders: new Set(["content-length", "x-amz-checksum-sha256"]),
        unhoistableHeaders: new Set(["x-amz-checksum-sha256"]),
      },
    );
    return {
      method: "PUT",
      url,
      headers: { "content-length": String(options.size), "x-amz-checksum-sha256": checksum },
      expiresAt: new Date(signingDate.getTime() + options.expiresInSeconds * 1000),
    };
  }

  async presignGet(key: string, options: PresignGetOptions): Promise<PresignedRequest> {
    assertPresignGet(key, options);
    const signingDate = new Date(Math.floor(Date.now() / 1000) * 1000);
    const url = await getSignedUrl(
      this.client,
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: key,
        ...(options.downloadName ? { ResponseContentDisposition: contentDisposition(options.downloadName) } : {}),
      }),
      { expiresIn: options.expiresInSeconds, signingDate },
    );
    return {
      method: "GET",
      url,
      headers: {},
      expiresAt: new Date(signingDate.getTime() + options.expiresInSeconds * 1000),
    };
  }

  /** A PUT that never finished left nothing behind. */
  async sweepInterruptedWrites(_before: Date): Promise<number> {
    return 0;
  }

  /** HeadBucket, answered within HEALTH_TIMEOUT_MS or reported down: a monitor must get an answer. */
  async health(): Promise<HealthResult> {
    const where = `s3 bucket ${this.bucket}${this.endpoint ? ` at ${this.endpoint}` : ""}`;
    const deadline = AbortSignal.timeout(HEALTH_TIMEOUT_MS);
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }), { abortSignal: deadline });
      return { ok: true, detail: where };
    } catch (e) {
      if (deadline.aborted) return { ok: false, detail: `${where}: no answer within ${HEALTH_TIMEOUT_MS / 1000} s` };
      const { name, $metadata } = sdkError(e);
      const status = $metadata?.httpStatusCode ? ` (HTTP ${$metadata.httpStatusCode})` : "";
      return { ok: false, detail: `${where}: ${name ?? "error"}${status}: ${(e as Error).message}` };
    }
  }
}
