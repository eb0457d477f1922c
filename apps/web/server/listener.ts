import { randomUUID } from "node:crypto";
import { readdirSync } from "node:fs";
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import path from "node:path";
import { pipeline } from "node:stream";
import { fileURLToPath } from "node:url";
import {
  createLogger,
  isAppError,
  isWellFormedRequestId,
  type Logger,
  routeLabel,
  routeMatcher,
  routePatternsFromFiles,
} from "@facet/core";
import type { FsBlobStore } from "@facet/storage";
import { httpRequestDurations } from "../app/api/metrics/http";
import { API_CONTENT_SECURITY_POLICY, STATIC_SECURITY_HEADERS } from "../lib/security-headers";
import { refuseMalformedUrl, sanitizeHeaders } from "./request-guard";

export interface ListenerOptions {
  /** Next.js' request handler: everything this layer does not answer itself. */
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** Trusted reverse proxies in front (FACET_TRUSTED_PROXIES). */
  hops: number;
  /** The filesystem blob store whose signed GETs are answered here, or null (S3: the URLs point elsewhere). */
  blobs: FsBlobStore | null;
  /** Where request lines go (default: JSON lines on stdout, process `web`). */
  log?: Logger;
  /** The app's route patterns, the label of a request's metrics and log line (default: read from app/). */
  routes?: readonly string[];
}

/** The route files under apps/web/app, as patterns (`/api/workspaces/[ws]`): read once, at start. */
function appRoutes(): string[] {
  const app = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../app");
  try {
    const files = readdirSync(app, { recursive: true, encoding: "utf8" });
    return routePatternsFromFiles(files.filter((f) => !f.split(path.sep).includes("node_modules")));
  } catch {
    return []; // no source tree: every request is labelled by the fixed names of routeLabel
  }
}

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
const stdoutLogger = () => createLogger({ process: "web", write: (line) => process.stdout.write(`${line}\n`) });

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

function sendError(res: ServerResponse, e: unknown, log: Logger): void {
  if (isAppError(e)) {
    if (!e.isUserError) log.error("request failed", { code: e.code, error: e.message });
    sendJson(res, e.status, e.toJSON());
    return;
  }
  log.error("request failed: unexpected error", { error: e });
  sendJson(res, 500, { error: { code: "INTERNAL", message: "something went wrong on our side; it has been logged" } });
}

/**
 * A GET or HEAD of a presigned blob URL, answered without Next.js: a request through Next.js' routing
 * and the route handler costs about 2.5 ms of CPU whatever the size of the object, which made `facet
 * pull` of many small files wait on the web server, not on the disk. The answer is the route's (the
 * same `FsBlobStore.openPresignedGet`, the same JSON errors, the same security headers).
 */
async function serveBlob(
  store: FsBlobStore,
  req: IncomingMessage,
  res: ServerResponse,
  url: string,
  log: Logger,
): Promise<void> {
  const q = url.indexOf("?");
  const pathname = q >= 0 ? url.slice(0, q) : url;
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
    else sendError(res, e, log);
  }
}

/**
 * The web server's request handler: the guard, signed blob GETs, then Next.js. Every request gets
 * an id (the caller's `x-request-id` when well-formed, else a new one), sent back in `x-request-id`;
 * when it ends, its duration is counted in the route's latency histogram (/api/metrics) and one JSON
 * line tells method, route, status, duration and id. Routes are labelled by pattern, never by path.
 */
export function createListener(o: ListenerOptions): RequestListener {
  const log = o.log ?? stdoutLogger();
  const match = routeMatcher(o.routes ?? appRoutes());
  const durations = httpRequestDurations();
  return (req, res) => {
    const started = process.hrtime.bigint();
    const given = req.headers["x-request-id"];
    const requestId = isWellFormedRequestId(given) ? given : randomUUID();
    req.headers["x-request-id"] = requestId;
    res.setHeader("x-request-id", requestId);
    const url = req.url ?? "/";
    const refusal = refuseMalformedUrl(url);
    const q = url.indexOf("?");
    const route = refusal ? "malformed" : routeLabel(match, q >= 0 ? url.slice(0, q) : url);
    const method = METHODS.has(req.method ?? "") ? (req.method as string) : "other";
    const reqLog = log.child({ request_id: requestId, method, route });
    res.once("close", () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const status = res.statusCode;
      durations.observe({ method, route, status: String(status) }, seconds);
      reqLog.info("request", {
        status,
        duration_ms: Math.round(seconds * 1e6) / 1e3,
        ...(res.writableFinished ? {} : { aborted: true }),
      });
    });
    if (refusal) {
      res.writeHead(refusal.status, { "content-type": refusal.contentType, "cache-control": "no-store" });
      res.end(refusal.body);
      return;
    }
    sanitizeHeaders(req.headers, o.hops);
    if (o.blobs && (req.method === "GET" || req.method === "HEAD") && url.startsWith(BLOBS)) {
      void serveBlob(o.blobs, req, res, url, reqLog);
      return;
    }
    o.handle(req, res).catch((e: unknown) => {
      if (res.headersSent) {
        reqLog.error("unhandled error after the answer started", { error: e });
        res.destroy();
      } else sendError(res, e, reqLog);
    });
  };
}
