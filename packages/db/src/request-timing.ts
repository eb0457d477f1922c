import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Where one request's time went, by phase, in milliseconds: the web process sends it back in a
 * `Server-Timing` header when FACET_SERVER_TIMING is on (browsers' developer tools and the load
 * suite read it). A phase met more than once (every transaction of a request waits for the pool)
 * adds up; phases may nest (`member` holds the `tx.*` of its own transaction).
 */
export class RequestTimings {
  readonly phases = new Map<string, number>();

  add(phase: string, ms: number): void {
    this.phases.set(phase, (this.phases.get(phase) ?? 0) + ms);
  }

  /** The `Server-Timing` header's value: `auth;dur=1.20, tx.pool;dur=0.05, …`. */
  header(): string {
    return [...this.phases].map(([phase, ms]) => `${phase};dur=${ms.toFixed(2)}`).join(", ");
  }
}

// One store per process, whichever bundled copy of this module asks (Next.js bundles route files apart).
const KEY = Symbol.for("facet.request-timings");
const holder = globalThis as unknown as Record<symbol, AsyncLocalStorage<RequestTimings> | undefined>;
function store(): AsyncLocalStorage<RequestTimings> {
  holder[KEY] ??= new AsyncLocalStorage<RequestTimings>();
  return holder[KEY];
}

/** Run `fn` with `timings` collecting the phases timed inside it (in every await it makes). */
export function collectTimings<T>(timings: RequestTimings, fn: () => T): T {
  return store().run(timings, fn);
}

/** Time `fn` as `phase` of the request being collected, if one is (else just run it). */
export async function timed<T>(phase: string, fn: () => Promise<T>): Promise<T> {
  const timings = store().getStore();
  if (!timings) return fn();
  const started = performance.now();
  try {
    return await fn();
  } finally {
    timings.add(phase, performance.now() - started);
  }
}
