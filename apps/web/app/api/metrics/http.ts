import { Histogram, LATENCY_BUCKETS } from "@facet/core";

/**
 * The web process's request latencies: observed by the HTTP server (server/listener.ts, loaded by
 * Node) and read by the metrics route (bundled by Next.js): two copies of this module, one object,
 * kept on globalThis under a registered symbol.
 */
const KEY = Symbol.for("facet.http.request-duration");
const holder = globalThis as unknown as Record<symbol, Histogram | undefined>;

export function httpRequestDurations(): Histogram {
  holder[KEY] ??= new Histogram(LATENCY_BUCKETS, 2000);
  return holder[KEY];
}
