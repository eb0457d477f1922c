/**
 * Workspace analytics (issue 19, item 2) on a small constructed history: parts made, claimed,
 * submitted, rejected, approved on given days (audit events, revisions, review decisions and work time
 * written as the database would have written them, at chosen times), each figure checked by hand.
 * And the active-time table's bounds, through row-level security as the workbench's requests run.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { withUser } from "../session";
import {
  addMember,
  createTestDatabase,
  createUser,
  createWorkspaceWithRoles,
  giveGeometry,
  insertDataset,
  insertParts,
  refusal,
  type TestDatabase,
  type TestUser,
} from "../testing";
import { analyticsReport, myActiveTime, recordActiveTime } from "./analytics";

type Workspace = Awaited<ReturnType<typeof createWorkspaceWithRoles>>;

let db: TestDatabase;
let w: Workspace;
let other: string; // a second dataset
let u2: TestUser; // a second annotator
const parts: Record<"a1" | "a2" | "a3" | "b1", string> = { a1: "", a2: "", a3: "", b1: "" };

/** Write rows as the database's own functions would have, at chosen times (triggers off for this transaction). */
async function arrange(sql: string, params: unknown[]) {
  const c = await db.owner.connect();
  try {
    await c.query("begin");
    await c.query("set local session_replication_role = replica");
    await c.query(sql, params);
    await c.query("commit");
  } catch (e) {
    await c.query("rollback");
    throw e;
  } finally {
    c.release();
  }
}

async function statusEvent(
  part: string,
  at: string,
  from: string,
  to: string,
  actor: string,
  annotator: string | null,
) {
  await arrange(
    `insert into public.audit_events (workspace_id, actor_id, actor_kind, action, target_table, target_id, data, created_at)
     values ($1, $2, 'user', 'part.status_changed', 'parts', $3, $4, $5)`,
    [w.workspaceId, actor, part, JSON.stringify({ from, to, annotator_id: annotator }), at],
  );
}

async function revision(part: string, no: number, source: string, author: string | null, labels: unknown[]) {
  const { rows } = await db.owner.query<{ id: string }>(
    `insert into public.annotation_revisions (part_id, revision_no, author_id, face_signature, document, source, model_assisted)
     values ($1::uuid, $2, $3, 'sig-' || $1::text, $4, $5::text, $5::text = 'model') returning id`,
    [part, no, author, JSON.stringify({ schemaVersion: 1, faceSignature: `sig-${part}`, labels }), source],
  );
  return rows[0]?.id as string;
}

async function review(part: string, revisionId: string, decision: string, at: string, annotator: string) {
  await arrange(
    `insert into public.part_reviews (workspace_id, part_id, revision_id, revision_no, reviewer_id, annotator_id, decision, created_at)
     select $1, $2, $3, r.revision_no, $4, $5, $6, $7 from public.annotation_revisions r where r.id = $3`,
    [w.workspaceId, part, revisionId, w.users.engineer.id, annotator, decision, at],
  );
}

async function workTime(part: string, user: string, ms: number) {
  await arrange(
    `insert into public.work_time (workspace_id, part_id, user_id, session_id, active_ms)
     values ($1, $2, $3, gen_random_uuid(), $4)`,
    [w.workspaceId, part, user, ms],
  );
}

