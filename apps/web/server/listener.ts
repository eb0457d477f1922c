import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { pipeline } from "node:stream";
import { isAppError } from "@facet/core";
import type { FsBlobStore } from "@facet/storage";
import { API_CONTENT_SECURITY_POLICY, STATIC_SECURITY_HEADERS } from "../lib/security-headers";
import { refuseMalformedUrl, sanitizeHeaders } from "./request-guard";

export interface ListenerOptions {
  /** Next.js' request handler: everything this layer does not answer itself. */
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** Trusted reverse proxies in front (FACET_TRUSTED_PROXIES). */
  hops: number;
  /** The filesystem blob store whose signed GETs are answered here, or null (S3: the URLs point elsewhere). */
  blobs: FsBlobStore | null;
}

/** What next.config.ts puts on every `/api` answer; a blob answered here carries the same. */
const API_HEADERS: Record<string, string> = {
  ...Object.fromEntries(STATIC_SECURITY_HEADERS.map((h) => [h.key, h.value])),
  "Content-Security-Policy": API_CONTENT_SECURITY_POLICY,
};

const BLOBS = "/api/blobs/";
/** Objects up to this size are read whole and sent in one write; larger ones are streamed. */
const WHOLE = 1 << 20;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { ...API_HEADERS, "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

function sendError(res: ServerResponse, e: unknown, where: string): void {
  if (isAppError(e)) {
    if (!e.isUserError) console.error(`[server] ${where}: ${e.code} ${e.message}`);
    sendJson(res, e.status, e.toJSON());
    return;
  }
  console.error(`[server] ${where}: unexpected error`, e);
  sendJson(res, 500, { error: { code: "INTERNAL", message: "something went wrong on our side; it has been logged" } });
}

/**
 * A GET or HEAD of a presigned blob URL, answered without Next.js: a request through Next.js' routing
 * and the route handler costs about 2.5 ms of CPU whatever the size of the object, which made `facet
 * pull` of many small files wait on the web server, not on the disk. The answer is the route's (the
 * same `FsBlobStore.openPresignedGet`, the same JSON errors, the same security headers).
 */
async function serveBlob(store: FsBlobStore, req: IncomingMessage, res: ServerResponse, url: string): Promise<void> {
  const q = url.indexOf("?");
  const pathname = q >= 0 ? url.slice(0, q) : url;
  const where = `${req.method} ${pathname}`;
  try {
    // the path decodes (request-guard checked it); each segment is decoded as Next.js does for [...key]
    const key = pathname.slice(BLOBS.length).split("/").map(decodeURIComponent).join("/");
    const answer = await store.openPresignedGet(key, new URLSearchParams(q >= 0 ? url.slice(q + 1) : ""));
    const headers = { ...API_HEADERS, ...answer.headers };
    if (req.method === "HEAD") {
      await answer.close();
      res.writeHead(200, headers).end();
    } else if (answer.size <= WHOLE) {
      // read in one call and written with the headers in one: half the CPU of a stream for a small file
      const bytes = await answer.bytes();
      res.writeHead(200, headers).end(bytes);
    } else {
      res.writeHead(200, headers);
      // a client that goes away destroys the stream, which closes the file
      pipeline(answer.body(), res, () => undefined);
    }
  } catch (e) {
    if (res.headersSent) res.destroy();
    else sendError(res, e, where);
  }
}

/** The web server's request handler: the guard, signed blob GETs, then Next.js. */
export function createListener(o: ListenerOptions): RequestListener {
  return (req, res) => {
    const url = req.url ?? "/";
    const refusal = refuseMalformedUrl(url);
    if (refusal) {
      res.writeHead(refusal.status, { "content-type": refusal.contentType, "cache-control": "no-store" });
      res.end(refusal.body);
      return;
    }
    sanitizeHeaders(req.headers, o.hops);
    if (o.blobs && (req.method === "GET" || req.method === "HEAD") && url.startsWith(BLOBS)) {
      void serveBlob(o.blobs, req, res, url);
      return;
    }
    o.handle(req, res).catch((e: unknown) => {
      if (res.headersSent) {
        console.error("[server] unhandled error", e);
        res.destroy();
      } else sendError(res, e, `${req.method} ${url}`);
    });
  };
}
