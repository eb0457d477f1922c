import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseFacetEvent } from "./events";
import { type HubMessage, type NotificationSource, RealtimeHub } from "./hub";

const ws = randomUUID();
const partA = randomUUID();
const partB = randomUUID();
const user = randomUUID();

const statusPayload = (partId: string, status = "in_progress") =>
  JSON.stringify({
    workspace_id: ws,
    part_id: partId,
    kind: "status",
    status,
    annotator_id: user,
    lease_expires_at: "2026-11-23T15:52:12.833Z",
  });

describe("parseFacetEvent", () => {
  it("reads the four kinds of payload the triggers send, in the app's casing", () => {
    expect(parseFacetEvent(statusPayload(partA))).toEqual({
      workspaceId: ws,
      partId: partA,
      kind: "status",
      status: "in_progress",
      annotatorId: user,
      leaseExpiresAt: "2026-11-23T15:52:12.833Z",
    });
    expect(
      parseFacetEvent(
        JSON.stringify({
          workspace_id: ws,
          part_id: partA,
          kind: "lease",
          status: "in_progress",
          annotator_id: user,
          lease_expires_at: "2026-11-23T16:00:00.000Z",
        }),
      ),
    ).toMatchObject({ kind: "lease", leaseExpiresAt: "2026-11-23T16:00:00.000Z" });
    expect(
      parseFacetEvent(
        JSON.stringify({ workspace_id: ws, part_id: partA, kind: "revision", revision_no: 3, author_id: null }),
      ),
    ).toEqual({ workspaceId: ws, partId: partA, kind: "revision", revisionNo: 3, authorId: null });
    expect(
      parseFacetEvent(
        JSON.stringify({ workspace_id: ws, part_id: partA, kind: "presence", user_id: user, op: "leave" }),
      ),
    ).toEqual({ workspaceId: ws, partId: partA, kind: "presence", userId: user, op: "leave" });
  });

  it.each([
    ["not JSON", "{"],
    ["another kind", JSON.stringify({ workspace_id: ws, part_id: partA, kind: "gossip" })],
    ["a comment without its id", JSON.stringify({ workspace_id: ws, part_id: partA, kind: "comment", op: "created" })],
    ["no part id", JSON.stringify({ workspace_id: ws, kind: "revision", revision_no: 1, author_id: null })],
    ["a part id that is no uuid", statusPayload("42")],
    ["an unknown status", statusPayload(partA, "lost")],
    ["a marker", JSON.stringify({ marker: "x" })],
  ])("ignores %s", (_why, payload) => {
    expect(parseFacetEvent(payload)).toBeNull();
  });
});

/** A notification source under the test's control: connections it can fail, drop and feed. */
function fakeSource() {
  const connections: Array<{
    send(payload: string): void;
    drop(): void;
    closed: boolean;
  }> = [];
  let failNext = 0;
  const source: NotificationSource = {
    async connect({ onPayload, onLost }) {
      await new Promise((r) => setTimeout(r, 1));
      if (failNext > 0) {
        failNext--;
        throw new Error("connection refused");
      }
      const c = {
        closed: false,
        // delivers even after close or drop: a late notification of a connection given up
        send: (p: string) => onPayload(p),
        drop: () => {
          c.closed = true;
          onLost(new Error("terminated"));
        },
      };
      connections.push(c);
      return {
        async close() {
          c.closed = true;
        },
      };
    },
  };
  return {
    source,
    connections,
    open: () => connections.filter((c) => !c.closed),
    failNextConnects: (n: number) => {
      failNext = n;
    },
  };
}

const hubs: RealtimeHub[] = [];
function hubOn(source: NotificationSource, idleMs = 20) {
  const log = vi.fn();
  const hub = new RealtimeHub(source, { retryMs: { initial: 2, max: 10 }, idleMs, log });
  hubs.push(hub);
  return { hub, log };
}

afterEach(async () => {
  for (const h of hubs.splice(0)) await h.close();
});

describe("parseFacetEvent, review and collaboration", () => {
  it("reads comment and notification payloads", () => {
    const comment = randomUUID();
    expect(
      parseFacetEvent(
        JSON.stringify({ workspace_id: ws, part_id: partA, kind: "comment", comment_id: comment, op: "resolved" }),
      ),
    ).toEqual({ workspaceId: ws, partId: partA, kind: "comment", commentId: comment, op: "resolved" });
    expect(
      parseFacetEvent(
        JSON.stringify({ workspace_id: ws, part_id: partA, kind: "notification", user_id: user, notification_id: 7 }),
      ),
    ).toEqual({ workspaceId: ws, partId: partA, kind: "notification", userId: user, notificationId: 7 });
  });
});