beforeAll(async () => {
  db = await createTestDatabase(inject("pgBaseUrl"));
  w = await createWorkspaceWithRoles(db.owner, "analytics");
  other = await insertDataset(db.owner, { workspaceId: w.workspaceId, labelSchemaId: w.labelSchemaId, name: "other" });
  u2 = await createUser(db.owner, "analytics-annotator2");
  await addMember(db.owner, w.workspaceId, u2.id, "annotator");
  await db.owner.query("update public.profiles set display_name = 'Ann Otator' where user_id = $1", [
    w.users.annotator.id,
  ]);
  const U = w.users.annotator.id;
  const E = w.users.engineer.id;
  const [a1, a2, a3] = await insertParts(db.owner, { workspaceId: w.workspaceId, datasetId: w.datasetId, count: 3 });
  const [b1] = await insertParts(db.owner, { workspaceId: w.workspaceId, datasetId: other, count: 1 });
  Object.assign(parts, { a1, a2, a3, b1 });
  // what each part is now, and since when; made on these days
  const now = async (id: string, status: string, createdAt: string, changedAt: string) =>
    arrange("update public.parts set status = $2, created_at = $3, status_changed_at = $4 where id = $1", [
      id,
      status,
      createdAt,
      changedAt,
    ]);
  await now(parts.a1, "approved", "2026-10-31T10:00:00Z", "2026-11-02T09:00:00Z");
  await now(parts.a2, "in_review", "2026-11-02T08:00:00Z", "2026-11-04T10:00:00Z");
  await now(parts.a3, "unannotated", "2026-11-01T00:30:00Z", "2026-11-01T00:30:00Z");
  await now(parts.b1, "in_review", "2026-11-01T12:00:00Z", "2026-11-04T09:00:00Z");
  await giveGeometry(db.owner, parts.a1, { faceCount: 10 });
  await giveGeometry(db.owner, parts.a2, { faceCount: 20 });

  // a1: pre-labelled before the period, claimed, submitted 1 Nov, approved 2 Nov
  await statusEvent(parts.a1, "2026-11-01T09:00:00Z", "pre_labeled", "in_progress", U, U);
  await statusEvent(parts.a1, "2026-11-01T10:00:00Z", "in_progress", "in_review", U, U);
  await statusEvent(parts.a1, "2026-11-02T09:00:00Z", "in_review", "approved", E, U);
  await revision(parts.a1, 1, "model", null, ["hole", "slot", "slot", null]);
  const a1Final = await revision(parts.a1, 2, "human", U, ["hole", "hole", "slot", "step"]);
  await review(parts.a1, a1Final, "approved", "2026-11-02T09:00:00Z", U);
  await workTime(parts.a1, U, 60_000);
  await workTime(parts.a1, U, 30_000);
  // a2: from scratch; made and submitted 2 Nov, rejected 3 Nov, submitted again 4 Nov
  await statusEvent(parts.a2, "2026-11-02T09:00:00Z", "unannotated", "in_progress", U, U);
  await statusEvent(parts.a2, "2026-11-02T11:00:00Z", "in_progress", "in_review", U, U);
  const a2First = await revision(parts.a2, 1, "human", U, ["pocket", "hole"]);
  await statusEvent(parts.a2, "2026-11-03T09:00:00Z", "in_review", "in_progress", E, U);
  await review(parts.a2, a2First, "rejected", "2026-11-03T09:00:00Z", U);
  await revision(parts.a2, 2, "human", U, ["pocket", "pocket"]);
  await statusEvent(parts.a2, "2026-11-04T10:00:00Z", "in_progress", "in_review", U, U);
  await workTime(parts.a2, U, 300_000);
  // b1 (the other dataset): pre-labelled, claimed and submitted by the second annotator on 4 Nov
  await statusEvent(parts.b1, "2026-11-04T08:00:00Z", "pre_labeled", "in_progress", u2.id, u2.id);
  await statusEvent(parts.b1, "2026-11-04T09:00:00Z", "in_progress", "in_review", u2.id, u2.id);
  await revision(parts.b1, 1, "human", u2.id, ["boss"]);
});

afterAll(async () => {
  await db.drop();
});

const NOW = new Date("2026-11-05T10:00:00Z");
const report = (datasetId: string | null, from = "2026-11-01", to = "2026-11-04") =>
  withUser(db.owner, w.users.admin.claims, (c) => analyticsReport(c, w.workspaceId, { datasetId, from, to }, NOW));

