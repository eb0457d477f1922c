import http from "node:http";
import https from "node:https";
import type { Readable } from "node:stream";

/** An error the Facet API answered (code and message from its JSON body), or a transport failure. */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 0,
    /** How long the server asked us to wait before trying again (429 Retry-After), in seconds. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }
  /** Worth trying again: the network, or the server's own failure. */
  get transient(): boolean {
    return this.status === 0 || this.status >= 500 || this.status === 429;
  }
}

/** A body sent as it is (a STEP file), not as JSON. */
export interface RawBody {
  bytes: Uint8Array;
  contentType: string;
}

export interface Api {
  baseUrl: string;
  /** A JSON call; `body` is sent as JSON, or as raw bytes when it is a RawBody. */
  call<T>(method: string, path: string, body?: unknown): Promise<T>;
}

const isRaw = (b: unknown): b is RawBody =>
  typeof b === "object" && b !== null && (b as RawBody).bytes instanceof Uint8Array && "contentType" in b;

export function createApi(baseUrl: string, key: string | null): Api {
  return {
    baseUrl,
    async call<T>(method: string, path: string, body?: unknown): Promise<T> {
      let res: Response;
      const raw = isRaw(body) ? body : null;
      try {
        res = await fetch(new URL(path, baseUrl), {
          method,
          headers: {
            ...(key ? { authorization: `Bearer ${key}` } : {}),
            ...(body === undefined ? {} : { "content-type": raw ? raw.contentType : "application/json" }),
          },
          body: body === undefined ? undefined : raw ? raw.bytes : JSON.stringify(body),
        });
      } catch (e) {
        throw new CliError("NETWORK", `cannot reach ${baseUrl}: ${(e as Error).cause ?? (e as Error).message}`);
      }
      const text = await res.text();
      let data: unknown = null;
      try {
        data = text ? JSON.parse(text) : null;
      } catch {
        throw new CliError(
          "BAD_RESPONSE",
          `${method} ${path} answered ${res.status} with something that is not JSON`,
          res.status,
        );
      }
      if (!res.ok) {
        const err = (data as { error?: { code?: string; message?: string } } | null)?.error;
        const retryAfter = Number(res.headers.get("retry-after"));
        throw new CliError(
          err?.code ?? "HTTP_ERROR",
          err?.message ?? `${method} ${path} failed with ${res.status}`,
          res.status,
          Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
        );
      }
      return data as T;
    },
  };
}

/** PUT a stream of known length to a (presigned) URL, reporting bytes as they go. */
export function putStream(
  url: string,
  headers: Record<string, string>,
  body: Readable,
  size: number,
  onBytes: (n: number) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const lib = target.protocol === "https:" ? https : http;
    const req = lib.request(
      target,
      { method: "PUT", headers: { ...headers, "content-length": String(size) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve();
          const text = Buffer.concat(chunks).toString("utf8");
          let message = `storage answered ${status}`;
          let code = "UPLOAD_FAILED";
          try {
            const e = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
            if (e?.message) message = e.message;
            if (e?.code) code = e.code;
          } catch {
            if (text) message += `: ${text.slice(0, 200)}`;
          }
          reject(new CliError(code, message, status));
        });
      },
    );
    req.on("error", (e) => reject(new CliError("NETWORK", `upload failed: ${e.message}`)));
    body.on("data", (c: Buffer) => onBytes(c.length));
    body.on("error", (e) => req.destroy(e));
    body.pipe(req);
  });
}
