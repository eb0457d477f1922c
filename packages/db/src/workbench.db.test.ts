/**
 * The labelling workbench against a real PostgreSQL: renewing a lease, submitting (the submission
 * trigger's completeness rule, optimistic concurrency, who may submit), presence under RLS, and the
 * change events (pg_notify on `facet_events`) a LISTENing connection really receives.
 */
import type { AnnotationDocument } from "@facet/core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { toAppError } from "./errors";
import type { PoolClient } from "./pool";
import { withService, withUser } from "./session";
import {
  addMember,
  attempt,
  createTestDatabase,
  createUser,
  createWorkspaceWithRoles,
  giveGeometry,
  insertDataset,
  insertParts,
  listenFacetEvents,
  refusal,
  type TestDatabase,
  type TestUser,
} from "./testing";
import { claimNextPart, releasePart } from "./workspaces/parts";
import { appendRevision } from "./workspaces/revisions";
import {
  getLabellingContext,
  getPartLiveState,
  leavePresence,
  listPresence,
  renewClaim,
  submitPart,
  touchPresence,
} from "./workspaces/workbench";

type Workspace = Awaited<ReturnType<typeof createWorkspaceWithRoles>>;

let db: TestDatabase;
let w: Workspace;
let second: TestUser;
let outsider: TestUser;

beforeAll(async () => {
  db = await createTestDatabase(inject("pgBaseUrl"));
  w = await createWorkspaceWithRoles(db.owner, "wb");
  second = await createUser(db.owner, "wb-annotator2");
  await addMember(db.owner, w.workspaceId, second.id, "annotator");
  outsider = (await createWorkspaceWithRoles(db.owner, "wb-elsewhere")).users.admin;
});

afterAll(async () => {
  await db.drop();
});

interface Held {
  id: string;
  datasetId: string;
  signature: string;
  faceCount: number;
}

/** A part with geometry of `faceCount` faces, in a dataset of its own, claimed by `holder`. */
async function heldPart(holder: TestUser, faceCount = 3): Promise<Held> {
  const datasetId = await insertDataset(db.owner, { workspaceId: w.workspaceId, labelSchemaId: w.labelSchemaId });
  const [id] = await insertParts(db.owner, { workspaceId: w.workspaceId, datasetId, count: 1, status: "pre_labeled" });
  if (!id) throw new Error("part not created");
  const signature = await giveGeometry(db.owner, id, { faceCount });
  const claimed = await withUser(db.owner, holder.claims, (c) =>
    claimNextPart(c, { workspaceId: w.workspaceId, datasetId }),
  );
  expect(claimed?.id).toBe(id);
  return { id, datasetId, signature, faceCount };
}

function doc(part: Held, labels: Array<string | null>, signature = part.signature): AnnotationDocument {
  return { schemaVersion: 1, faceSignature: signature, faceCount: part.faceCount, labels, instances: [] };
}

async function save(u: TestUser, part: Held, labels: Array<string | null>): Promise<number> {
  const r = await withUser(db.owner, u.claims, (c) =>
    appendRevision(c, { workspaceId: w.workspaceId, partId: part.id, document: doc(part, labels), source: "human" }),
  );
  return r.revisionNo;
}

const submit = (u: TestUser, part: Held, revisionNo: number) =>
  withUser(db.owner, u.claims, (c) => submitPart(c, { workspaceId: w.workspaceId, partId: part.id, revisionNo }));

async function status(id: string): Promise<string> {
  const { rows } = await db.owner.query<{ status: string }>("select status from public.parts where id = $1", [id]);
  return rows[0]?.status as string;
}