describe("analyticsReport", () => {
  it("counts the parts in each status at the end of each day, from the status history", async () => {
    const r = await report(w.datasetId);
    const pick = (day: string) => {
      const row = r.statusByDay.find((d) => d.day === day) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(row).filter(([k, v]) => k !== "day" && v !== 0));
    };
    expect(r.statusByDay.map((d) => d.day)).toEqual(["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04"]);
    expect(pick("2026-11-01")).toEqual({ in_review: 1, unannotated: 1 });
    expect(pick("2026-11-02")).toEqual({ approved: 1, in_review: 1, unannotated: 1 });
    expect(pick("2026-11-03")).toEqual({ approved: 1, in_progress: 1, unannotated: 1 });
    expect(pick("2026-11-04")).toEqual({ approved: 1, in_review: 1, unannotated: 1 });
    // the whole workspace: b1 too, pre-labelled until it was claimed on 4 Nov
    const all = await report(null);
    expect(all.statusByDay[0]).toMatchObject({ pre_labeled: 1, in_review: 1, unannotated: 1 });
    expect(all.statusByDay[3]).toMatchObject({ pre_labeled: 0, in_review: 2, approved: 1 });
    // a period that starts later carries what happened before it
    const late = await report(w.datasetId, "2026-11-03", "2026-11-03");
    expect(late.statusByDay).toEqual([expect.objectContaining({ approved: 1, in_progress: 1, unannotated: 1 })]);
  });

  it("gives each annotator's submissions per day and median active time per part and face, with and without pre-labels", async () => {
    const r = await report(w.datasetId);
    expect(r.submissionsByDay).toEqual([
      { day: "2026-11-01", annotatorId: w.users.annotator.id, annotator: "Ann Otator", parts: 1 },
      { day: "2026-11-02", annotatorId: w.users.annotator.id, annotator: "Ann Otator", parts: 1 },
      { day: "2026-11-04", annotatorId: w.users.annotator.id, annotator: "Ann Otator", parts: 1 },
    ]);
    expect(r.throughput).toEqual([
      {
        annotatorId: w.users.annotator.id,
        annotator: "Ann Otator",
        submitted: 3,
        perDay: 0.75,
        timedParts: 2,
        // a1: 90 s over 10 faces (pre-labelled); a2: 300 s over 20 faces (from scratch)
        medianSecondsPerPart: 195,
        medianSecondsPerFace: 12,
        prelabelled: { parts: 1, medianSecondsPerPart: 90, medianSecondsPerFace: 9 },
        fromScratch: { parts: 1, medianSecondsPerPart: 300, medianSecondsPerFace: 15 },
      },
    ]);
    const b = await report(other);
    expect(b.throughput).toEqual([
      expect.objectContaining({ annotatorId: u2.id, submitted: 1, timedParts: 0, medianSecondsPerPart: null }),
    ]);
    // a period without submissions
    expect((await report(w.datasetId, "2026-11-03", "2026-11-03")).throughput).toEqual([]);
  });

  it("rates approvals and rejections per annotator and per class of the revision decided on", async () => {
    const r = await report(w.datasetId);
    expect(r.reviewsByAnnotator).toEqual([
      {
        key: w.users.annotator.id,
        label: "Ann Otator",
        approved: 1,
        rejected: 1,
        approvalRate: 0.5,
        rejectionRate: 0.5,
      },
    ]);
    const byClass = Object.fromEntries(r.reviewsByClass.map((c) => [c.key, [c.approved, c.rejected]]));
    expect(byClass).toEqual({ hole: [1, 1], slot: [1, 0], step: [1, 0], pocket: [0, 1] });
    expect((await report(w.datasetId, "2026-11-03", "2026-11-04")).reviewsByAnnotator[0]).toMatchObject({
      approved: 0,
      rejected: 1,
    });
  });

  it("measures pre-label acceptance by approval day, and per model and class as prelabelAcceptance does", async () => {
    const r = await report(w.datasetId);
    // a1's pre-label named 3 faces (hole, slot, slot); the approved labels kept the 1st and the 3rd
    expect(r.prelabelByDay).toEqual([{ day: "2026-11-02", faces: 3, accepted: 2, rate: 2 / 3, parts: 1 }]);
    expect(r.prelabelByModel).toEqual([]); // the revision names no models: prelabelAcceptance reads models only
    expect((await report(other)).prelabelByDay).toEqual([]);
  });

  it("counts faces per class in each part's latest revision, and how long the queues have waited", async () => {
    const r = await report(w.datasetId);
    expect(r.classBalance).toEqual([
      { feature: "hole", faces: 2, parts: 1, share: 2 / 6 },
      { feature: "pocket", faces: 2, parts: 1, share: 2 / 6 },
      { feature: "slot", faces: 1, parts: 1, share: 1 / 6 },
      { feature: "step", faces: 1, parts: 1, share: 1 / 6 },
    ]);
    const [annotation, reviewQueue] = r.queueAge;
    // a3 unannotated since 1 Nov 00:30; a2 in review since 4 Nov 10:00; now is 5 Nov 10:00
    expect(annotation).toMatchObject({ queue: "annotation", parts: 1, medianHours: 105.5, maxHours: 105.5 });
    expect(annotation?.buckets["over 7 days"]).toBe(0);
    expect(annotation?.buckets["1–7 days"]).toBe(1);
    expect(reviewQueue).toMatchObject({ queue: "review", parts: 1, medianHours: 24 });
  });

  it("is for admins: the status history refuses anyone else", async () => {
    const asEngineer = withUser(db.owner, w.users.engineer.claims, (c) =>
      analyticsReport(c, w.workspaceId, { datasetId: w.datasetId, from: "2026-11-01", to: "2026-11-04" }, NOW),
    );
    expect(await refusal(asEngineer)).toMatchObject({ code: "FORBIDDEN" });
    // an admin of another workspace neither
    const elsewhere = await createWorkspaceWithRoles(db.owner, "analytics-elsewhere");
    const theirAdmin = withUser(db.owner, elsewhere.users.admin.claims, (c) =>
      analyticsReport(c, w.workspaceId, { datasetId: null, from: "2026-11-01", to: "2026-11-04" }, NOW),
    );
    expect(await refusal(theirAdmin)).toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("recordActiveTime", () => {
  const ws = () => w.workspaceId;
  const asAnnotator = <T>(fn: (c: import("pg").PoolClient) => Promise<T>) =>
    withUser(db.owner, w.users.annotator.claims, fn);

  async function claimed(minutesAgo: number): Promise<string> {
    const [id] = await insertParts(db.owner, { workspaceId: ws(), datasetId: w.datasetId, count: 1 });
    await arrange(
      `update public.parts set status = 'in_progress', annotator_id = $2,
         claimed_at = now() - make_interval(mins => $3), lease_expires_at = now() + interval '15 minutes',
         claimed_from = 'unannotated', status_changed_at = now() - make_interval(mins => $3)
       where id = $1`,
      [id, w.users.annotator.id, minutesAgo],
    );
    return id as string;
  }

  it("adds reports to the holder's session, up to the wall time since the claim", async () => {
    const part = await claimed(30);
    const session = crypto.randomUUID();
    const add = (ms: number, s = session) =>
      asAnnotator((c) => recordActiveTime(c, { workspaceId: ws(), partId: part, sessionId: s, activeMs: ms }));
    expect(await add(600_000)).toBe(600_000);
    expect(await add(600_000)).toBe(1_200_000);
    expect(await add(500_000, crypto.randomUUID())).toBe(500_000); // a second tab: its own session
    expect(await asAnnotator((c) => myActiveTime(c, ws(), part))).toBe(1_700_000);
    // 30 minutes since the claim: 1,700 s recorded, 200 s more is past the wall time
    expect(await refusal(add(200_000))).toMatchObject({
      code: "VALIDATION_FAILED",
      message: /since the part was claimed/,
    });
    expect(await add(90_000)).toBe(1_290_000);
    // more than 10 minutes in one report
    const fresh = await claimed(120);
    expect(
      await refusal(
        asAnnotator((c) =>
          recordActiveTime(c, { workspaceId: ws(), partId: fresh, sessionId: session, activeMs: 600_001 }),
        ),
      ),
    ).toMatchObject({ code: "VALIDATION_FAILED" });
  });

  it("refuses time on a part the caller does not hold, and a row they try to shrink or hand to someone else", async () => {
    const part = await claimed(30);
    const input = { workspaceId: ws(), partId: part, sessionId: crypto.randomUUID(), activeMs: 1000 };
    expect(await refusal(withUser(db.owner, u2.claims, (c) => recordActiveTime(c, input)))).toMatchObject({
      code: "FORBIDDEN",
    });
    expect(await refusal(withUser(db.owner, w.users.admin.claims, (c) => recordActiveTime(c, input)))).toMatchObject({
      code: "FORBIDDEN",
    });
    await asAnnotator((c) => recordActiveTime(c, input));
    await expect(
      asAnnotator((c) => c.query("update public.work_time set active_ms = 0 where part_id = $1", [part])),
    ).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await expect(
      asAnnotator((c) =>
        c.query("update public.work_time set user_id = $2, active_ms = active_ms + 1 where part_id = $1", [
          part,
          u2.id,
        ]),
      ),
    ).rejects.toMatchObject({ code: expect.stringMatching(/VALIDATION_FAILED|FORBIDDEN/) });
    // another workspace's part id: not found
    const elsewhere = await createWorkspaceWithRoles(db.owner, "analytics-other");
    const [theirs] = await insertParts(db.owner, {
      workspaceId: elsewhere.workspaceId,
      datasetId: elsewhere.datasetId,
      count: 1,
    });
    expect(
      await refusal(asAnnotator((c) => recordActiveTime(c, { ...input, partId: theirs as string }))),
    ).toMatchObject({ code: "NOT_FOUND" });
    expect(await refusal(asAnnotator((c) => myActiveTime(c, ws(), theirs as string)))).toMatchObject({
      code: "NOT_FOUND",
    });
    // a part just submitted takes time (the workbench's last report); minutes later it does not
    await arrange("update public.parts set status = 'in_review', status_changed_at = now() where id = $1", [part]);
    expect(await asAnnotator((c) => recordActiveTime(c, input))).toBe(2000);
    await arrange("update public.parts set status_changed_at = now() - interval '3 minutes' where id = $1", [part]);
    expect(await refusal(asAnnotator((c) => recordActiveTime(c, input)))).toMatchObject({ code: "FORBIDDEN" });
  });

  it("lets the admin read everyone's time and each person only their own", async () => {
    const part = await claimed(10);
    await asAnnotator((c) =>
      recordActiveTime(c, { workspaceId: ws(), partId: part, sessionId: crypto.randomUUID(), activeMs: 4000 }),
    );
    const count = (u: TestUser) =>
      withUser(db.owner, u.claims, async (c) => {
        const { rows } = await c.query("select 1 from public.work_time where part_id = $1", [part]);
        return rows.length;
      });
    expect(await count(w.users.admin)).toBe(1);
    expect(await count(w.users.annotator)).toBe(1);
    expect(await count(w.users.engineer)).toBe(0);
    expect(await count(u2)).toBe(0);
  });
});
