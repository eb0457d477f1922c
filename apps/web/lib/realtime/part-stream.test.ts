import { randomUUID } from "node:crypto";
import { AppError } from "@facet/core";
import { describe, expect, it, vi } from "vitest";
import type { FacetEvent } from "./events";
import type { HubMessage } from "./hub";
import { type PartStreamOptions, partEventStream } from "./part-stream";

const partId = randomUUID();
const about = { workspaceId: randomUUID(), partId };

interface Sse {
  event: string;
  data: unknown;
}

/** Read a stream in the background; events parsed, comments counted. */
function reader(stream: ReadableStream<Uint8Array>) {
  const r = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let done = false;
  void (async () => {
    for (;;) {
      const chunk = await r.read().catch(() => ({ done: true, value: undefined }));
      if (chunk.done) break;
      text += decoder.decode(chunk.value, { stream: true });
    }
    done = true;
  })();
  const events = (): Sse[] =>
    text
      .split("\n\n")
      .filter((block) => block.startsWith("event: "))
      .map((block) => {
        const [head, data] = block.split("\n");
        return { event: head?.slice(7) as string, data: JSON.parse((data as string).slice(6)) };
      });
  return {
    events,
    names: () => events().map((e) => e.event),
    text: () => text,
    done: () => done,
    cancel: () => r.cancel(),
  };
}

function harness(overrides: Partial<PartStreamOptions> = {}) {
  const listeners: Array<(m: HubMessage) => void> = [];
  let resolveReady: () => void = () => {};
  const ready = new Promise<void>((r) => {
    resolveReady = r;
  });
  const unsubscribe = vi.fn();
  const abort = new AbortController();
  let presence: unknown[] = [{ userId: "me" }];
  let state = { status: "in_progress" };
  const calls: string[] = [];
  const options: PartStreamOptions = {
    signal: abort.signal,
    subscribe: (listener) => {
      calls.push("subscribe");
      listeners.push(listener);
      return { ready, unsubscribe };
    },
    hello: vi.fn(async () => {
      calls.push("hello");
      return { ...state, presence };
    }),
    touch: vi.fn(async () => {
      calls.push("touch");
      return presence;
    }),
    presence: vi.fn(async () => {
      calls.push("presence");
      return presence;
    }),
    leave: vi.fn(async () => {
      calls.push("leave");
    }),
    heartbeatMs: 60_000,
    readyTimeoutMs: 1000,
    log: vi.fn(),
    ...overrides,
  };
  const stream = reader(partEventStream(options));
  return {
    options,
    stream,
    calls,
    unsubscribe,
    abort,
    ready: resolveReady,
    emit: (m: HubMessage) => {
      for (const l of listeners) l(m);
    },
    event: (e: Partial<FacetEvent> & Pick<FacetEvent, "kind">): HubMessage => ({
      type: "event",
      event: { ...about, ...e } as FacetEvent,
    }),
    setPresence: (p: unknown[]) => {
      presence = p;
    },
    setState: (s: { status: string }) => {
      state = s;
    },
  };
}

