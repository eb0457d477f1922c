/**
 * The part status machine as Postgres enforces it (trigger private.parts_guard): the legal transitions
 * (same table as PART_TRANSITIONS in @facet/core), the refusal of every other pair with FC001, the role
 * rules for updates made directly by users, the consequences of a transition, and its audit event.
 */
import { AppError, MEMBER_ROLES, type MemberRole, PART_STATUSES, PART_TRANSITIONS, type PartStatus } from "@facet/core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { withService, withUser } from "./session";
import {
  addMember,
  attempt,
  createTestDatabase,
  createUser,
  createWorkspaceWithRoles,
  insertParts,
  labelCompletely,
  type TestDatabase,
  type TestUser,
} from "./testing";

type Pair = [PartStatus, PartStatus];

const LEGAL: Pair[] = PART_STATUSES.flatMap((from) => PART_TRANSITIONS[from].map((to): Pair => [from, to]));
const ILLEGAL: Pair[] = PART_STATUSES.flatMap((from) =>
  PART_STATUSES.filter((to) => to !== from && !PART_TRANSITIONS[from].includes(to)).map((to): Pair => [from, to]),
);

let db: TestDatabase;
let ws: Awaited<ReturnType<typeof createWorkspaceWithRoles>>;
/** A second annotator of the workspace. */
let otherAnnotator: TestUser;

beforeAll(async () => {
  db = await createTestDatabase(inject("pgBaseUrl"));
  ws = await createWorkspaceWithRoles(db.owner, "sm");
  otherAnnotator = await createUser(db.owner, "sm-annotator2");
  await addMember(db.owner, ws.workspaceId, otherAnnotator.id, "annotator");
});

afterAll(async () => {
  await db.drop();
});

interface PartRow {
  status: PartStatus;
  status_changed_at: Date;
  annotator_id: string | null;
  claimed_at: Date | null;
  lease_expires_at: Date | null;
  claimed_from: PartStatus | null;
  reviewer_id: string | null;
  failure_reason: string | null;
}

/**
 * A committed part in `status`, arranged as the pipeline would leave it: claimed parts have an
 * annotator and a lease, parts under review or approved keep their annotator, failed parts a reason.
 * Its status changed a day ago, so a new change is visible.
 */
async function makePart(status: PartStatus, annotatorId: string = ws.users.annotator.id): Promise<string> {
  const [id] = await insertParts(db.owner, { workspaceId: ws.workspaceId, datasetId: ws.datasetId, count: 1, status });
  if (!id) throw new Error("part not created");
  await db.owner.query(
    `update public.parts set status_changed_at = now() - interval '1 day',
       annotator_id = case when status in ('in_progress', 'in_review', 'approved') then $2::uuid end,
       claimed_at = case when status in ('in_progress', 'in_review', 'approved') then now() - interval '1 hour' end,
       claimed_from = case when status in ('in_progress', 'in_review', 'approved') then 'pre_labeled'::public.part_status end,
       lease_expires_at = case when status = 'in_progress' then now() + interval '10 minutes' end,
       failure_reason = case when status = 'failed' then 'not a closed solid' end
     where id = $1`,
    [id, annotatorId],
  );
  if (status === "in_progress") await labelCompletely(db.owner, id, { authorId: annotatorId });
  return id;
}

async function readPart(id: string): Promise<PartRow> {
  const { rows } = await db.owner.query<PartRow>("select * from public.parts where id = $1", [id]);
  if (!rows[0]) throw new Error(`no part ${id}`);
  return rows[0];
}

async function statusEvents(id: string) {
  const { rows } = await db.owner.query<{
    actor_id: string | null;
    actor_kind: string;
    data: { from: string; to: string };
  }>(
    `select actor_id, actor_kind, data from public.audit_events
     where target_table = 'parts' and target_id = $1 and action = 'part.status_changed' order by id`,
    [id],
  );
  return rows;
}

