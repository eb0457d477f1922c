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
  const { rows } = await pool.query<{ wait: number }>("select private.rate_limit_take($1, $2, $3, $4, $5) as wait", [
    bucket,
    key.slice(0, 128),
    limit.limit,
    limit.periodSeconds,
    cost,
  ]);
  return Number(rows[0]?.wait ?? 0);
}

/** Whether a hit would be refused now (seconds to wait, 0 when it would pass), taking nothing. */
export async function peekRateLimit(pool: pg.Pool, bucket: string, key: string, limit: RateLimit): Promise<number> {
  const { rows } = await pool.query<{ wait: number }>("select private.rate_limit_peek($1, $2, $3, $4) as wait", [
    bucket,
    key.slice(0, 128),
    limit.limit,
    limit.periodSeconds,
  ]);
  return Number(rows[0]?.wait ?? 0);
}

/** Forget keys whose bucket is full again (the worker's maintenance, every minute). */
export async function pruneRateLimits(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>("select private.rate_limits_prune() as n");
  return rows[0]?.n ?? 0;
}

/**
 * Count an event stream as open for its user, unless they have `cap` live ones already (a stream
 * is live while its heartbeat touched it within `liveSeconds`). False: refuse the stream.
 */
export async function openEventStream(
  pool: pg.Pool,
  input: { id: string; userId: string; cap: number; liveSeconds: number },
): Promise<boolean> {
  const { rows } = await pool.query<{ ok: boolean }>("select private.open_event_stream($1, $2, $3, $4) as ok", [
    input.id,
    input.userId,
    input.cap,
    input.liveSeconds,
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