describe("partEventStream", () => {
  it("lets `forward` decide what each event becomes (the workspace stream), in order, dropping nulls", async () => {
    const me = randomUUID();
    const h = harness({
      forward: async (e) => {
        if (e.kind === "notification") return e.userId === me ? { event: "notification", data: { unread: 1 } } : null;
        if (e.kind === "presence") return { event: "activity", data: { partId: e.partId } };
        return e.kind === "status" ? { event: "status", data: { status: e.status } } : null;
      },
    });
    h.ready();
    await vi.waitFor(() => expect(h.stream.names()).toEqual(["hello"]));
    h.emit(h.event({ kind: "notification", userId: randomUUID(), notificationId: 1 }));
    h.emit(h.event({ kind: "presence", userId: me, op: "join" }));
    h.emit(h.event({ kind: "revision", revisionNo: 2, authorId: null }));
    h.emit(h.event({ kind: "notification", userId: me, notificationId: 2 }));
    h.emit(h.event({ kind: "status", status: "in_review", annotatorId: null, leaseExpiresAt: null }));
    await vi.waitFor(() => expect(h.stream.names()).toEqual(["hello", "activity", "notification", "status"]));
    expect(h.stream.events().map((e) => e.data)).toEqual([
      { status: "in_progress", presence: [{ userId: "me" }] },
      { partId },
      { unread: 1 },
      { status: "in_review" },
    ]);
    expect(h.calls.filter((c) => c === "presence")).toEqual([]); // presence lists are not read
    h.abort.abort();
  });

  it("subscribes, waits for the hub, touches presence, then says hello", async () => {
    const h = harness();
    await new Promise((r) => setTimeout(r, 10));
    expect(h.calls).toEqual(["subscribe"]);
    expect(h.stream.text()).toBe("retry: 3000\n: connected\n\n");
    h.ready();
    await vi.waitFor(() => expect(h.stream.names()).toEqual(["hello"]));
    expect(h.calls).toEqual(["subscribe", "touch", "hello"]);
    expect(h.stream.events()[0]?.data).toEqual({ status: "in_progress", presence: [{ userId: "me" }] });
    h.abort.abort();
  });

  it("says hello anyway when the hub is slow to listen", async () => {
    const h = harness({ readyTimeoutMs: 5 });
    await vi.waitFor(() => expect(h.stream.names()).toEqual(["hello"]));
    h.abort.abort();
  });

  it("forwards the part's events after hello, in order, even those that came before it", async () => {
    let release: () => void = () => {};
    const slowHello = new Promise<void>((r) => {
      release = r;
    });
    const h = harness({
      hello: async () => {
        await slowHello;
        return { status: "in_progress", presence: [] };
      },
    });
    h.ready();
    await new Promise((r) => setTimeout(r, 5));
    h.emit(h.event({ kind: "revision", revisionNo: 4, authorId: null }));
    h.emit(
      h.event({ kind: "lease", status: "in_progress", annotatorId: null, leaseExpiresAt: "2026-11-23T16:00:00.000Z" }),
    );
    release();
    await vi.waitFor(() => expect(h.stream.names()).toEqual(["hello", "revision", "lease"]));
    expect(h.stream.events()[1]?.data).toEqual({ ...about, kind: "revision", revisionNo: 4, authorId: null });
    h.emit(h.event({ kind: "status", status: "in_review", annotatorId: null, leaseExpiresAt: null }));
    await vi.waitFor(() => expect(h.stream.names()).toEqual(["hello", "revision", "lease", "status"]));
    h.abort.abort();
  });

  it("answers presence events with the fresh list, once per burst, and only when it changed", async () => {
    const h = harness();
    h.ready();
    await vi.waitFor(() => expect(h.stream.names()).toEqual(["hello"]));
    h.setPresence([{ userId: "me" }, { userId: "them" }]);
    for (let i = 0; i < 5; i++) h.emit(h.event({ kind: "presence", userId: "them", op: "join" }));
    await vi.waitFor(() => expect(h.stream.names()).toEqual(["hello", "presence"]));
    expect(h.stream.events()[1]?.data).toEqual({ presence: [{ userId: "me" }, { userId: "them" }] });
    expect(h.options.presence).toHaveBeenCalledTimes(1);
    // another tab of someone already there: same list, nothing sent
    h.emit(h.event({ kind: "presence", userId: "them", op: "join" }));
    await vi.waitFor(() => expect(h.options.presence).toHaveBeenCalledTimes(2));
    await new Promise((r) => setTimeout(r, 5));
    expect(h.stream.names()).toEqual(["hello", "presence"]);
    h.abort.abort();
  });

  it("says hello again after the hub resynced", async () => {
    const h = harness();
    h.ready();
    await vi.waitFor(() => expect(h.stream.names()).toEqual(["hello"]));
    h.setState({ status: "pre_labeled" });
    h.emit({ type: "resync" });
    await vi.waitFor(() => expect(h.stream.names()).toEqual(["hello", "hello"]));
    expect(h.stream.events()[1]?.data).toMatchObject({ status: "pre_labeled" });
    h.abort.abort();
  });

  it("pings and touches presence every heartbeat, sending presence when people came or went", async () => {
    const h = harness({ heartbeatMs: 20 });
    h.ready();
    await vi.waitFor(() => expect(h.stream.names()).toEqual(["hello"]));
    await vi.waitFor(() => expect(h.stream.text()).toContain(": ping\n\n"));
    expect(h.stream.names()).toEqual(["hello"]);
    h.setPresence([]); // someone's connection went stale
    await vi.waitFor(() => expect(h.stream.names()).toEqual(["hello", "presence"]));
    expect(h.calls.filter((c) => c === "touch").length).toBeGreaterThanOrEqual(2);
    h.abort.abort();
  });

  it("on client disconnect (abort): unsubscribes, removes the presence row, ends", async () => {
    const h = harness({ heartbeatMs: 10 });
    h.ready();
    await vi.waitFor(() => expect(h.stream.names()).toEqual(["hello"]));
    h.abort.abort();
    await vi.waitFor(() => expect(h.stream.done()).toBe(true));
    expect(h.unsubscribe).toHaveBeenCalledTimes(1);
    expect(h.options.leave).toHaveBeenCalledTimes(1);
    const touches = h.calls.filter((c) => c === "touch").length;
    await new Promise((r) => setTimeout(r, 40));
    expect(h.calls.filter((c) => c === "touch").length).toBe(touches); // no heartbeat after the end
    h.emit(h.event({ kind: "revision", revisionNo: 9, authorId: null }));
    expect(h.stream.names()).toEqual(["hello"]);
  });

  it("on stream cancel: the same", async () => {
    const h = harness();
    h.ready();
    await vi.waitFor(() => expect(h.stream.names()).toEqual(["hello"]));
    await h.stream.cancel();
    await vi.waitFor(() => expect(h.options.leave).toHaveBeenCalledTimes(1));
    expect(h.unsubscribe).toHaveBeenCalledTimes(1);
  });

  it("ends with an error event when the caller lost access", async () => {
    const h = harness({
      hello: async () => {
        throw new AppError("NOT_FOUND", "no such part in this workspace");
      },
    });
    h.ready();
    await vi.waitFor(() => expect(h.stream.done()).toBe(true));
    expect(h.stream.events()).toEqual([
      { event: "error", data: { code: "NOT_FOUND", message: "no such part in this workspace" } },
    ]);
    expect(h.options.leave).toHaveBeenCalledTimes(1);
    expect(h.unsubscribe).toHaveBeenCalledTimes(1);
    expect(h.options.log).not.toHaveBeenCalled();
  });

  it("a heartbeat refused for lack of access ends the stream; a passing database error does not", async () => {
    let fail: unknown = null;
    const h = harness({
      heartbeatMs: 10,
      touch: async () => {
        if (fail) throw fail;
        return [{ userId: "me" }];
      },
    });
    h.ready();
    await vi.waitFor(() => expect(h.stream.names()).toEqual(["hello"]));
    fail = new Error("connection reset");
    await vi.waitFor(() => expect(h.options.log).toHaveBeenCalledWith("a live update failed", fail));
    expect(h.stream.done()).toBe(false);
    fail = new AppError("FORBIDDEN", "your role does not allow this change");
    await vi.waitFor(() => expect(h.stream.done()).toBe(true));
    expect(h.stream.names().at(-1)).toBe("error");
  });

  it("ends after maxLifetimeMs (EventSource reconnects and authenticates again)", async () => {
    const h = harness({ maxLifetimeMs: 20 });
    h.ready();
    await vi.waitFor(() => expect(h.stream.done()).toBe(true));
    expect(h.stream.names()).toEqual(["hello"]);
    expect(h.options.leave).toHaveBeenCalledTimes(1);
  });
});