describe("renewClaim", () => {
  it("extends the holder's lease and returns the new expiry", async () => {
    const part = await heldPart(w.users.annotator);
    const until = await withUser(db.owner, w.users.annotator.claims, (c) => renewClaim(c, part.id, 3600));
    expect(until).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(until)).toBeGreaterThan(Date.now() + 3500_000);
    const { rows } = await db.owner.query<{ lease: Date }>(
      "select lease_expires_at as lease from public.parts where id = $1",
      [part.id],
    );
    expect(rows[0]?.lease.toISOString()).toBe(until);
  });

  it("is refused (CONFLICT) for anyone else, and leaves the lease alone", async () => {
    const part = await heldPart(w.users.annotator);
    const before = (await db.owner.query("select lease_expires_at from public.parts where id = $1", [part.id])).rows[0];
    for (const u of [second, w.users.engineer, w.users.admin]) {
      const r = await refusal(withUser(db.owner, u.claims, (c) => renewClaim(c, part.id, 3600)));
      expect(r, u.email).toEqual({ code: "CONFLICT", message: "you do not hold this part any more" });
    }
    const after = (await db.owner.query("select lease_expires_at from public.parts where id = $1", [part.id])).rows[0];
    expect(after).toEqual(before);
  });
});

describe("submitPart", () => {
  it("is refused (INCOMPLETE_ANNOTATION) while no labels are saved", async () => {
    const part = await heldPart(w.users.annotator);
    expect(await refusal(submit(w.users.annotator, part, 1))).toEqual({
      code: "INCOMPLETE_ANNOTATION",
      message: "no labels saved yet",
    });
    expect(await status(part.id)).toBe("in_progress");
  });

  it("is refused (INCOMPLETE_ANNOTATION) while faces have no label, counting them", async () => {
    const part = await heldPart(w.users.annotator, 4);
    const n = await save(w.users.annotator, part, ["stock", null, "fillet", null]);
    expect(await refusal(submit(w.users.annotator, part, n))).toEqual({
      code: "INCOMPLETE_ANNOTATION",
      message: "2 faces are not labelled yet",
    });
    const one = await save(w.users.annotator, part, ["stock", "stock", "fillet", null]);
    expect(await refusal(submit(w.users.annotator, part, one))).toEqual({
      code: "INCOMPLETE_ANNOTATION",
      message: "1 face is not labelled yet",
    });
    expect(await status(part.id)).toBe("in_progress");
  });

  it("is refused (CONFLICT) when the part has a newer revision than the one submitted", async () => {
    const part = await heldPart(w.users.annotator);
    await save(w.users.annotator, part, ["stock", "stock", "stock"]);
    await save(w.users.annotator, part, ["stock", "fillet", "stock"]);
    const r = await refusal(submit(w.users.annotator, part, 1));
    expect(r.code).toBe("CONFLICT");
    expect(r.message).toMatch(/^the part has revision 2 now, not 1/);
    expect(await status(part.id)).toBe("in_progress");
  });

  it("is refused for anyone but the holder (another annotator, an engineer)", async () => {
    const part = await heldPart(w.users.annotator);
    const n = await save(w.users.annotator, part, ["stock", "stock", "stock"]);
    expect(await refusal(submit(second, part, n))).toEqual({
      code: "FORBIDDEN",
      message: "only the annotator holding this part can submit it",
    });
    expect(await refusal(submit(w.users.engineer, part, n))).toEqual({
      code: "FORBIDDEN",
      message: "only the annotator holding this part can release or submit it",
    });
    expect(await refusal(submit(outsider, part, n))).toMatchObject({ code: "NOT_FOUND" });
    expect(await status(part.id)).toBe("in_progress");
  });

  it("sends a completely labelled part to review, audited", async () => {
    const part = await heldPart(w.users.annotator);
    await save(w.users.annotator, part, ["stock", null, null]);
    const n = await save(w.users.annotator, part, ["stock", "through_hole", "fillet"]);
    expect(await submit(w.users.annotator, part, n)).toBe("in_review");
    const { rows } = await db.owner.query<{
      status: string;
      annotator_id: string;
      lease_expires_at: Date | null;
    }>("select status, annotator_id, lease_expires_at from public.parts where id = $1", [part.id]);
    expect(rows[0]).toEqual({ status: "in_review", annotator_id: w.users.annotator.id, lease_expires_at: null });
    const { rows: events } = await db.owner.query<{ action: string; actor_id: string; data: unknown }>(
      `select action, actor_id, data from public.audit_events
       where target_id = $1 and actor_id = $2
         and (action = 'part.submitted' or (action = 'part.status_changed' and data ->> 'to' = 'in_review'))
       order by id`,
      [part.id, w.users.annotator.id],
    );
    expect(events).toEqual([
      {
        action: "part.status_changed",
        actor_id: w.users.annotator.id,
        data: { from: "in_progress", to: "in_review", annotator_id: w.users.annotator.id },
      },
      { action: "part.submitted", actor_id: w.users.annotator.id, data: { revision_no: n } },
    ]);
    // a second submission is a conflict, not a silent success
    expect(await refusal(submit(w.users.annotator, part, n))).toEqual({
      code: "CONFLICT",
      message: "this part has been submitted already",
    });
  });
});