describe("the transition table", () => {
  it("has 12 legal transitions and 44 illegal ones among the 8 statuses", () => {
    expect(LEGAL).toHaveLength(12);
    expect(ILLEGAL).toHaveLength(8 * 8 - 8 - 12);
  });

  it("private.part_status_transitions equals PART_TRANSITIONS exactly", async () => {
    const { rows } = await db.owner.query<{ from_status: PartStatus; to_status: PartStatus }>(
      "select from_status, to_status from private.part_status_transitions",
    );
    const key = ([a, b]: Pair) => `${a} -> ${b}`;
    expect(rows.map((r) => key([r.from_status, r.to_status])).sort()).toEqual(LEGAL.map(key).sort());
  });

  it("the part_status enum holds PART_STATUSES, in order", async () => {
    const { rows } = await db.owner.query<{ s: string }>(
      "select unnest(enum_range(null::public.part_status))::text as s",
    );
    expect(rows.map((r) => r.s)).toEqual([...PART_STATUSES]);
  });

  it("users cannot read or change the SQL table", async () => {
    for (const sql of [
      "select * from private.part_status_transitions",
      "insert into private.part_status_transitions values ('approved', 'uploaded')",
    ]) {
      const r = await attempt(db.owner, { role: "authenticated", claims: ws.users.admin.claims }, (c) => c.query(sql));
      expect(r, sql).toMatchObject({ ok: false, code: "42501" });
    }
  });
});

describe("legal transitions, made by the service", () => {
  it.each(LEGAL)("%s -> %s", async (from, to) => {
    const id = await makePart(from);
    const before = await readPart(id);
    const n = await withService(db.owner, async (c) => {
      const r = await c.query("update public.parts set status = $2 where id = $1", [id, to]);
      return r.rowCount;
    });
    expect(n).toBe(1);
    const after = await readPart(id);
    expect(after.status).toBe(to);
    expect(after.status_changed_at.getTime()).toBeGreaterThan(before.status_changed_at.getTime());
    // one audit event, by the service
    expect(await statusEvents(id)).toEqual([
      { actor_id: null, actor_kind: "service", data: { from, to, annotator_id: after.annotator_id } },
    ]);
  });

  it("releasing a claim (in_progress -> pre_labeled | unannotated) clears it", async () => {
    for (const to of ["pre_labeled", "unannotated"] as const) {
      const id = await makePart("in_progress");
      await withService(db.owner, (c) => c.query("update public.parts set status = $2 where id = $1", [id, to]));
      expect(await readPart(id)).toMatchObject({
        status: to,
        annotator_id: null,
        claimed_at: null,
        lease_expires_at: null,
        claimed_from: null,
      });
    }
  });

  it("submitting (in_progress -> in_review) ends the lease and keeps the annotator", async () => {
    const id = await makePart("in_progress");
    await withService(db.owner, (c) => c.query("update public.parts set status = 'in_review' where id = $1", [id]));
    expect(await readPart(id)).toMatchObject({ annotator_id: ws.users.annotator.id, lease_expires_at: null });
  });

  it("retrying (failed -> uploaded) clears the failure reason", async () => {
    const id = await makePart("failed");
    await withService(db.owner, (c) => c.query("update public.parts set status = 'uploaded' where id = $1", [id]));
    expect(await readPart(id)).toMatchObject({ status: "uploaded", failure_reason: null });
  });

  it("setting the same status again is no transition: no error, no audit event", async () => {
    const id = await makePart("approved");
    await withService(db.owner, (c) => c.query("update public.parts set status = 'approved' where id = $1", [id]));
    expect(await statusEvents(id)).toEqual([]);
  });
});

