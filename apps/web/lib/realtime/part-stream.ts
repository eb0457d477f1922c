import { isAppError } from "@facet/core";
import type { FacetEvent } from "./events";
import type { HubMessage, Subscription } from "./hub";

export interface PartStreamOptions {
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  subscribe(listener: (message: HubMessage) => void): Subscription;
  /** The part's live state with who has it open, sent as `hello` first and again after a resync. */
  hello(): Promise<{ presence: unknown[] }>;
  /** Record that this connection still has the part open; returns who has it open now. */
  touch(): Promise<unknown[]>;
  /** Who has the part open now. */
  presence(): Promise<unknown[]>;
  /** This connection closed the part. */
  leave(): Promise<void>;
  /** A comment and a presence touch this often (proxies close silent streams; presence expires). */
  heartbeatMs?: number;
  /** How long to wait for the hub to listen before saying hello anyway (a resync follows if it was down). */
  readyTimeoutMs?: number;
  /** The stream ends after this long; the browser's EventSource reconnects, authenticating again. */
  maxLifetimeMs?: number;
  /** The reconnection delay EventSource is told to use. */
  retryMs?: number;
  log?(message: string, error?: unknown): void;
  /**
   * Decide what each hub event becomes on this stream: an SSE event name and data, or null to say
   * nothing. Without it every event but presence is sent as it is (presence as a fresh list).
   */
  forward?(event: FacetEvent): Promise<{ event: string; data: unknown } | null>;
  /**
   * Whether the caller may still receive this stream (session or key still valid, still a member):
   * throws the AppError that ends it. Run every `recheckMs`, after a resync, and whenever the
   * user's access changes (`subscribeAccess`). The stream sends `error` and ends on the first refusal.
   */
  checkAccess?(): Promise<void>;
  recheckMs?: number;
  /** Listen for changes to the caller's access (memberships, sessions). */
  subscribeAccess?(listener: (message: HubMessage) => void): Subscription;
  /** Called on every heartbeat (the stream is still open) and once when it ends. */
  onHeartbeat?(): Promise<void>;
  onEnd?(): Promise<void>;
}

const encoder = new TextEncoder();

function errorBody(e: unknown): { code: string; message: string } {
  if (isAppError(e)) return { code: e.code, message: e.message };
  return { code: "INTERNAL", message: "something went wrong on our side; it has been logged" };
}

/**
 * The server-sent events of one part for one client: `hello` (the whole live state), then
 * `status` | `lease` | `revision` (the hub's events as they come) and `presence` (the fresh list
 * when someone opens or closes the part), `: ping` comments every `heartbeatMs`, and `error` before
 * the stream ends when the client lost access. Everything is written in order, one task at a time;
 * the callbacks do short transactions of their own, so no database connection is held open.
 */
