/**
 * The realtime hub against the real embedded PostgreSQL: one LISTEN connection started on demand,
 * events of the triggers fanned out by part, reconnection after the backend is killed, and the
 * part's event stream wired as the events route wires it (short transactions as the user).
 */
import { randomUUID } from "node:crypto";
import {
  appendRevision,
  claimNextPart,
  getPartLiveState,
  leavePresence,
  listPresence,
  type PoolClient,
  pgNotificationSource,
  releasePart,
  renewClaim,
  touchPresence,
  withUser,
} from "@facet/db";
import {
  createTestDatabase,
  createWorkspaceWithRoles,
  insertDataset,
  insertParts,
  type TestDatabase,
  type TestUser,
} from "@facet/db/testing";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { type HubMessage, RealtimeHub } from "./realtime/hub";
import { partEventStream } from "./realtime/part-stream";

type Workspace = Awaited<ReturnType<typeof createWorkspaceWithRoles>>;

let db: TestDatabase;
let w: Workspace;
const hubs: RealtimeHub[] = [];

beforeAll(async () => {
  db = await createTestDatabase(inject("pgBaseUrl"));
  w = await createWorkspaceWithRoles(db.owner, "rt");
});

afterAll(async () => {
  for (const h of hubs) await h.close();
  await db.drop();
});

/** A hub whose connection is told apart by its application name. */
function newHub(idleMs = 50): { hub: RealtimeHub; app: string } {
  const app = `facet-rt-${randomUUID().slice(0, 8)}`;
  const hub = new RealtimeHub(pgNotificationSource({ connectionString: db.url, applicationName: app }), {
    retryMs: { initial: 20, max: 200 },
    idleMs,
    log: () => {},
  });
  hubs.push(hub);
  return { hub, app };
}

async function listeners(app: string): Promise<Array<{ pid: number }>> {
  const { rows } = await db.owner.query<{ pid: number }>(
    "select pid from pg_stat_activity where application_name = $1 and datname = current_database()",
    [app],
  );
  return rows;
}

/** A part with 2 faces of geometry, in a dataset of its own, claimed by `holder`. */
async function heldPart(holder: TestUser): Promise<{ id: string; signature: string }> {
  const datasetId = await insertDataset(db.owner, { workspaceId: w.workspaceId, labelSchemaId: w.labelSchemaId });
  const [id] = await insertParts(db.owner, { workspaceId: w.workspaceId, datasetId, count: 1, status: "pre_labeled" });
  const signature = `sig-${randomUUID()}`;
  await db.owner.query(
    `with g as (
       insert into public.part_geometry (blob_sha256, tessellator_version, params_hash, params, mesh_key, faces_key,
         face_count, triangle_count, face_signature, area, bbox)
       select blob_sha256, 't', 'p', '{}', 'm', 'f', 2, 8, $2, 1, '{}' from public.parts where id = $1
       returning id
     )
     update public.parts set geometry_id = (select id from g) where id = $1`,
    [id, signature],
  );
  await withUser(db.owner, holder.claims, (c) => claimNextPart(c, { workspaceId: w.workspaceId, datasetId }));
  return { id: id as string, signature };
}

const saveLabels = (u: TestUser, part: { id: string; signature: string }, labels: Array<string | null>) =>
  withUser(db.owner, u.claims, (c) =>
    appendRevision(c, {
      workspaceId: w.workspaceId,
      partId: part.id,
      source: "human",
      document: { schemaVersion: 1, faceSignature: part.signature, faceCount: labels.length, labels, instances: [] },
    }),
  );