describe("partEventStream: access checked while it lasts", () => {
  it("checks access at once when the user's access changes, and ends with `error` when it is gone", async () => {
    const accessListeners: Array<(m: HubMessage) => void> = [];
    let allowed = true;
    const checkAccess = vi.fn(async () => {
      if (!allowed) throw new AppError("NOT_A_MEMBER", "you are not a member of this workspace");
    });
    const onEnd = vi.fn(async () => {});
    const h = harness({
      checkAccess,
      recheckMs: 60_000,
      onEnd,
      subscribeAccess: (listener) => {
        accessListeners.push(listener);
        return { ready: Promise.resolve(), unsubscribe: () => {} };
      },
    });
    h.ready();
    await vi.waitFor(() => expect(h.stream.names()).toEqual(["hello"]));
    const access = (): HubMessage => ({
      type: "access",
      event: { kind: "access", userId: "u", workspaceId: about.workspaceId, sessionId: null },
    });
    for (const l of accessListeners) l(access());
    await vi.waitFor(() => expect(checkAccess).toHaveBeenCalledTimes(1));
    expect(h.stream.done()).toBe(false); // still allowed: nothing changes
    allowed = false;
    for (const l of accessListeners) l(access());
    h.emit(h.event({ kind: "status", status: "in_review", annotatorId: null, leaseExpiresAt: null }));
    await vi.waitFor(() => expect(h.stream.done()).toBe(true));
    expect(h.stream.names()).toEqual(["hello", "error"]); // nothing sent after access was lost
    expect(h.stream.events()[1]?.data).toMatchObject({ code: "NOT_A_MEMBER" });
    expect(onEnd).toHaveBeenCalledTimes(1);
  });

  it("checks access on a timer too (a session that ended without a notification)", async () => {
    vi.useFakeTimers();
    try {
      let calls = 0;
      const h = harness({
        recheckMs: 30_000,
        checkAccess: async () => {
          calls++;
          if (calls >= 2) throw new AppError("SESSION_REVOKED", "this session has ended: sign in again");
        },
      });
      h.ready();
      await vi.waitFor(() => expect(h.stream.names()).toEqual(["hello"]));
      await vi.advanceTimersByTimeAsync(30_000);
      expect(h.stream.done()).toBe(false);
      await vi.advanceTimersByTimeAsync(30_000);
      await vi.waitFor(() => expect(h.stream.done()).toBe(true));
      expect(h.stream.events().at(-1)).toMatchObject({ event: "error", data: { code: "SESSION_REVOKED" } });
    } finally {
      vi.useRealTimers();
    }
  });
});