describe("RealtimeHub", () => {
  it("gives workspace subscribers every event of their workspace, and notifications to nobody else", async () => {
    const f = fakeSource();
    const { hub } = hubOn(f.source);
    const onWorkspace: HubMessage[] = [];
    const onPart: HubMessage[] = [];
    const elsewhere: HubMessage[] = [];
    const subs = [
      hub.subscribeWorkspace(ws, (m) => onWorkspace.push(m)),
      hub.subscribe(partA, (m) => onPart.push(m)),
      hub.subscribeWorkspace(randomUUID(), (m) => elsewhere.push(m)),
    ];
    await Promise.all(subs.map((s) => s.ready));
    expect(f.connections).toHaveLength(1); // one connection for all of them
    f.connections[0]?.send(statusPayload(partA));
    f.connections[0]?.send(statusPayload(partB, "in_review"));
    f.connections[0]?.send(
      JSON.stringify({ workspace_id: ws, part_id: partA, kind: "notification", user_id: user, notification_id: 1 }),
    );
    const kinds = (list: HubMessage[]) =>
      list.map((m) => (m.type === "event" ? `${m.event.kind}:${m.event.partId}` : m.type));
    expect(kinds(onWorkspace)).toEqual([`status:${partA}`, `status:${partB}`, `notification:${partA}`]);
    expect(kinds(onPart)).toEqual([`status:${partA}`]);
    expect(elsewhere).toEqual([]);
    expect(hub.size).toBe(3);
    for (const s of subs) s.unsubscribe();
    expect(hub.size).toBe(0);
  });

  it("tells a user's subscribers when their membership or sessions change, and nobody else", async () => {
    const f = fakeSource();
    const { hub } = hubOn(f.source);
    const mine: HubMessage[] = [];
    const others: HubMessage[] = [];
    const onWorkspace: HubMessage[] = [];
    const subs = [
      hub.subscribeUser(user, (m) => mine.push(m)),
      hub.subscribeUser(randomUUID(), (m) => others.push(m)),
      hub.subscribeWorkspace(ws, (m) => onWorkspace.push(m)),
    ];
    await Promise.all(subs.map((s) => s.ready));
    f.connections[0]?.send(JSON.stringify({ kind: "access", workspace_id: ws, user_id: user }));
    f.connections[0]?.send(JSON.stringify({ kind: "session", user_id: user, session_id: null }));
    f.connections[0]?.send(JSON.stringify({ kind: "session", user_id: "not-a-uuid", session_id: null }));
    expect(mine).toEqual([
      { type: "access", event: { kind: "access", userId: user, workspaceId: ws, sessionId: null } },
      { type: "access", event: { kind: "session", userId: user, workspaceId: null, sessionId: null } },
    ]);
    expect(others).toEqual([]);
    expect(onWorkspace).toEqual([]); // never on a workspace's stream: it names who lost access
    for (const s of subs) s.unsubscribe();
  });

  it("connects on the first subscriber only, and fans events out by part", async () => {
    const f = fakeSource();
    const { hub } = hubOn(f.source);
    expect(hub.state).toBe("idle");
    expect(f.connections).toHaveLength(0);

    const a1: HubMessage[] = [];
    const a2: HubMessage[] = [];
    const b: HubMessage[] = [];
    const s1 = hub.subscribe(partA, (m) => a1.push(m));
    const s2 = hub.subscribe(partA, (m) => a2.push(m));
    const s3 = hub.subscribe(partB, (m) => b.push(m));
    await Promise.all([s1.ready, s2.ready, s3.ready]);
    expect(hub.state).toBe("listening");
    expect(f.connections).toHaveLength(1);

    f.connections[0]?.send(statusPayload(partA));
    f.connections[0]?.send(statusPayload(partB, "in_review"));
    f.connections[0]?.send(statusPayload(randomUUID())); // nobody listens to that part
    expect(a1).toEqual([{ type: "event", event: expect.objectContaining({ partId: partA, status: "in_progress" }) }]);
    expect(a2).toEqual(a1);
    expect(b).toEqual([{ type: "event", event: expect.objectContaining({ partId: partB, status: "in_review" }) }]);

    s1.unsubscribe();
    s1.unsubscribe(); // twice is harmless
    f.connections[0]?.send(statusPayload(partA, "in_review"));
    expect(a1).toHaveLength(1);
    expect(a2).toHaveLength(2);
    expect(hub.size).toBe(2);
  });

  it("ignores payloads that are not Facet events, logging once", async () => {
    const f = fakeSource();
    const { hub, log } = hubOn(f.source);
    const got: HubMessage[] = [];
    await hub.subscribe(partA, (m) => got.push(m)).ready;
    f.connections[0]?.send("nonsense");
    f.connections[0]?.send(JSON.stringify({ part_id: partA }));
    f.connections[0]?.send(statusPayload(partA));
    expect(got).toHaveLength(1);
    expect(log).toHaveBeenCalledTimes(1);
  });

  it("a subscriber that throws does not keep the others from their events", async () => {
    const f = fakeSource();
    const { hub, log } = hubOn(f.source);
    const got: HubMessage[] = [];
    hub.subscribe(partA, () => {
      throw new Error("boom");
    });
    await hub.subscribe(partA, (m) => got.push(m)).ready;
    f.connections[0]?.send(statusPayload(partA));
    expect(got).toHaveLength(1);
    expect(log).toHaveBeenCalledWith("a subscriber failed", expect.any(Error));
  });

  it("closes the connection when nobody has listened for idleMs, and opens a new one on demand", async () => {
    const f = fakeSource();
    const { hub } = hubOn(f.source, 20);
    const s = hub.subscribe(partA, () => {});
    await s.ready;
    s.unsubscribe();
    // a subscriber coming back within idleMs keeps the connection
    const again = hub.subscribe(partB, () => {});
    await again.ready;
    await new Promise((r) => setTimeout(r, 40));
    expect(f.open()).toHaveLength(1);
    again.unsubscribe();
    await vi.waitFor(() => expect(hub.state).toBe("idle"));
    expect(f.open()).toHaveLength(0);

    await hub.subscribe(partA, () => {}).ready;
    expect(f.connections).toHaveLength(2);
    expect(f.open()).toHaveLength(1);
  });

  it("a subscriber who leaves while the hub connects leaves no connection behind", async () => {
    const f = fakeSource();
    const { hub } = hubOn(f.source, 5);
    const s = hub.subscribe(partA, () => {});
    s.unsubscribe();
    await s.ready;
    await vi.waitFor(() => expect(hub.state).toBe("idle"));
    expect(f.open()).toHaveLength(0);
  });

  it("retries with backoff when it cannot connect; ready waits for the connection", async () => {
    const f = fakeSource();
    f.failNextConnects(3);
    const { hub, log } = hubOn(f.source);
    const got: HubMessage[] = [];
    const s = hub.subscribe(partA, (m) => got.push(m));
    await s.ready;
    expect(hub.state).toBe("listening");
    expect(log.mock.calls.filter(([m]) => String(m).startsWith("could not listen"))).toHaveLength(3);
    // nothing was missed: the hub never listened before
    expect(got).toEqual([]);
  });

  it("reconnects when the connection drops, then tells every subscriber to resync", async () => {
    const f = fakeSource();
    const { hub } = hubOn(f.source);
    const a: HubMessage[] = [];
    const b: HubMessage[] = [];
    await hub.subscribe(partA, (m) => a.push(m)).ready;
    await hub.subscribe(partB, (m) => b.push(m)).ready;
    f.failNextConnects(2);
    const first = f.connections[0];
    first?.drop();
    expect(hub.state).toBe("waiting");
    await vi.waitFor(() => expect(hub.state).toBe("listening"));
    expect(f.connections).toHaveLength(2);
    expect(a).toEqual([{ type: "resync" }]);
    expect(b).toEqual([{ type: "resync" }]);
    // events of the new connection arrive; a late payload of the dropped one does not
    f.connections[1]?.send(statusPayload(partA));
    expect(a).toHaveLength(2);
    first?.send(statusPayload(partA));
    expect(a).toHaveLength(2);
  });

  it("stops retrying when the last subscriber leaves during an outage", async () => {
    const f = fakeSource();
    const { hub } = hubOn(f.source);
    const s = hub.subscribe(partA, () => {});
    await s.ready;
    f.failNextConnects(1000);
    f.connections[0]?.drop();
    s.unsubscribe();
    expect(hub.state).toBe("idle");
    await new Promise((r) => setTimeout(r, 30));
    expect(hub.state).toBe("idle");
  });
});