describe("illegal transitions are refused by Postgres with FC001", () => {
  const parts = new Map<PartStatus, string>();
  beforeAll(async () => {
    for (const s of PART_STATUSES) parts.set(s, await makePart(s));
  });

  it.each(ILLEGAL)("%s -> %s", async (from, to) => {
    const id = parts.get(from);
    for (const role of ["service_role", "owner"] as const) {
      const r = await attempt(db.owner, { role }, (c) =>
        c.query("update public.parts set status = $2 where id = $1", [id, to]),
      );
      expect(r, role).toEqual({
        ok: false,
        code: "FC001",
        message: `illegal part status transition: ${from} -> ${to}`,
      });
    }
    expect((await readPart(id as string)).status).toBe(from);
  });

  it("the error names the transitions that are allowed, and reaches the API as ILLEGAL_TRANSITION", async () => {
    const id = parts.get("in_review");
    const err = await withService(db.owner, (c) =>
      c.query("update public.parts set status = 'uploaded' where id = $1", [id]),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({
      code: "ILLEGAL_TRANSITION",
      message: "illegal part status transition: in_review -> uploaded",
      details: { allowed: "allowed from in_review: in_progress, approved" },
    });
    const final = await withService(db.owner, (c) =>
      c.query("update public.parts set status = 'in_review' where id = $1", [parts.get("approved")]),
    ).catch((e: unknown) => e);
    expect(final).toMatchObject({ code: "ILLEGAL_TRANSITION", details: { allowed: "approved is final" } });
  });

  it("a new part starts as uploaded when a user adds it", async () => {
    // content the workspace holds (the server records both after verifying an upload)
    await db.owner.query(
      `insert into public.blobs (sha256, size, storage_key, verified_at)
       values (repeat('ab', 32), 10, 'blobs/sha256/ab/ab/' || repeat('ab', 32), now())`,
    );
    await db.owner.query("insert into public.workspace_blobs (workspace_id, sha256) values ($1, repeat('ab', 32))", [
      ws.workspaceId,
    ]);
    const r = await attempt(db.owner, { role: "authenticated", claims: ws.users.engineer.claims }, async (c) => {
      return c.query(
        `insert into public.parts (workspace_id, dataset_id, blob_sha256, name, status, created_by)
         values ($1, $2, repeat('ab', 32), 'x.step', 'approved', $3)`,
        [ws.workspaceId, ws.datasetId, ws.users.engineer.id],
      );
    });
    expect(r).toMatchObject({ ok: false, code: "FC001" });
  });
});

/**
 * Direct updates by users (`authenticated`), beyond legality. `invisible` = RLS does not let this
 * user update the part at all (0 rows); FC004 = the status rules refuse it.
 */
type Actor = MemberRole | "other annotator";
type Expect = "ok" | "invisible" | "FC004" | "FC001";
// biome-ignore format: a table, aligned for reading
const DIRECT: Array<{ actor: Actor; from: PartStatus; to: PartStatus; heldBy?: Actor; expect: Expect; why: string }> = [
  { actor: "annotator",   from: "uploaded",    to: "processing",  expect: "invisible", why: "annotators update only the parts they hold" },
  { actor: "engineer",    from: "uploaded",    to: "processing",  expect: "FC004", why: "only the pipeline processes" },
  { actor: "admin",       from: "uploaded",    to: "processing",  expect: "FC004", why: "only the pipeline processes" },
  { actor: "engineer",    from: "processing",  to: "unannotated", expect: "FC004", why: "only the pipeline processes" },
  { actor: "admin",       from: "processing",  to: "failed",      expect: "FC004", why: "only the pipeline fails a part" },
  { actor: "engineer",    from: "unannotated", to: "pre_labeled", expect: "FC004", why: "only the pre-labeler pre-labels" },
  { actor: "engineer",    from: "pre_labeled", to: "in_progress", expect: "FC004", why: "claims go through claim_next_part()" },
  { actor: "admin",       from: "unannotated", to: "in_progress", expect: "FC004", why: "claims go through claim_next_part()" },
  { actor: "annotator",   from: "pre_labeled", to: "in_progress", expect: "invisible", why: "claims go through claim_next_part()" },
  { actor: "engineer",    from: "failed",      to: "uploaded",    expect: "ok",    why: "engineers retry failed parts" },
  { actor: "admin",       from: "failed",      to: "uploaded",    expect: "ok",    why: "admins retry failed parts" },
  { actor: "ml_engineer", from: "failed",      to: "uploaded",    expect: "FC004", why: "ML engineers do not retry" },
  { actor: "annotator",   from: "failed",      to: "uploaded",    expect: "invisible", why: "annotators do not retry" },
  { actor: "viewer",      from: "failed",      to: "uploaded",    expect: "invisible", why: "viewers change nothing" },
  { actor: "annotator",   from: "in_progress", to: "in_review",   heldBy: "annotator", expect: "ok", why: "the holder submits" },
  { actor: "annotator",   from: "in_progress", to: "pre_labeled", heldBy: "annotator", expect: "ok", why: "the holder releases" },
  { actor: "annotator",   from: "in_progress", to: "unannotated", heldBy: "annotator", expect: "ok", why: "the holder releases" },
  { actor: "other annotator", from: "in_progress", to: "in_review", heldBy: "annotator", expect: "invisible", why: "not the holder" },
  { actor: "engineer",    from: "in_progress", to: "in_review",   heldBy: "annotator", expect: "FC004", why: "not the holder" },
  { actor: "engineer",    from: "in_progress", to: "pre_labeled", heldBy: "annotator", expect: "FC004", why: "not the holder" },
  { actor: "engineer",    from: "in_progress", to: "in_review",   heldBy: "engineer",  expect: "ok", why: "an engineer holding a part submits it" },
  { actor: "admin",       from: "in_progress", to: "pre_labeled", heldBy: "annotator", expect: "ok", why: "admins may release anyone's claim" },
  { actor: "ml_engineer", from: "in_progress", to: "pre_labeled", heldBy: "annotator", expect: "FC004", why: "ML engineers do not release" },
  { actor: "engineer",    from: "in_review",   to: "approved",    heldBy: "annotator", expect: "ok", why: "engineers approve" },
  { actor: "admin",       from: "in_review",   to: "approved",    heldBy: "annotator", expect: "ok", why: "admins approve" },
  { actor: "engineer",    from: "in_review",   to: "in_progress", heldBy: "annotator", expect: "ok", why: "engineers reject" },
  { actor: "annotator",   from: "in_review",   to: "approved",    heldBy: "annotator", expect: "FC004", why: "annotators cannot approve" },
  { actor: "annotator",   from: "in_review",   to: "in_progress", heldBy: "annotator", expect: "FC004", why: "annotators cannot reject (or withdraw)" },
  { actor: "other annotator", from: "in_review", to: "approved",  heldBy: "annotator", expect: "invisible", why: "annotators cannot approve" },
  { actor: "ml_engineer", from: "in_review",   to: "approved",    heldBy: "annotator", expect: "FC004", why: "ML engineers cannot approve" },
  { actor: "viewer",      from: "in_review",   to: "approved",    heldBy: "annotator", expect: "invisible", why: "viewers change nothing" },
  { actor: "engineer",    from: "in_review",   to: "approved",    heldBy: "engineer",  expect: "FC004", why: "nobody approves their own annotation" },
  { actor: "admin",       from: "in_review",   to: "approved",    heldBy: "admin",     expect: "FC004", why: "nobody approves their own annotation" },
  { actor: "engineer",    from: "in_review",   to: "in_progress", heldBy: "engineer",  expect: "FC004", why: "nobody rejects their own annotation" },
  { actor: "engineer",    from: "uploaded",    to: "approved",    expect: "FC001", why: "illegal for everyone" },
  { actor: "admin",       from: "approved",    to: "in_review",   heldBy: "annotator", expect: "FC001", why: "approved is final" },
  { actor: "annotator",   from: "in_progress", to: "approved",    heldBy: "annotator", expect: "FC001", why: "review cannot be skipped" },
];

function user(actor: Actor): TestUser {
  return actor === "other annotator" ? otherAnnotator : ws.users[actor];
}

describe("direct updates by users follow the role rules", () => {
  it("the cases cover every role", () => {
    expect(new Set(DIRECT.map((c) => c.actor))).toEqual(new Set([...MEMBER_ROLES, "other annotator"]));
  });

  for (const { actor, from, to, heldBy, expect: expected, why } of DIRECT) {
    const verb = from === "in_progress" ? "held" : "annotated";
    const holder = heldBy ? ` (${verb} by ${heldBy === actor ? "them" : heldBy})` : "";
    it(`${actor}: ${from} -> ${to}${holder} is ${expected}: ${why}`, async () => {
      const me = user(actor);
      const id = await makePart(from, heldBy ? user(heldBy).id : undefined);
      const r = await attempt(db.owner, { role: "authenticated", claims: me.claims }, async (c) => {
        const res = await c.query("update public.parts set status = $2 where id = $1", [id, to]);
        await c.query("reset role"); // read back as the owner, still inside the transaction
        const { rows } = await c.query<PartRow>("select * from public.parts where id = $1", [id]);
        const { rows: events } = await c.query(
          "select actor_id, actor_kind, data from public.audit_events where target_id = $1 and action = 'part.status_changed'",
          [id],
        );
        return { n: res.rowCount, part: rows[0], events };
      });
      if (expected === "ok") {
        expect(r.ok, r.ok ? "" : r.message).toBe(true);
        if (!r.ok) return;
        expect(r.value.n).toBe(1);
        expect(r.value.part?.status).toBe(to);
        // the change is in the audit log, by this user
        expect(r.value.events).toEqual([
          { actor_id: me.id, actor_kind: "user", data: { from, to, annotator_id: r.value.part?.annotator_id ?? null } },
        ]);
      } else if (expected === "invisible") {
        expect(r).toMatchObject({ ok: true, value: { n: 0, events: [] } });
      } else {
        expect(r).toMatchObject({ ok: false, code: expected });
      }
    });
  }

  it("a rejection goes back to the annotator with the reviewer and notes recorded, and no lease", async () => {
    const id = await makePart("in_review");
    const r = await attempt(db.owner, { role: "authenticated", claims: ws.users.engineer.claims }, async (c) => {
      await c.query(
        "update public.parts set status = 'in_progress', review_notes = 'face 12 is a fillet' where id = $1",
        [id],
      );
      const { rows } = await c.query<PartRow & { review_notes: string }>("select * from public.parts where id = $1", [
        id,
      ]);
      return rows[0];
    });
    expect(r).toMatchObject({
      ok: true,
      value: {
        status: "in_progress",
        annotator_id: ws.users.annotator.id,
        reviewer_id: ws.users.engineer.id,
        review_notes: "face 12 is a fillet",
        lease_expires_at: null,
      },
    });
  });

  it("an approval records the reviewer", async () => {
    const id = await makePart("in_review");
    const r = await attempt(db.owner, { role: "authenticated", claims: ws.users.admin.claims }, async (c) => {
      await c.query("update public.parts set status = 'approved' where id = $1", [id]);
      const { rows } = await c.query<PartRow>("select * from public.parts where id = $1", [id]);
      return rows[0];
    });
    expect(r).toMatchObject({ ok: true, value: { status: "approved", reviewer_id: ws.users.admin.id } });
  });
});

describe("every status change is audited", () => {
  it("through the whole life of a part, one part.status_changed event per change, in order", async () => {
    // in a dataset of its own, so that claim_next_part(workspace, dataset) picks this part
    const { rows: ds } = await db.owner.query<{ id: string }>(
      "insert into public.datasets (workspace_id, name) values ($1, 'lifecycle') returning id",
      [ws.workspaceId],
    );
    const datasetId = ds[0]?.id as string;
    const [id] = await insertParts(db.owner, { workspaceId: ws.workspaceId, datasetId, count: 1 });
    if (!id) throw new Error("part not created");
    const path: PartStatus[] = ["processing", "unannotated", "pre_labeled"];
    for (const to of path) {
      await withService(db.owner, (c) => c.query("update public.parts set status = $2 where id = $1", [id, to]));
    }
    await withUser(db.owner, ws.users.annotator.claims, (c) =>
      c.query("select * from public.claim_next_part($1, $2)", [ws.workspaceId, datasetId]),
    );
    expect((await readPart(id)).status).toBe("in_progress");
    await labelCompletely(db.owner, id, { authorId: ws.users.annotator.id });
    await withUser(db.owner, ws.users.annotator.claims, (c) =>
      c.query("update public.parts set status = 'in_review' where id = $1", [id]),
    );
    await withUser(db.owner, ws.users.engineer.claims, (c) =>
      c.query("update public.parts set status = 'in_progress' where id = $1", [id]),
    );
    await withUser(db.owner, ws.users.annotator.claims, (c) =>
      c.query("update public.parts set status = 'in_review' where id = $1", [id]),
    );
    await withUser(db.owner, ws.users.admin.claims, (c) =>
      c.query("update public.parts set status = 'approved' where id = $1", [id]),
    );
    const events = await statusEvents(id);
    expect(events.map((e) => `${e.data.from} -> ${e.data.to}`)).toEqual([
      "uploaded -> processing",
      "processing -> unannotated",
      "unannotated -> pre_labeled",
      "pre_labeled -> in_progress",
      "in_progress -> in_review",
      "in_review -> in_progress",
      "in_progress -> in_review",
      "in_review -> approved",
    ]);
    expect(events.map((e) => e.actor_id)).toEqual([
      null,
      null,
      null,
      ws.users.annotator.id,
      ws.users.annotator.id,
      ws.users.engineer.id,
      ws.users.annotator.id,
      ws.users.admin.id,
    ]);
  });
});