describe("the submission rule is the database's", () => {
  const direct = "update public.parts set status = 'in_review' where id = $1";

  it("a direct update by the holder is refused (FC008) while labels are missing", async () => {
    const part = await heldPart(w.users.annotator);
    const as = { role: "authenticated" as const, claims: w.users.annotator.claims };
    expect(await attempt(db.owner, as, (c) => c.query(direct, [part.id]))).toMatchObject({
      ok: false,
      code: "FC008",
      message: "no labels saved yet",
    });
    await save(w.users.annotator, part, [null, "stock", null]);
    expect(await attempt(db.owner, as, (c) => c.query(direct, [part.id]))).toMatchObject({
      ok: false,
      code: "FC008",
      message: "2 faces are not labelled yet",
    });
    await save(w.users.annotator, part, ["stock", "stock", "stock"]);
    expect(await attempt(db.owner, as, (c) => c.query(direct, [part.id]))).toMatchObject({
      ok: true,
      value: { rowCount: 1 },
    });
  });

  it("binds the service role and the database owner too", async () => {
    const part = await heldPart(w.users.annotator);
    await save(w.users.annotator, part, ["stock", null, "stock"]);
    for (const role of ["service_role", "owner"] as const) {
      expect(await attempt(db.owner, { role }, (c) => c.query(direct, [part.id])), role).toMatchObject({
        ok: false,
        code: "FC008",
      });
    }
  });

  it("labels made on another face numbering do not count", async () => {
    const part = await heldPart(w.users.annotator, 2);
    await save(w.users.annotator, part, ["stock", "fillet"]);
    // the part is re-tessellated: same face count, another numbering
    await giveGeometry(db.owner, part.id, { faceCount: 2 });
    const r = await refusal(submit(w.users.annotator, part, 1));
    expect(r).toEqual({
      code: "INCOMPLETE_ANNOTATION",
      message: "the saved labels were made on another face numbering: label the part's current faces",
    });
  });

  it("a document with fewer labels than faces counts the missing ones", async () => {
    const part = await heldPart(w.users.annotator, 3);
    // written around appendRevision's validation, as an engineer's import might
    await db.owner.query(
      `insert into public.annotation_revisions (part_id, revision_no, author_id, face_signature, document)
       values ($1, 1, $2, $3, $4)`,
      [part.id, w.users.annotator.id, part.signature, JSON.stringify({ labels: ["stock"] })],
    );
    expect(await refusal(submit(w.users.annotator, part, 1))).toEqual({
      code: "INCOMPLETE_ANNOTATION",
      message: "2 faces are not labelled yet",
    });
  });

  it("other transitions are not its business (release, reject)", async () => {
    const part = await heldPart(w.users.annotator);
    await withUser(db.owner, w.users.annotator.claims, (c) => releasePart(c, w.workspaceId, part.id));
    expect(await status(part.id)).toBe("pre_labeled");
  });
});

