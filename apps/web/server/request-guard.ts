import type { IncomingHttpHeaders } from "node:http";

/**
 * What the web server does to every request before Next.js sees it (no framework here).
 *
 * - Forwarding headers (X-Forwarded-For/-Host/-Proto/-Port, Forwarded, X-Real-IP) are the word of
 *   whoever sent the request. Without a trusted proxy in front (`hops` = 0) they are dropped, so
 *   Next.js fills X-Forwarded-* from the connection itself and the app can rely on them; with proxies
 *   they are kept (each proxy appends what it saw). Next.js' internal headers are always dropped.
 * - A path that cannot be decoded (`/api/%`, an encoded NUL) is refused here with a clear answer:
 *   JSON under /api, like every other API error.
 */

const FORWARDING = [
  "x-forwarded-for",
  "x-forwarded-host",
  "x-forwarded-proto",
  "x-forwarded-port",
  "forwarded",
  "x-real-ip",
];
// set by Next.js itself between its own layers; never from outside
const INTERNAL = ["x-middleware-subrequest", "x-middleware-prefetch", "x-invoke-path", "x-invoke-query", "x-nonce"];

export function sanitizeHeaders(headers: IncomingHttpHeaders, hops: number): void {
  for (const name of INTERNAL) delete headers[name];
  if (hops > 0) return;
  for (const name of FORWARDING) delete headers[name];
}

export interface Refusal {
  status: number;
  contentType: string;
  body: string;
}

/** A refusal for a request URL no route can take, or null when it may go on. */
export function refuseMalformedUrl(url: string | undefined): Refusal | null {
  const raw = url ?? "/";
  const q = raw.indexOf("?");
  const path = q >= 0 ? raw.slice(0, q) : raw;
  let problem: string | null = null;
  try {
    const decoded = decodeURIComponent(path);
    if (/\p{Cc}/u.test(decoded)) problem = "the path contains control characters";
  } catch {
    problem = "the path is not valid percent-encoding (a % must be followed by two hexadecimal digits)";
  }
  if (!problem) return null;
  if (path.startsWith("/api/") || path === "/api") {
    return {
      status: 400,
      contentType: "application/json",
      body: JSON.stringify({ error: { code: "BAD_REQUEST", message: `malformed request URL: ${problem}` } }),
    };
  }
  return { status: 400, contentType: "text/plain; charset=utf-8", body: `Bad request: ${problem}.\n` };
}