describe("RealtimeHub on PostgreSQL", () => {
  it("opens one LISTEN connection on the first subscriber and closes it when nobody listens", async () => {
    const { hub, app } = newHub(50);
    expect(await listeners(app)).toEqual([]);
    const a = hub.subscribe(randomUUID(), () => {});
    const b = hub.subscribe(randomUUID(), () => {});
    await Promise.all([a.ready, b.ready]);
    expect(await listeners(app)).toHaveLength(1);
    a.unsubscribe();
    b.unsubscribe();
    await vi.waitFor(async () => expect(await listeners(app)).toEqual([]), { timeout: 5000 });
    expect(hub.state).toBe("idle");
  });

  it("delivers the triggers' events to the subscribers of that part only", async () => {
    const { hub } = newHub();
    const part = await heldPart(w.users.annotator);
    const other = await heldPart(w.users.annotator);
    const got: HubMessage[] = [];
    const elsewhere: HubMessage[] = [];
    const s = hub.subscribe(part.id, (m) => got.push(m));
    const t = hub.subscribe(other.id, (m) => elsewhere.push(m));
    await s.ready;
    const until = await withUser(db.owner, w.users.annotator.claims, (c) => renewClaim(c, part.id, 600));
    await saveLabels(w.users.annotator, part, ["stock", null]);
    await withUser(db.owner, w.users.annotator.claims, (c) => releasePart(c, w.workspaceId, part.id));
    await vi.waitFor(() => expect(got).toHaveLength(3));
    const base = { workspaceId: w.workspaceId, partId: part.id };
    expect(got).toEqual([
      {
        type: "event",
        event: {
          ...base,
          kind: "lease",
          status: "in_progress",
          annotatorId: w.users.annotator.id,
          leaseExpiresAt: until,
        },
      },
      { type: "event", event: { ...base, kind: "revision", revisionNo: 1, authorId: w.users.annotator.id } },
      {
        type: "event",
        event: { ...base, kind: "status", status: "pre_labeled", annotatorId: null, leaseExpiresAt: null },
      },
    ]);
    expect(elsewhere).toEqual([]);
    s.unsubscribe();
    t.unsubscribe();
  });

  it("reconnects when its backend is killed, tells subscribers to resync, and goes on delivering", async () => {
    const { hub, app } = newHub();
    const part = await heldPart(w.users.annotator);
    const got: HubMessage[] = [];
    const s = hub.subscribe(part.id, (m) => got.push(m));
    await s.ready;
    const [before] = await listeners(app);
    await db.owner.query("select pg_terminate_backend($1)", [before?.pid]);
    await vi.waitFor(() => expect(got).toEqual([{ type: "resync" }]), { timeout: 10_000 });
    const [after] = await listeners(app);
    expect(after?.pid).not.toBe(before?.pid);
    await withUser(db.owner, w.users.annotator.claims, (c) => renewClaim(c, part.id, 600));
    await vi.waitFor(() =>
      expect(got.map((m) => (m.type === "event" ? m.event.kind : m.type))).toEqual(["resync", "lease"]),
    );
    s.unsubscribe();
  });
});

describe("a part's event stream, wired as the events route wires it", () => {
  it("hello, live events, presence of others, and cleanup on disconnect", async () => {
    const { hub } = newHub();
    const me = w.users.viewer;
    const holder = w.users.annotator;
    const part = await heldPart(holder);
    const connectionId = randomUUID();
    const as = <T>(fn: (c: PoolClient) => Promise<T>) => withUser(db.owner, me.claims, fn);
    const abort = new AbortController();
    const stream = partEventStream({
      signal: abort.signal,
      subscribe: (listener) => hub.subscribe(part.id, listener),
      hello: () =>
        as(async (c) => ({
          ...(await getPartLiveState(c, w.workspaceId, part.id)),
          presence: await listPresence(c, part.id),
        })),
      touch: () =>
        as(async (c) => {
          await touchPresence(c, { partId: part.id, connectionId });
          return listPresence(c, part.id);
        }),
      presence: () => as((c) => listPresence(c, part.id)),
      leave: () => as((c) => leavePresence(c, { partId: part.id, connectionId })),
      heartbeatMs: 60_000,
    });
    const reader = stream.getReader();
    const decoder = new TextDecoder();
    let text = "";
    void (async () => {
      for (;;) {
        const r = await reader.read();
        if (r.done) break;
        text += decoder.decode(r.value);
      }
    })();
    const events = () =>
      text
        .split("\n\n")
        .filter((b) => b.startsWith("event: "))
        .map((b) => {
          const [head, data] = b.split("\n");
          return { event: head?.slice(7), data: JSON.parse(data?.slice(6) ?? "null") };
        });

    await vi.waitFor(() => expect(events().map((e) => e.event)).toEqual(["hello"]));
    expect(events()[0]?.data).toEqual({
      status: "in_progress",
      annotatorId: holder.id,
      leaseExpiresAt: expect.any(String),
      latestRevision: null,
      presence: [{ userId: me.id, email: me.email, since: expect.any(String) }],
    });

    // the holder opens the part too, and saves
    await withUser(db.owner, holder.claims, (c) => touchPresence(c, { partId: part.id, connectionId: "holder-tab" }));
    await vi.waitFor(() => expect(events().map((e) => e.event)).toEqual(["hello", "presence"]));
    const listed = events()[1]?.data as { presence: Array<{ userId: string }> };
    expect(listed.presence.map((p) => p.userId)).toEqual([me.id, holder.id]);
    await saveLabels(holder, part, ["stock", "fillet"]);
    await vi.waitFor(() => expect(events().map((e) => e.event)).toEqual(["hello", "presence", "revision"]));
    expect(events()[2]?.data).toMatchObject({ kind: "revision", revisionNo: 1, authorId: holder.id });

    const { rows } = await db.owner.query("select 1 from public.part_presence where connection_id = $1", [
      connectionId,
    ]);
    expect(rows).toHaveLength(1);
    abort.abort();
    await vi.waitFor(async () => {
      const left = await db.owner.query("select 1 from public.part_presence where connection_id = $1", [connectionId]);
      expect(left.rows).toHaveLength(0);
    });
    expect(hub.size).toBe(0);
  });
});