describe("revision numbers: the database is their one writer", () => {
  const save = (u: TestUser, part: Held, labels: Array<string | null>, expectedRevision?: number) =>
    withUser(db.owner, u.claims, (c) =>
      appendRevision(c, {
        workspaceId: w.workspaceId,
        partId: part.id,
        document: doc(part, labels),
        source: "human",
        ...(expectedRevision === undefined ? {} : { expectedRevision }),
      }),
    );
  const numbers = async (partId: string) =>
    (
      await db.owner.query<{ n: number; author: string | null }>(
        "select revision_no as n, author_id as author from public.annotation_revisions where part_id = $1 order by 1",
        [partId],
      )
    ).rows;

  it("an insert gets the part's max + 1, whatever revision_no it says (or none)", async () => {
    const part = await heldPart(w.users.annotator, 2);
    const insert = (said: number | null) =>
      db.owner.query<{ revision_no: number }>(
        `insert into public.annotation_revisions (part_id, revision_no, face_signature, document)
         values ($1, $2, $3, '{"labels": ["stock", "stock"]}') returning revision_no`,
        [part.id, said, part.signature],
      );
    expect((await insert(42)).rows[0]?.revision_no).toBe(1);
    expect((await insert(1)).rows[0]?.revision_no).toBe(2); // taken already: not a conflict, the next number
    expect((await insert(null)).rows[0]?.revision_no).toBe(3);
    expect(await save(w.users.annotator, part, ["stock", "fillet"], 3)).toMatchObject({ revisionNo: 4 });
  });

  it("two saves on the same revision at once: one wins, the other is refused (CONFLICT), not renumbered", async () => {
    const part = await heldPart(w.users.annotator, 2);
    const base = (await save(w.users.annotator, part, ["stock", null])).revisionNo;
    let inserted!: () => void;
    let commit!: () => void;
    const firstInserted = new Promise<void>((r) => {
      inserted = r;
    });
    const mayCommit = new Promise<void>((r) => {
      commit = r;
    });
    const first = withUser(db.owner, w.users.annotator.claims, async (c) => {
      const r = await appendRevision(c, {
        workspaceId: w.workspaceId,
        partId: part.id,
        document: doc(part, ["stock", "stock"]),
        source: "human",
        expectedRevision: base,
      });
      inserted();
      await mayCommit;
      return r;
    });
    await firstInserted;
    const second = save(w.users.annotator, part, ["stock", "fillet"], base);
    // the second insert took the same number and waits on the first one's row
    const deadline = Date.now() + 10_000;
    while (
      (
        await db.owner.query<{ waiting: number }>(
          `select count(*)::int as waiting from pg_stat_activity
           where datname = current_database() and wait_event_type = 'Lock' and query like 'insert into public.annotation_revisions%'`,
        )
      ).rows[0]?.waiting !== 1
    ) {
      if (Date.now() > deadline) throw new Error("the second save never waited for the first");
      await new Promise((r) => setTimeout(r, 20));
    }
    commit();
    expect(await first).toMatchObject({ revisionNo: base + 1 });
    expect(await refusal(second)).toEqual({
      code: "CONFLICT",
      message: "someone saved a newer revision meanwhile: reload the part",
    });
    expect((await numbers(part.id)).map((r) => r.n)).toEqual([base, base + 1]);
  });

  it("a save landing between another save's check and its insert: the later one is refused and leaves nothing", async () => {
    const part = await heldPart(w.users.annotator, 2);
    const base = (await save(w.users.annotator, part, ["stock", null])).revisionNo;
    // the client of the later save: just before its insert, another save of the same base commits
    const racing = (c: PoolClient): PoolClient =>
      ({
        query: async (...args: Parameters<PoolClient["query"]>) => {
          if (String(args[0]).trimStart().startsWith("insert into public.annotation_revisions")) {
            await save(w.users.annotator, part, ["stock", "stock"], base);
          }
          return (c.query as (...a: unknown[]) => Promise<unknown>)(...args);
        },
      }) as unknown as PoolClient;
    // the caller even commits after the refusal: the refused revision must not be in the table
    const outcome = await withUser(db.owner, w.users.annotator.claims, async (c) => {
      try {
        return await appendRevision(racing(c), {
          workspaceId: w.workspaceId,
          partId: part.id,
          document: doc(part, ["stock", "fillet"]),
          source: "human",
          expectedRevision: base,
        });
      } catch (e) {
        return toAppError(e);
      }
    });
    expect(outcome).toMatchObject({ code: "CONFLICT" });
    expect((await numbers(part.id)).map((r) => r.n)).toEqual([base, base + 1]);
    const { rows } = await db.owner.query<{ labels: string[] }>(
      "select document -> 'labels' as labels from public.annotation_revisions where part_id = $1 and revision_no = $2",
      [part.id, base + 1],
    );
    expect(rows[0]?.labels).toEqual(["stock", "stock"]); // the save that landed first
  });
});

