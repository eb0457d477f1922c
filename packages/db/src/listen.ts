import pg from "pg";

/** The channel the database's triggers NOTIFY (part changes, presence, access changes). */
export const EVENTS_CHANNEL = "facet_events";

/** A live LISTEN connection. */
export interface NotificationConnection {
  close(): Promise<void>;
}

/** Something that can LISTEN: the port the web app's realtime hub uses. */
export interface NotificationSource {
  /**
   * Connect and LISTEN; resolves once listening. `onLost` is called at most once, when a
   * connection that was listening drops (never after `close()`).
   */
  connect(handlers: { onPayload(payload: string): void; onLost(error: Error): void }): Promise<NotificationConnection>;
}

export interface PgSourceOptions {
  connectionString: string;
  channel?: string;
  applicationName?: string;
  /** A silent network can leave a socket open and dead: a `select 1` this often finds out. */
  pingMs?: number;
  pingTimeoutMs?: number;
}

/**
 * LISTEN on a dedicated pg.Client (not a pool client: a LISTEN belongs to its session, and pooled
 * connections go back to others). Needs a session-level connection: on Supabase, the session pooler
 * or a direct connection, not the transaction pooler.
 */
export function pgNotificationSource(options: PgSourceOptions): NotificationSource {
  const channel = options.channel ?? EVENTS_CHANNEL;
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a channel name: ${channel}`);
  const pingMs = options.pingMs ?? 30_000;
  const pingTimeoutMs = options.pingTimeoutMs ?? 10_000;

  return {
    async connect({ onPayload, onLost }): Promise<NotificationConnection> {
      const client = new pg.Client({
        connectionString: options.connectionString,
        application_name: options.applicationName ?? "facet-realtime",
        keepAlive: true,
        connectionTimeoutMillis: 10_000,
      });
      let listening = false;
      let done = false;
      let ping: ReturnType<typeof setInterval> | undefined;
      const finish = () => {
        done = true;
        if (ping) clearInterval(ping);
        client.removeAllListeners("notification");
      };
      const lose = (error: Error) => {
        if (done) return;
        finish();
        client.end().catch(() => {});
        if (listening) onLost(error);
      };
      client.on("error", lose);
      client.on("end", () => lose(new Error("the database closed the connection")));
      client.on("notification", (n) => {
        if (n.channel === channel && typeof n.payload === "string") onPayload(n.payload);
      });
      try {
        await client.connect();
        await client.query(`listen ${channel}`);
      } catch (e) {
        finish();
        await client.end().catch(() => {});
        throw e;
      }
      listening = true;
      ping = setInterval(() => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer to a ping within ${pingTimeoutMs} ms`)), pingTimeoutMs);
        });
        Promise.race([client.query("select 1"), timeout])
          .catch((e: Error) => lose(e))
          .finally(() => clearTimeout(timer));
      }, pingMs);
      ping.unref?.();
      return {
        async close() {
          if (done) return;
          finish();
          await client.end().catch(() => {});
        },
      };
    },
  };
}