export function partEventStream(options: PartStreamOptions): ReadableStream<Uint8Array> {
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const readyTimeoutMs = options.readyTimeoutMs ?? 5_000;
  const retryMs = options.retryMs ?? 3_000;
  const log = options.log ?? ((m: string, e?: unknown) => console.error(`[events] ${m}`, e ?? ""));

  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  let closed = false;
  let subscription: Subscription | undefined;
  let accessSubscription: Subscription | undefined;
  let recheck: ReturnType<typeof setInterval> | undefined;
  let accessQueued = false;
  let chain: Promise<void> = Promise.resolve();
  let lastPresence = "";
  let presenceQueued = false;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let lifetime: ReturnType<typeof setTimeout> | undefined;

  const write = (text: string) => {
    if (closed || !controller) return;
    try {
      controller.enqueue(encoder.encode(text));
    } catch {
      void end(); // the consumer is gone
    }
  };
  const send = (event: string, data: unknown) => write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const sendPresence = (list: unknown[]) => {
    const key = JSON.stringify(list);
    if (key === lastPresence) return;
    lastPresence = key;
    send("presence", { presence: list });
  };

  /** User errors (the part is gone, the caller lost access) end the stream; others are logged and it goes on. */
  const failed = (e: unknown) => {
    if (closed) return;
    if (isAppError(e) && e.isUserError) {
      send("error", errorBody(e));
      void end();
    } else {
      log("a live update failed", e);
    }
  };
  const enqueue = (task: () => Promise<void> | void) => {
    chain = chain
      .then(async () => {
        if (!closed) await task();
      })
      .catch(failed);
  };

  const greet = async () => {
    const state = await options.hello();
    lastPresence = JSON.stringify(state.presence);
    send("hello", state);
  };

  /** Check access before anything else is sent; one check answers every change queued before it. */
  const queueAccessCheck = () => {
    const check = options.checkAccess;
    if (!check || accessQueued || closed) return;
    accessQueued = true;
    enqueue(async () => {
      accessQueued = false;
      await check();
    });
  };

  const onMessage = (message: HubMessage) => {
    if (closed) return;
    if (message.type === "access") {
      queueAccessCheck();
      return;
    }
    if (message.type === "resync") {
      queueAccessCheck();
      enqueue(greet);
      return;
    }
    const event = message.event;
    const forward = options.forward;
    if (forward) {
      enqueue(async () => {
        const out = await forward(event);
        if (out) send(out.event, out.data);
      });
      return;
    }
    if (event.kind === "presence") {
      if (presenceQueued) return; // one fresh list answers every join and leave before it runs
      presenceQueued = true;
      enqueue(async () => {
        presenceQueued = false;
        sendPresence(await options.presence());
      });
      return;
    }
    enqueue(() => send(event.kind, event));
  };

  const onAbort = () => void end();

  async function end(): Promise<void> {
    if (closed) return;
    closed = true;
    if (heartbeat) clearInterval(heartbeat);
    if (recheck) clearInterval(recheck);
    if (lifetime) clearTimeout(lifetime);
    options.signal.removeEventListener("abort", onAbort);
    subscription?.unsubscribe();
    accessSubscription?.unsubscribe();
    await options.onEnd?.().catch((e) => log("could not record the end of a stream", e));
    try {
      controller?.close();
    } catch {
      // already closed or cancelled by the consumer
    }
    await options.leave().catch((e) => log("could not remove a presence row", e));
  }

  return new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      if (options.signal.aborted) {
        closed = true;
        c.close();
        void options.onEnd?.().catch((e) => log("could not record the end of a stream", e));
        return;
      }
      options.signal.addEventListener("abort", onAbort, { once: true });
      write(`retry: ${retryMs}\n: connected\n\n`);
      const sub = options.subscribe(onMessage);
      subscription = sub;
      accessSubscription = options.subscribeAccess?.(onMessage);
      // subscribe before reading the state: a change committed meanwhile is sent after hello, not lost
      chain = chain.then(async () => {
        try {
          let timer: ReturnType<typeof setTimeout> | undefined;
          await Promise.race([
            sub.ready,
            new Promise<void>((resolve) => {
              timer = setTimeout(resolve, readyTimeoutMs);
            }),
          ]);
          clearTimeout(timer);
          if (closed) return;
          await options.touch();
          await greet();
        } catch (e) {
          if (!(isAppError(e) && e.isUserError)) log("could not start a live update stream", e);
          send("error", errorBody(e));
          await end();
        }
      });
      heartbeat = setInterval(() => {
        write(": ping\n\n");
        enqueue(async () => {
          await options.onHeartbeat?.();
          sendPresence(await options.touch());
        });
      }, heartbeatMs);
      if (options.checkAccess) recheck = setInterval(queueAccessCheck, options.recheckMs ?? 30_000);
      if (options.maxLifetimeMs) lifetime = setTimeout(() => void end(), options.maxLifetimeMs);
    },
    cancel() {
      return end();
    },
  });
}
