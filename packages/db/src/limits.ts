import type pg from "pg";

/**
 * Abuse limits kept in PostgreSQL, so every web process shares them: rate limits (generic cell
 * rate algorithm, one row per key) and the open event streams per user. Called with the server's
 * own connection (the service), never as a user.
 */

export interface RateLimit {
  /** At most `limit` hits per `periodSeconds`, in a burst or spread out. */
  limit: number;
  periodSeconds: number;
}

/**
 * Take `cost` hits from `bucket`/`key`: 0 when allowed, otherwise the seconds to wait before the
 * next hit would pass (and nothing is taken). Runs in its own transaction: a refused request that
 * rolls back its own work still counts.
 */
export async function takeRateLimit(
  pool: pg.Pool,
  bucket: string,
  key: string,
  limit: RateLimit,
  cost = 1,
): Promise<number> {
  return takeRateLimits(pool, [{ bucket, key, limit, cost }]);
}

/**
 * Take hits from several buckets in one round trip (a request counts for its user and for its key):
 * the longest wait among them, 0 when every one allowed it. Each bucket decides on its own.
 */
export async function takeRateLimits(
  pool: pg.Pool,
  hits: Array<{ bucket: string; key: string; limit: RateLimit; cost?: number }>,
): Promise<number> {
  if (hits.length === 0) return 0;
  // named: prepared once per connection, planned once (every API request runs it)
  const { rows } = await pool.query<{ wait: number }>({
    name: "facet_rate_limits_take",
    text: `select coalesce(max(private.rate_limit_take(b, k, l, p, c)), 0) as wait
     from unnest($1::text[], $2::text[], $3::int[], $4::float8[], $5::int[]) as t(b, k, l, p, c)`,
    values: [
      hits.map((h) => h.bucket),
      hits.map((h) => h.key.slice(0, 128)),
      hits.map((h) => h.limit.limit),
      hits.map((h) => h.limit.periodSeconds),
      hits.map((h) => h.cost ?? 1),
    ],
  });
  return Number(rows[0]?.wait ?? 0);
}

/** Forget keys whose bucket is full again (the worker's maintenance, every minute). */
export async function pruneRateLimits(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>("select private.rate_limits_prune() as n");
  return rows[0]?.n ?? 0;
}

/** A stream not touched by its heartbeat for this long no longer counts (its server died). */
export const EVENT_STREAM_LIVE_SECONDS = 60;

/** Forget streams whose heartbeat stopped (the worker's maintenance). */
export async function pruneEventStreams(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>("select private.event_streams_prune($1) as n", [
    EVENT_STREAM_LIVE_SECONDS,
  ]);
  return rows[0]?.n ?? 0;
}

/**
 * Count an event stream as open for its user, unless they have `cap` live ones already (a stream
 * is live while its heartbeat touched it within `liveSeconds`, EVENT_STREAM_LIVE_SECONDS by default).
 * False: refuse the stream.
 */
export async function openEventStream(
  pool: pg.Pool,
  input: { id: string; userId: string; cap: number; liveSeconds?: number },
): Promise<boolean> {
  const { rows } = await pool.query<{ ok: boolean }>("select private.open_event_stream($1, $2, $3, $4) as ok", [
    input.id,
    input.userId,
    input.cap,
    input.liveSeconds ?? EVENT_STREAM_LIVE_SECONDS,
  ]);
  return rows[0]?.ok === true;
}

/** The heartbeat of an open stream. */
export async function touchEventStream(pool: pg.Pool, id: string): Promise<void> {
  await pool.query("select private.touch_event_stream($1)", [id]);
}

export async function closeEventStream(pool: pg.Pool, id: string): Promise<void> {
  await pool.query("select private.close_event_stream($1)", [id]);
}

/**
 * Tell every web process that sessions of a user ended (signed out, signed out everywhere, removed
 * or deactivated), so their open event streams check access at once. `sessionId` null: all of them.
 */
export async function notifySessionsEnded(
  pool: pg.Pool,
  input: { userId: string; sessionId: string | null },
): Promise<void> {
  await pool.query("select pg_notify('facet_events', $1)", [
    JSON.stringify({ kind: "session", user_id: input.userId, session_id: input.sessionId }),
  ]);
}