describe("getLabellingContext", () => {
  it("returns the part, its geometry keys, the dataset's taxonomy and the latest revision", async () => {
    const part = await heldPart(w.users.annotator, 2);
    await save(w.users.annotator, part, ["stock", null]);
    const ctx = await withUser(db.owner, w.users.viewer.claims, (c) => getLabellingContext(c, w.workspaceId, part.id));
    expect(ctx.part).toMatchObject({
      id: part.id,
      status: "in_progress",
      datasetId: part.datasetId,
      annotatorId: w.users.annotator.id,
      annotatorEmail: w.users.annotator.email,
    });
    expect(Date.parse(ctx.part.leaseExpiresAt as string)).toBeGreaterThan(Date.now());
    expect(ctx.geometry).toEqual({
      meshKey: `derived/mesh-${part.signature}`,
      facesKey: `derived/faces-${part.signature}`,
      faceSignature: part.signature,
      faceCount: 2,
      triangleCount: 8,
    });
    expect(ctx.taxonomy?.featureTypes.some((f) => f.key === "through_hole")).toBe(true);
    expect(ctx.revision).toMatchObject({ revisionNo: 1, document: { labels: ["stock", null] } });
  });

  it("NOT_FOUND for a part the caller cannot see", async () => {
    const part = await heldPart(w.users.annotator);
    expect(
      await refusal(withUser(db.owner, outsider.claims, (c) => getLabellingContext(c, w.workspaceId, part.id))),
    ).toMatchObject({ code: "NOT_FOUND" });
    expect(
      await refusal(withUser(db.owner, outsider.claims, (c) => getPartLiveState(c, w.workspaceId, part.id))),
    ).toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("presence", () => {
  const touch = (u: TestUser, partId: string, connectionId: string) =>
    withUser(db.owner, u.claims, (c) => touchPresence(c, { partId, connectionId }));
  const list = (u: TestUser, partId: string) => withUser(db.owner, u.claims, (c) => listPresence(c, partId));

  it("members see who has the part open, one entry per user, recent connections only", async () => {
    const part = await heldPart(w.users.annotator);
    await touch(w.users.annotator, part.id, "tab-1");
    await touch(w.users.annotator, part.id, "tab-2");
    await touch(w.users.engineer, part.id, "tab-1");
    await touch(w.users.viewer, part.id, "gone");
    await db.owner.query(
      "update public.part_presence set seen_at = now() - interval '1 minute' where part_id = $1 and user_id = $2",
      [part.id, w.users.viewer.id],
    );
    for (const u of [w.users.viewer, second, w.users.ml_engineer]) {
      const seen = await list(u, part.id);
      expect(seen.map((p) => p.userId).sort(), u.email).toEqual([w.users.annotator.id, w.users.engineer.id].sort());
    }
    const seen = await list(w.users.viewer, part.id);
    expect(seen.find((p) => p.userId === w.users.engineer.id)?.email).toBe(w.users.engineer.email);
    expect(Date.parse(seen[0]?.since as string)).toBeLessThanOrEqual(Date.now());
    await withUser(db.owner, w.users.annotator.claims, (c) =>
      leavePresence(c, { partId: part.id, connectionId: "tab-1" }),
    );
    expect((await list(w.users.viewer, part.id)).map((p) => p.userId)).toContain(w.users.annotator.id); // tab-2
    await withUser(db.owner, w.users.annotator.claims, (c) =>
      leavePresence(c, { partId: part.id, connectionId: "tab-2" }),
    );
    expect((await list(w.users.viewer, part.id)).map((p) => p.userId)).toEqual([w.users.engineer.id]);
  });

  it("non-members see nothing and cannot record presence on the workspace's parts", async () => {
    const part = await heldPart(w.users.annotator);
    await touch(w.users.annotator, part.id, "tab");
    expect(await list(outsider, part.id)).toEqual([]);
    const as = { role: "authenticated" as const, claims: outsider.claims };
    const seen = await attempt(db.owner, as, (c) => c.query("select * from public.part_presence"));
    expect(seen.ok && seen.value.rowCount).toBe(0);
    expect(await refusal(touch(outsider, part.id, "tab"))).toMatchObject({ code: "FORBIDDEN" });
  });

  it("nobody records, renews or removes presence for someone else", async () => {
    const part = await heldPart(w.users.annotator);
    await touch(w.users.annotator, part.id, "tab");
    const as = { role: "authenticated" as const, claims: w.users.admin.claims };
    const forge = await attempt(db.owner, as, (c) =>
      c.query("insert into public.part_presence (part_id, user_id, connection_id) values ($1, $2, 'forged')", [
        part.id,
        w.users.annotator.id,
      ]),
    );
    expect(forge).toMatchObject({ ok: false, code: "42501" });
    const renew = await attempt(db.owner, as, (c) =>
      c.query("update public.part_presence set seen_at = now() + interval '1 day' where part_id = $1", [part.id]),
    );
    expect(renew).toMatchObject({ ok: true, value: { rowCount: 0 } });
    const remove = await attempt(db.owner, as, (c) =>
      c.query("delete from public.part_presence where part_id = $1", [part.id]),
    );
    expect(remove).toMatchObject({ ok: true, value: { rowCount: 0 } });
    // and a row cannot be moved to another workspace: workspace_id follows the part
    const mine = { role: "authenticated" as const, claims: w.users.annotator.claims };
    const moved = await attempt(db.owner, mine, async (c) => {
      const other = (
        await db.owner.query<{ id: string }>("select id from public.workspaces where id <> $1 limit 1", [w.workspaceId])
      ).rows[0]?.id;
      await c.query("update public.part_presence set workspace_id = $2 where part_id = $1", [part.id, other]);
      return (
        await c.query<{ ws: string }>("select workspace_id as ws from public.part_presence where part_id = $1", [
          part.id,
        ])
      ).rows[0]?.ws;
    });
    expect(moved).toEqual({ ok: true, value: w.workspaceId });
  });

  it("presence goes with the part", async () => {
    const part = await heldPart(w.users.annotator);
    await touch(w.users.annotator, part.id, "tab");
    await db.owner.query("delete from public.parts where id = $1", [part.id]);
    const { rows } = await db.owner.query("select 1 from public.part_presence where part_id = $1", [part.id]);
    expect(rows).toEqual([]);
  });
});

describe("change events (LISTEN facet_events)", () => {
  let events: Awaited<ReturnType<typeof listenFacetEvents>>;
  const eventsOf = (partId: string, action: () => Promise<unknown>) => events.eventsOf(partId, action);

  beforeAll(async () => {
    events = await listenFacetEvents(db);
  });

  afterAll(async () => {
    await events.close();
  });

  it("status, lease and revision changes of a part", async () => {
    const datasetId = await insertDataset(db.owner, {
      workspaceId: w.workspaceId,
      labelSchemaId: w.labelSchemaId,
      name: "events",
    });
    const [id] = await insertParts(db.owner, {
      workspaceId: w.workspaceId,
      datasetId,
      count: 1,
      status: "pre_labeled",
    });
    const part: Held = { id: id as string, datasetId, signature: "sig-events", faceCount: 2 };
    await giveGeometry(db.owner, part.id, { signature: part.signature, faceCount: 2 });
    const me = w.users.annotator;
    const base = { workspace_id: w.workspaceId, part_id: part.id };

    const claimed = await eventsOf(part.id, () =>
      withUser(db.owner, me.claims, (c) => claimNextPart(c, { workspaceId: w.workspaceId, datasetId })),
    );
    expect(claimed).toEqual([
      { ...base, kind: "status", status: "in_progress", annotator_id: me.id, lease_expires_at: expect.any(String) },
    ]);
    expect(Date.parse(claimed[0]?.lease_expires_at as string)).toBeGreaterThan(Date.now());

    let until = "";
    const renewed = await eventsOf(part.id, async () => {
      until = await withUser(db.owner, me.claims, (c) => renewClaim(c, part.id, 1800));
    });
    expect(renewed).toEqual([
      { ...base, kind: "lease", status: "in_progress", annotator_id: me.id, lease_expires_at: until },
    ]);

    const saved = await eventsOf(part.id, () => save(me, part, ["stock", "fillet"]));
    expect(saved).toEqual([{ ...base, kind: "revision", revision_no: 1, author_id: me.id }]);

    const submitted = await eventsOf(part.id, () => submit(me, part, 1));
    expect(submitted).toEqual([
      { ...base, kind: "status", status: "in_review", annotator_id: me.id, lease_expires_at: null },
    ]);

    const rejected = await eventsOf(part.id, () =>
      withUser(db.owner, w.users.engineer.claims, (c) =>
        c.query("update public.parts set status = 'in_progress', review_notes = 'face 1' where id = $1", [part.id]),
      ),
    );
    expect(rejected).toEqual([
      { ...base, kind: "status", status: "in_progress", annotator_id: me.id, lease_expires_at: null },
    ]);

    // edits that are not about who holds the part, or rolled back changes, say nothing
    const quiet = await eventsOf(part.id, async () => {
      await db.owner.query("update public.parts set tags = '{bracket}' where id = $1", [part.id]);
      await attempt(db.owner, { role: "owner" }, (c) =>
        c.query("update public.parts set status = 'pre_labeled' where id = $1", [part.id]),
      );
    });
    expect(quiet).toEqual([]);

    const released = await eventsOf(part.id, () =>
      withUser(db.owner, w.users.admin.claims, (c) => releasePart(c, w.workspaceId, part.id)),
    );
    expect(released).toEqual([
      { ...base, kind: "status", status: "pre_labeled", annotator_id: null, lease_expires_at: null },
    ]);
  });

  it("the expiry sweep announces the parts it returns to the queue", async () => {
    const part = await heldPart(w.users.annotator);
    const expired = await eventsOf(part.id, () =>
      db.owner.query("update public.parts set lease_expires_at = now() - interval '1 second' where id = $1", [part.id]),
    );
    expect(expired).toMatchObject([{ kind: "lease", status: "in_progress" }]);
    const swept = await eventsOf(part.id, () =>
      withService(db.owner, (c) => c.query("select public.release_expired_claims()")),
    );
    expect(swept).toEqual([
      {
        workspace_id: w.workspaceId,
        part_id: part.id,
        kind: "status",
        status: "pre_labeled",
        annotator_id: null,
        lease_expires_at: null,
      },
    ]);
  });

  it("presence: joining and leaving, not heartbeats", async () => {
    const part = await heldPart(w.users.annotator);
    const base = { workspace_id: w.workspaceId, part_id: part.id, kind: "presence", user_id: w.users.viewer.id };
    const touch = () =>
      withUser(db.owner, w.users.viewer.claims, (c) => touchPresence(c, { partId: part.id, connectionId: "c1" }));
    expect(await eventsOf(part.id, touch)).toEqual([{ ...base, op: "join" }]);
    expect(await eventsOf(part.id, touch)).toEqual([]); // heartbeat
    expect(
      await eventsOf(part.id, () =>
        withUser(db.owner, w.users.viewer.claims, (c) => leavePresence(c, { partId: part.id, connectionId: "c1" })),
      ),
    ).toEqual([{ ...base, op: "leave" }]);
  });

  it("payloads stay small: ids only", async () => {
    const received = events.all();
    const longest = Math.max(...received.map((e) => JSON.stringify(e).length));
    expect(received.length).toBeGreaterThan(5);
    expect(longest).toBeLessThan(400);
  });
});
