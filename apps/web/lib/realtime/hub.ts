import type { NotificationConnection, NotificationSource } from "@facet/db";
import { type AccessEvent, type FacetEvent, parseAccessEvent, parseFacetEvent } from "./events";

export type { NotificationConnection, NotificationSource };

/**
 * `resync`: the hub was disconnected and may have missed events; reload the state (and check access).
 * `access`: the user's membership or sessions changed; check access now.
 */
export type HubMessage =
  | { type: "event"; event: FacetEvent }
  | { type: "resync" }
  | { type: "access"; event: AccessEvent };
export type HubListener = (message: HubMessage) => void;

export interface Subscription {
  /** Resolves once the hub is listening: events committed from then on reach the listener. */
  ready: Promise<void>;
  unsubscribe(): void;
}

export interface HubOptions {
  /** Reconnection delays: doubling from `initial` up to `max`, with jitter. */
  retryMs?: { initial: number; max: number };
  /** How long the connection stays open after the last subscriber leaves. */
  idleMs?: number;
  log?: (message: string, error?: unknown) => void;
}

export type HubState = "idle" | "connecting" | "listening" | "waiting";

/**
 * One LISTEN connection per process, fanned out to subscribers by part and by workspace. Started by the first
 * subscriber, closed when nobody has listened for `idleMs`; when the connection drops it reconnects
 * with backoff and then tells every subscriber to resync (NOTIFY does not replay what was missed).
 */
export class RealtimeHub {
  private readonly byTopic = new Map<string, Set<HubListener>>();
  private readonly retryMs: { initial: number; max: number };
  private readonly idleMs: number;
  private readonly log: (message: string, error?: unknown) => void;
  private _state: HubState = "idle";
  private connection: NotificationConnection | null = null;
  /** Bumped whenever a connection is given up: callbacks of older ones are ignored. */
  private generation = 0;
  private attempt = 0;
  private missedEvents = false;
  private waiters: Array<() => void> = [];
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private idleTimer: ReturnType<typeof setTimeout> | null = null;
  private ignored = 0;

  constructor(
    private readonly source: NotificationSource,
    options: HubOptions = {},
  ) {
    this.retryMs = options.retryMs ?? { initial: 250, max: 15_000 };
    this.idleMs = options.idleMs ?? 30_000;
    this.log = options.log ?? ((m, e) => console.error(`[realtime] ${m}`, e ?? ""));
  }

  get state(): HubState {
    return this._state;
  }

  /** Subscribers in all. */
  get size(): number {
    let n = 0;
    for (const set of this.byTopic.values()) n += set.size;
    return n;
  }

  /** Events of one part (notifications excepted: they are for one user, on the workspace stream). */
  subscribe(partId: string, listener: HubListener): Subscription {
    return this.subscribeTopic(`part:${partId}`, listener);
  }

  /** Every event of a workspace (status changes for queue counts, comments, notifications, ...). */
  subscribeWorkspace(workspaceId: string, listener: HubListener): Subscription {
    return this.subscribeTopic(`workspace:${workspaceId}`, listener);
  }

  /** Changes to one user's access: memberships removed or changed, sessions ended. */
  subscribeUser(userId: string, listener: HubListener): Subscription {
    return this.subscribeTopic(`user:${userId}`, listener);
  }

  private subscribeTopic(topic: string, listener: HubListener): Subscription {
    // a listener subscribed twice gets two deliveries: wrap it so each subscription is its own
    const entry: HubListener = (m) => listener(m);
    let set = this.byTopic.get(topic);
    if (!set) {
      set = new Set();
      this.byTopic.set(topic, set);
    }
    set.add(entry);
    this.clearIdle();
    if (this._state === "idle") void this.connect();
    const ready =
      this._state === "listening" ? Promise.resolve() : new Promise<void>((resolve) => this.waiters.push(resolve));
    let active = true;
    return {
      ready,
      unsubscribe: () => {
        if (!active) return;
        active = false;
        const current = this.byTopic.get(topic);
        current?.delete(entry);
        if (current?.size === 0) this.byTopic.delete(topic);
        if (this.size > 0) return;
        if (this._state === "listening") this.scheduleIdle();
        else if (this._state === "waiting") void this.stop();
      },
    };
  }

  /** Parse a payload and hand it to the part's subscribers (the source calls this). */
  dispatch(payload: string): void {
    const access = parseAccessEvent(payload);
    if (access) {
      this.deliver(`user:${access.userId}`, { type: "access", event: access });
      return;
    }
    const event = parseFacetEvent(payload);
    if (!event) {
      if (this.ignored++ === 0) this.log(`ignoring a notification that is not a Facet event: ${payload.slice(0, 200)}`);
      return;
    }
    const message: HubMessage = { type: "event", event };
    if (event.kind !== "notification") this.deliver(`part:${event.partId}`, message);
    this.deliver(`workspace:${event.workspaceId}`, message);
  }

  /** Close the connection and forget every subscriber (process shutdown, tests). */
  async close(): Promise<void> {
    this.byTopic.clear();
    await this.stop();
  }

  private deliver(topic: string, message: HubMessage): void {
    const set = this.byTopic.get(topic);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(message);
      } catch (e) {
        this.log("a subscriber failed", e);
      }
    }
  }

  private async connect(): Promise<void> {
    this._state = "connecting";
    const generation = ++this.generation;
    let connection: NotificationConnection;
    try {
      connection = await this.source.connect({
        onPayload: (payload) => {
          if (generation === this.generation) this.dispatch(payload);
        },
        onLost: (error) => {
          if (generation === this.generation) this.lost(error);
        },
      });
    } catch (e) {
      if (generation !== this.generation) return;
      this.log(`could not listen for changes (attempt ${this.attempt + 1})`, e);
      this.retry();
      return;
    }
    if (generation !== this.generation) {
      await connection.close().catch(() => {});
      return;
    }
    this.connection = connection;
    this._state = "listening";
    if (this.attempt > 0) this.log("listening for changes again");
    this.attempt = 0;
    for (const resolve of this.waiters.splice(0)) resolve();
    if (this.missedEvents) {
      this.missedEvents = false;
      for (const topic of [...this.byTopic.keys()]) this.deliver(topic, { type: "resync" });
    }
    if (this.size === 0) this.scheduleIdle();
  }

  private lost(error: Error): void {
    this.log("lost the connection that listens for changes", error);
    this.generation++;
    this.connection = null;
    this.missedEvents = true;
    this.retry();
  }

  private retry(): void {
    if (this.size === 0) {
      void this.stop();
      return;
    }
    this._state = "waiting";
    const base = Math.min(this.retryMs.max, this.retryMs.initial * 2 ** this.attempt);
    this.attempt++;
    this.retryTimer = setTimeout(
      () => {
        this.retryTimer = null;
        void this.connect();
      },
      base * (0.5 + Math.random() / 2),
    );
    this.retryTimer.unref?.();
  }

  private scheduleIdle(): void {
    this.clearIdle();
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.size === 0) void this.stop();
    }, this.idleMs);
    this.idleTimer.unref?.();
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private async stop(): Promise<void> {
    this.generation++;
    this.clearIdle();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this._state = "idle";
    this.attempt = 0;
    this.missedEvents = false; // nobody is left to have missed anything
    for (const resolve of this.waiters.splice(0)) resolve();
    const connection = this.connection;
    this.connection = null;
    await connection?.close().catch((e) => this.log("could not close the listening connection", e));
  }
}
