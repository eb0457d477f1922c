import pg from "pg";
import { databaseUnavailable } from "./errors";

// bigint (int8) as number: our counters and sizes stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

export interface PoolOptions {
  /** Connections at most; embedded Postgres allows 100 in all (web + worker + tools). */
  max?: number;
  applicationName?: string;
  /**
   * While the database cannot be reached (restarting, recovering), a connection is waited for this
   * long before the error is thrown; 0 (the default): thrown at once. For the worker: a job that
   * ends while PostgreSQL restarts records its end when it is back, where failing would leave the
   * job to be retried (or, for the queue's own bookkeeping, locked for hours). For the web app, a
   * second or two: a restart of PostgreSQL (under a second) is a slower answer, not a 503.
   */
  waitForDatabaseMs?: number;
}

/**
 * A pool whose connections wait for the database while it is unreachable (see `waitForDatabaseMs`):
 * `connect()` in both its forms, and so `query()` on the pool itself, which connects with a callback.
 */
class PatientPool extends pg.Pool {
  constructor(
    config: pg.PoolConfig,
    private readonly waitMs: number,
  ) {
    super(config);
  }

  override connect(): Promise<pg.PoolClient>;
  override connect(
    callback: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void,
  ): void;
  override connect(
    callback?: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void,
  ): Promise<pg.PoolClient> | undefined {
    if (!callback) return this.connectPatiently();
    this.connectPatiently().then(
      (client) => callback(undefined, client, (release?: unknown) => client.release(release as Error | boolean)),
      (error: Error) => callback(error, undefined, () => {}),
    );
    return undefined;
  }

  /** A connection now, or the error now: for a health check, whose question is whether the database is up. */
  connectNow(): Promise<pg.PoolClient> {
    return super.connect();
  }

  private async connectPatiently(): Promise<pg.PoolClient> {
    const until = Date.now() + this.waitMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await super.connect();
      } catch (e) {
        if (this.ending || databaseUnavailable(e) === null || Date.now() >= until) throw e;
        const delay = Math.min(2000, 100 * 2 ** attempt);
        await new Promise((r) => setTimeout(r, Math.min(delay, Math.max(0, until - Date.now()))));
      }
    }
  }
}

/** A connection from `pool` without waiting for an unreachable database, whatever the pool's `waitForDatabaseMs`. */
export function connectNow(pool: pg.Pool): Promise<pg.PoolClient> {
  return pool instanceof PatientPool ? pool.connectNow() : pool.connect();
}

export function createPool(connectionString: string, options: PoolOptions = {}): pg.Pool {
  const config: pg.PoolConfig = {
    connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? "facet",
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
  };
  const pool = options.waitForDatabaseMs ? new PatientPool(config, options.waitForDatabaseMs) : new pg.Pool(config);
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on("error", () => {});
  pool.on("connect", (client) => client.on("error", () => {}));
  return pool;
}
