/**
 * Review and collaboration against a real PostgreSQL: review decisions (who may approve or reject,
 * on which revision), a rejected part going back to its annotator, comments and their threads,
 * @mentions and notifications (and their NOTIFY events), and a part's history.
 */
import { randomUUID } from "node:crypto";
import { type AnnotationDocument, reviewInputSchema } from "@facet/core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { z } from "zod";
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
import { addComment, listComments, listReviewNotes, setCommentResolved } from "./workspaces/comments";
import { partHistory } from "./workspaces/history";
import { listNotifications, markNotificationsRead, unreadNotifications } from "./workspaces/notifications";
import { claimNextPart } from "./workspaces/parts";
import { getReviewBases, listReviewQueue, listReviews, reviewPart } from "./workspaces/review";
import { appendRevision } from "./workspaces/revisions";
import { createShareLink } from "./workspaces/share-links";
import { leavePresence, renewClaim, submitPart, touchPresence } from "./workspaces/workbench";

type Workspace = Awaited<ReturnType<typeof createWorkspaceWithRoles>>;

let db: TestDatabase;
let w: Workspace;
let second: TestUser;
let elsewhere: Workspace;
let outsider: TestUser;

beforeAll(async () => {
  db = await createTestDatabase(inject("pgBaseUrl"));
  w = await createWorkspaceWithRoles(db.owner, "rv");
  second = await createUser(db.owner, "rv-annotator2");
  await addMember(db.owner, w.workspaceId, second.id, "annotator");
  elsewhere = await createWorkspaceWithRoles(db.owner, "rv-else");
  outsider = elsewhere.users.engineer;
});

afterAll(async () => {
  await db.drop();
});

interface Part {
  id: string;
  name: string;
  datasetId: string;
  signature: string;
  faceCount: number;
}

/** A pre-labelled part with geometry of `faceCount` faces, alone in a dataset of its own. */
async function newPart(faceCount = 3): Promise<Part> {
  const datasetId = await insertDataset(db.owner, { workspaceId: w.workspaceId, labelSchemaId: w.labelSchemaId });
  const [id] = await insertParts(db.owner, { workspaceId: w.workspaceId, datasetId, count: 1, status: "pre_labeled" });
  if (!id) throw new Error("part not created");
  const signature = await giveGeometry(db.owner, id, { faceCount });
  const { rows } = await db.owner.query<{ name: string }>("select name from public.parts where id = $1", [id]);
  return { id, name: rows[0]?.name as string, datasetId, signature, faceCount };
}

async function claim(u: TestUser, part: Part): Promise<void> {
  const claimed = await withUser(db.owner, u.claims, (c) =>
    claimNextPart(c, { workspaceId: w.workspaceId, datasetId: part.datasetId }),
  );
  expect(claimed?.id).toBe(part.id);
}

function doc(part: Part, labels: Array<string | null>): AnnotationDocument {
  return { schemaVersion: 1, faceSignature: part.signature, faceCount: part.faceCount, labels, instances: [] };
}

async function save(u: TestUser, part: Part, label = "stock", source: "human" | "import" = "human"): Promise<number> {
  const labels = Array<string>(part.faceCount).fill(label);
  const r = await withUser(db.owner, u.claims, (c) =>
    appendRevision(c, { workspaceId: w.workspaceId, partId: part.id, document: doc(part, labels), source }),
  );
  return r.revisionNo;
}

async function submit(u: TestUser, part: Part, revisionNo: number): Promise<void> {
  await withUser(db.owner, u.claims, (c) => submitPart(c, { workspaceId: w.workspaceId, partId: part.id, revisionNo }));
}

/** A part labelled (two revisions) and submitted by `holder`: returns it and the submitted revision. */
async function inReview(holder: TestUser = w.users.annotator): Promise<{ part: Part; revisionNo: number }> {
  const part = await newPart();
  await claim(holder, part);
  await save(holder, part, "fillet");
  const revisionNo = await save(holder, part, "stock");
  await submit(holder, part, revisionNo);
  return { part, revisionNo };
}

type ReviewIn = z.input<typeof reviewInputSchema>;

function review(u: TestUser, part: Part, input: ReviewIn) {
  return withUser(db.owner, u.claims, (c) =>
    reviewPart(c, {
      workspaceId: w.workspaceId,
      partId: part.id,
      userId: u.id,
      review: reviewInputSchema.parse(input),
    }),
  );
}

const as = (u: TestUser) => ({ role: "authenticated" as const, claims: u.claims });
const handle = (u: TestUser) => u.email.split("@")[0] as string;

interface PartRow {
  status: string;
  annotator_id: string | null;
  reviewer_id: string | null;
  lease_expires_at: Date | null;
  returned_at: Date | null;
  review_notes: string | null;
}

async function partRow(id: string): Promise<PartRow> {
  const { rows } = await db.owner.query<PartRow>(
    `select status, annotator_id, reviewer_id, lease_expires_at, returned_at, review_notes
     from public.parts where id = $1`,
    [id],
  );
  if (!rows[0]) throw new Error(`no part ${id}`);
  return rows[0];
}

async function revisionId(partId: string, revisionNo: number): Promise<string> {
  const { rows } = await db.owner.query<{ id: string }>(
    "select id from public.annotation_revisions where part_id = $1 and revision_no = $2",
    [partId, revisionNo],
  );
  return rows[0]?.id as string;
}

async function reviewRows(partId: string) {
  const { rows } = await db.owner.query(
    `select revision_id, revision_no, reviewer_id, annotator_id, decision, summary
     from public.part_reviews where part_id = $1 order by created_at, id`,
    [partId],
  );
  return rows;
}

async function notificationsOf(where: string, params: unknown[]) {
  const { rows } = await db.owner.query<{
    user_id: string;
    kind: string;
    part_id: string | null;
    comment_id: string | null;
    actor_id: string | null;
    actor_name: string | null;
    summary: string;
  }>(
    `select user_id, kind, part_id, comment_id, actor_id, actor_name, summary from public.notifications
     where ${where} order by id`,
    params,
  );
  return rows;
}

describe("review decisions", () => {
  it("an engineer approves a submitted part: approved, a decision naming the revision, audited", async () => {
    const { part, revisionNo } = await inReview();
    expect(revisionNo).toBe(2);
    const r = await review(w.users.engineer, part, { decision: "approved", revisionNo, summary: "  clean  " });
    expect(r).toEqual({ status: "approved", reviewId: expect.any(String), notes: 0 });
    expect(await partRow(part.id)).toMatchObject({
      status: "approved",
      annotator_id: w.users.annotator.id,
      reviewer_id: w.users.engineer.id,
      returned_at: null,
      review_notes: "clean",
    });
    expect(await reviewRows(part.id)).toEqual([
      {
        revision_id: await revisionId(part.id, 2),
        revision_no: 2,
        reviewer_id: w.users.engineer.id,
        annotator_id: w.users.annotator.id,
        decision: "approved",
        summary: "clean",
      },
    ]);
    const { rows: events } = await db.owner.query<{ actor_id: string; target_id: string; data: unknown }>(
      "select actor_id, target_id, data from public.audit_events where action = 'part.reviewed' and data ->> 'part_id' = $1",
      [part.id],
    );
    expect(events).toEqual([
      {
        actor_id: w.users.engineer.id,
        target_id: r.reviewId,
        data: {
          part_id: part.id,
          decision: "approved",
          revision_no: 2,
          annotator_id: w.users.annotator.id,
          summary: "clean",
        },
      },
    ]);
    // every member may read the decision
    const seen = await withUser(db.owner, w.users.viewer.claims, (c) => listReviews(c, part.id));
    expect(seen).toEqual([
      {
        id: r.reviewId,
        decision: "approved",
        revisionNo: 2,
        reviewerId: w.users.engineer.id,
        reviewerEmail: w.users.engineer.email,
        summary: "clean",
        createdAt: expect.stringMatching(/Z$/),
      },
    ]);
    expect(await withUser(db.owner, outsider.claims, (c) => listReviews(c, part.id))).toEqual([]);
  });

  it("an admin may review too", async () => {
    const { part, revisionNo } = await inReview();
    expect((await review(w.users.admin, part, { decision: "approved", revisionNo })).status).toBe("approved");
    expect((await partRow(part.id)).reviewer_id).toBe(w.users.admin.id);
  });

  it("annotators, ML engineers, viewers and outsiders cannot review", async () => {
    const { part, revisionNo } = await inReview();
    const approve = { decision: "approved" as const, revisionNo };
    // the annotator who labelled it
    expect(await refusal(review(w.users.annotator, part, approve))).toEqual({
      code: "FORBIDDEN",
      message: "nobody reviews their own annotation: another engineer or admin must",
    });
    // anyone else without the role is refused too (they are not allowed to touch the part at all)
    for (const u of [second, w.users.ml_engineer, w.users.viewer, outsider]) {
      const r = await refusal(review(u, part, approve));
      expect(["FORBIDDEN", "NOT_FOUND"], `${u.email}: ${r.code} ${r.message}`).toContain(r.code);
    }
    // and directly: the status trigger and row-level security say no
    const direct = "update public.parts set status = 'approved' where id = $1";
    expect(await attempt(db.owner, as(second), (c) => c.query(direct, [part.id]))).toMatchObject({
      ok: true,
      value: { rowCount: 0 },
    });
    expect(await attempt(db.owner, as(w.users.ml_engineer), (c) => c.query(direct, [part.id]))).toMatchObject({
      ok: false,
      code: "FC004",
    });
    expect(await partRow(part.id)).toMatchObject({ status: "in_review", reviewer_id: null });
    expect(await reviewRows(part.id)).toEqual([]);
  });

  for (const role of ["engineer", "admin"] as const) {
    it(`nobody approves their own work, even as an ${role}`, async () => {
      const me = w.users[role];
      const other = role === "engineer" ? w.users.admin : w.users.engineer;
      const { part, revisionNo } = await inReview(me);
      expect((await partRow(part.id)).annotator_id).toBe(me.id);

      for (const decision of ["approved", "rejected"] as const) {
        expect(await refusal(review(me, part, { decision, revisionNo, summary: "fine by me" }))).toEqual({
          code: "FORBIDDEN",
          message: "nobody reviews their own annotation: another engineer or admin must",
        });
      }
      // a direct update is refused by the status trigger
      for (const to of ["approved", "in_progress"]) {
        const r = await attempt(db.owner, as(me), (c) =>
          c.query("update public.parts set status = $2 where id = $1", [part.id, to]),
        );
        expect(r, to).toMatchObject({ ok: false, code: "FC004", message: "nobody reviews their own annotation" });
      }
      // a decision row of one's own is refused by row-level security, even with the status change made
      // (here by the owner, in the same transaction)
      const revId = await revisionId(part.id, revisionNo);
      const forge = (u: TestUser) =>
        attempt(db.owner, { role: "owner" }, async (c) => {
          await c.query("update public.parts set status = 'approved' where id = $1", [part.id]);
          await c.query("set local role authenticated");
          await c.query("select set_config('request.jwt.claims', $1, true)", [JSON.stringify(u.claims)]);
          return c.query(
            "insert into public.part_reviews (part_id, revision_id, decision, reviewer_id) values ($1, $2, 'approved', $3)",
            [part.id, revId, u.id],
          );
        });
      expect(await forge(me)).toMatchObject({ ok: false, code: "42501" });
      expect(await forge(other)).toMatchObject({ ok: true, value: { rowCount: 1 } }); // the control
      expect(await partRow(part.id)).toMatchObject({ status: "in_review" });
      expect(await reviewRows(part.id)).toEqual([]);
      // someone else may
      expect((await review(other, part, { decision: "approved", revisionNo })).status).toBe("approved");
    });
  }

  it("a decision on a revision that is not the latest is a CONFLICT", async () => {
    const { part } = await inReview();
    const r = await refusal(review(w.users.engineer, part, { decision: "approved", revisionNo: 1 }));
    expect(r.code).toBe("CONFLICT");
    expect(r.message).toMatch(/^the part has revision 2 now, not 1/);
    // a revision saved while the part is in review makes the reviewer's look stale too
    await save(w.users.admin, part, "fillet");
    const stale = await refusal(review(w.users.engineer, part, { decision: "rejected", revisionNo: 2, summary: "x" }));
    expect(stale.code).toBe("CONFLICT");
    expect(stale.message).toMatch(/^the part has revision 3 now, not 2/);
    expect(await partRow(part.id)).toMatchObject({ status: "in_review", reviewer_id: null });
    expect(await reviewRows(part.id)).toEqual([]);
  });

  it("nobody approves labels they saved themselves, even on someone else's part (API and RLS)", async () => {
    const { part } = await inReview();
    // the engineer saves a revision of the part under review, then tries to approve it
    const mine = await save(w.users.engineer, part, "fillet");
    const r = await refusal(review(w.users.engineer, part, { decision: "approved", revisionNo: mine }));
    expect(r.code).toBe("FORBIDDEN");
    expect(r.message).toMatch(/you saved the labels under review/);
    // a direct status change is refused by the trigger, and a decision row by RLS
    const update = await refusal(
      withUser(db.owner, w.users.engineer.claims, (c) =>
        c.query("update public.parts set status = 'approved' where id = $1", [part.id]),
      ),
    );
    expect(update).toEqual({
      code: "FORBIDDEN",
      message: "you saved the labels under review: another engineer or admin must review them",
    });
    const direct = await refusal(
      withUser(db.owner, w.users.engineer.claims, async (c) => {
        await c.query(
          "insert into public.part_reviews (part_id, revision_id, decision, reviewer_id) values ($1, $2, 'approved', auth.uid())",
          [part.id, await revisionId(part.id, mine)],
        );
      }),
    );
    expect(direct.code).toBe("FORBIDDEN");
    expect(await partRow(part.id)).toMatchObject({ status: "in_review" });
    // another engineer or admin may
    const ok = await review(w.users.admin, part, { decision: "approved", revisionNo: mine });
    expect(ok.status).toBe("approved");
  });

  it("a part that is not waiting for review cannot be reviewed (CONFLICT)", async () => {
    const part = await newPart();
    await claim(w.users.annotator, part);
    const n = await save(w.users.annotator, part);
    const r = await refusal(review(w.users.engineer, part, { decision: "approved", revisionNo: n }));
    expect(r).toEqual({
      code: "CONFLICT",
      message: "this part is in progress, not waiting for review: someone may have reviewed it already",
    });
    await submit(w.users.annotator, part, n);
    await review(w.users.engineer, part, { decision: "approved", revisionNo: n });
    const again = await refusal(review(w.users.admin, part, { decision: "rejected", revisionNo: n, summary: "no" }));
    expect(again).toEqual({
      code: "CONFLICT",
      message: "this part is approved, not waiting for review: someone may have reviewed it already",
    });
    expect(await reviewRows(part.id)).toHaveLength(1);
  });

  it("a rejection must say why (reviewInputSchema)", () => {
    const bad = reviewInputSchema.safeParse({ decision: "rejected", revisionNo: 2 });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["notes", "say what to fix: a rejection needs a summary or at least one note"],
    ]);
    expect(reviewInputSchema.safeParse({ decision: "rejected", revisionNo: 2, summary: "   " }).success).toBe(false);
    expect(reviewInputSchema.safeParse({ decision: "rejected", revisionNo: 2, notes: [] }).success).toBe(false);
    expect(reviewInputSchema.parse({ decision: "rejected", revisionNo: 2, summary: " holes " })).toEqual({
      decision: "rejected",
      revisionNo: 2,
      summary: "holes",
      notes: [],
    });
    expect(
      reviewInputSchema.safeParse({ decision: "rejected", revisionNo: 2, notes: [{ body: "hole", faceIndex: 0 }] })
        .success,
    ).toBe(true);
    // a note is pinned to a face or a point
    expect(
      reviewInputSchema.safeParse({ decision: "rejected", revisionNo: 2, notes: [{ body: "hole" }] }).success,
    ).toBe(false);
    expect(reviewInputSchema.parse({ decision: "approved", revisionNo: 1 })).toEqual({
      decision: "approved",
      revisionNo: 1,
      notes: [],
    });
    for (const revisionNo of [0, 1.5, -1]) {
      expect(reviewInputSchema.safeParse({ decision: "approved", revisionNo }).success, String(revisionNo)).toBe(false);
    }
    expect(reviewInputSchema.safeParse({ decision: "maybe", revisionNo: 1 }).success).toBe(false);
  });

  it("a decision row is recorded only with the status change it makes (FC004), and never changes", async () => {
    const { part, revisionNo } = await inReview();
    const revId = await revisionId(part.id, revisionNo);
    const insert = "insert into public.part_reviews (part_id, revision_id, decision) values ($1, $2, $3)";
    for (const decision of ["approved", "rejected"]) {
      const r = await attempt(db.owner, as(w.users.engineer), (c) => c.query(insert, [part.id, revId, decision]));
      expect(r, decision).toMatchObject({
        ok: false,
        code: "FC004",
        message: "a review decision is recorded with the status change it makes",
      });
    }
    // a decision that says something else than the status change made
    const mismatch = await attempt(db.owner, as(w.users.engineer), async (c) => {
      await c.query("update public.parts set status = 'approved' where id = $1", [part.id]);
      return c.query(insert, [part.id, revId, "rejected"]);
    });
    expect(mismatch).toMatchObject({ ok: false, code: "FC004" });
    // a decision about an older revision, or a second decision for one status change
    const older = await attempt(db.owner, as(w.users.engineer), async (c) => {
      await c.query("update public.parts set status = 'approved' where id = $1", [part.id]);
      return c.query(insert, [part.id, await revisionId(part.id, revisionNo - 1), "approved"]);
    });
    expect(older).toMatchObject({
      ok: false,
      code: "FC004",
      message: `a decision is about the latest revision (${revisionNo - 1} is not)`,
    });
    const twice = await attempt(db.owner, as(w.users.engineer), async (c) => {
      await c.query("update public.parts set status = 'approved' where id = $1", [part.id]);
      await c.query(insert, [part.id, revId, "approved"]);
      return c.query(insert, [part.id, revId, "approved"]);
    });
    expect(twice).toMatchObject({ ok: false, code: "FC004", message: "this status change has its decision already" });
    // a review note of this part tied to a decision about another part
    const { part: noted } = await inReview();
    const { part: decided, revisionNo: decidedNo } = await inReview();
    const decision = await review(w.users.engineer, decided, { decision: "approved", revisionNo: decidedNo });
    const stray = await attempt(db.owner, as(w.users.engineer), (c) =>
      c.query(
        `insert into public.comments (part_id, kind, review_id, body, face_index, author_id, author_name)
         values ($1, 'review_note', $2, 'wrong part', 0, auth.uid(), '-')`,
        [noted.id, decision.reviewId],
      ),
    );
    expect(stray).toMatchObject({
      ok: false,
      code: "22023",
      message: "a review note belongs to a review of the same part",
    });
    // a revision of another part
    const { part: other, revisionNo: otherNo } = await inReview();
    const foreign = await attempt(db.owner, as(w.users.engineer), async (c) => {
      await c.query("update public.parts set status = 'approved' where id = $1", [part.id]);
      return c.query(insert, [part.id, await revisionId(other.id, otherNo), "approved"]);
    });
    expect(foreign).toMatchObject({ ok: false, code: "22023" });
    expect(await reviewRows(part.id)).toEqual([]);

    // once made, a decision is append-only, for users and the owner alike
    await review(w.users.engineer, part, { decision: "approved", revisionNo });
    for (const sql of [
      "update public.part_reviews set decision = 'rejected' where part_id = $1",
      "delete from public.part_reviews where part_id = $1",
    ]) {
      const byOwner = await attempt(db.owner, { role: "owner" }, (c) => c.query(sql, [part.id]));
      expect(byOwner, sql).toMatchObject({ ok: false, code: "FC003" });
      const byAdmin = await attempt(db.owner, as(w.users.admin), (c) => c.query(sql, [part.id]));
      expect(byAdmin.ok && byAdmin.value.rowCount, sql).toBe(0);
    }
    expect(await reviewRows(part.id)).toHaveLength(1);
  });
});

describe("a rejection sends the part back to its annotator", () => {
  it("notes become review_note comments pinned to faces and points; the part stays with its annotator", async () => {
    const { part, revisionNo } = await inReview();
    const r = await review(w.users.engineer, part, {
      decision: "rejected",
      revisionNo,
      summary: "fix the holes",
      notes: [
        { body: "this is a hole", faceIndex: 1 },
        { body: "and this corner", point: [1, 2.5, -3] },
        { body: "both", faceIndex: 2, point: [0, 0, 1] },
      ],
    });
    expect(r).toEqual({ status: "in_progress", reviewId: expect.any(String), notes: 3 });
    const row = await partRow(part.id);
    expect(row).toMatchObject({
      status: "in_progress",
      annotator_id: w.users.annotator.id,
      reviewer_id: w.users.engineer.id,
      lease_expires_at: null,
      review_notes: "fix the holes",
    });
    expect(row.returned_at).toBeInstanceOf(Date);
    expect(await reviewRows(part.id)).toEqual([
      {
        revision_id: await revisionId(part.id, 2),
        revision_no: 2,
        reviewer_id: w.users.engineer.id,
        annotator_id: w.users.annotator.id,
        decision: "rejected",
        summary: "fix the holes",
      },
    ]);

    // (in whatever order: see "a review's notes come back in the order the reviewer wrote them")
    const byFace = (a: { body: string }, b: { body: string }) => a.body.localeCompare(b.body);
    const notes = (await withUser(db.owner, w.users.annotator.claims, (c) => listReviewNotes(c, r.reviewId))).sort(
      byFace,
    );
    const common = {
      partId: part.id,
      parentId: null,
      kind: "review_note",
      reviewId: r.reviewId,
      revisionNo: 2,
      authorId: w.users.engineer.id,
      authorName: w.users.engineer.email,
      guest: false,
      mentions: [],
      resolvedAt: null,
      resolvedBy: null,
    };
    expect(notes).toEqual([
      {
        ...common,
        id: expect.any(String),
        body: "and this corner",
        faceIndex: null,
        point: [1, 2.5, -3],
        faceSignature: null,
        createdAt: expect.any(String),
      },
      {
        ...common,
        id: expect.any(String),
        body: "both",
        faceIndex: 2,
        point: [0, 0, 1],
        faceSignature: part.signature,
        createdAt: expect.any(String),
      },
      {
        ...common,
        id: expect.any(String),
        body: "this is a hole",
        faceIndex: 1,
        point: null,
        faceSignature: part.signature,
        createdAt: expect.any(String),
      },
    ]);
    // they are the part's comments too
    const threads = await withUser(db.owner, w.users.viewer.claims, (c) => listComments(c, part.id));
    expect(
      threads.map((t) => [t.kind, t.body, t.replies]).sort((a, b) => String(a[1]).localeCompare(String(b[1]))),
    ).toEqual([
      ["review_note", "and this corner", []],
      ["review_note", "both", []],
      ["review_note", "this is a hole", []],
    ]);
    // the annotator sees it in their claims, no one else can claim it
    expect(await withUser(db.owner, second.claims, (c) => claimNextPart(c, { ...w, datasetId: part.datasetId }))).toBe(
      null,
    );
  });

  it("a review's notes come back in the order the reviewer wrote them", async () => {
    const { part, revisionNo } = await inReview();
    const bodies = ["first", "second", "third", "fourth", "fifth", "sixth"];
    const { reviewId } = await review(w.users.engineer, part, {
      decision: "rejected",
      revisionNo,
      notes: bodies.map((body, i) => ({ body, faceIndex: i % part.faceCount })),
    });
    const notes = await withUser(db.owner, w.users.annotator.claims, (c) => listReviewNotes(c, reviewId));
    expect(notes.map((n) => n.body)).toEqual(bodies);
    const threads = await withUser(db.owner, w.users.annotator.claims, (c) => listComments(c, part.id));
    expect(threads.map((n) => n.body)).toEqual(bodies);
  });

  it("a note pinned to a face the part does not have makes the whole review fail", async () => {
    const { part, revisionNo } = await inReview();
    const r = await refusal(
      review(w.users.engineer, part, {
        decision: "rejected",
        revisionNo,
        notes: [
          { body: "fine", faceIndex: 0 },
          { body: "no such face", faceIndex: 3 },
        ],
      }),
    );
    expect(r).toEqual({ code: "VALIDATION_FAILED", message: "face 3 does not exist on this part (it has 3 faces)" });
    expect(await partRow(part.id)).toMatchObject({ status: "in_review", returned_at: null });
    expect(await reviewRows(part.id)).toEqual([]);
  });

  it("the annotator renews the lease of a returned part although it had none; nobody else can", async () => {
    const { part, revisionNo } = await inReview();
    await review(w.users.engineer, part, { decision: "rejected", revisionNo, summary: "again" });
    expect((await partRow(part.id)).lease_expires_at).toBe(null);
    for (const u of [second, w.users.engineer, w.users.admin]) {
      const r = await refusal(withUser(db.owner, u.claims, (c) => renewClaim(c, part.id, 600)));
      expect(r, u.email).toEqual({ code: "CONFLICT", message: "you do not hold this part any more" });
    }
    const until = await withUser(db.owner, w.users.annotator.claims, (c) => renewClaim(c, part.id, 600));
    expect(Date.parse(until)).toBeGreaterThan(Date.now() + 500_000);
    expect((await partRow(part.id)).lease_expires_at?.toISOString()).toBe(until);
    // a part in progress that was never returned and has no lease is not renewable (as before)
    const plain = await newPart();
    await claim(w.users.annotator, plain);
    await db.owner.query("update public.parts set lease_expires_at = null where id = $1", [plain.id]);
    expect(
      await refusal(withUser(db.owner, w.users.annotator.claims, (c) => renewClaim(c, plain.id, 600))),
    ).toMatchObject({ code: "CONFLICT" });
  });

  it("the expiry sweep leaves a returned part with its annotator, and still releases ordinary claims", async () => {
    const { part: returned, revisionNo } = await inReview();
    await review(w.users.engineer, returned, { decision: "rejected", revisionNo, summary: "again" });
    await withUser(db.owner, w.users.annotator.claims, (c) => renewClaim(c, returned.id, 60));
    const ordinary = await newPart();
    await claim(second, ordinary);
    await db.owner.query("update public.parts set lease_expires_at = now() - interval '1 second' where id = any ($1)", [
      [returned.id, ordinary.id],
    ]);
    const returnedAt = (await partRow(returned.id)).returned_at;

    // while expired, the returned part is not claimable by anyone else
    expect(
      await withUser(db.owner, second.claims, (c) => claimNextPart(c, { ...w, datasetId: returned.datasetId })),
    ).toBe(null);

    const n = await withService(db.owner, async (c) => {
      const { rows } = await c.query<{ n: number }>("select public.release_expired_claims() as n");
      return rows[0]?.n as number;
    });
    expect(n).toBeGreaterThanOrEqual(1);
    expect(await partRow(returned.id)).toMatchObject({
      status: "in_progress",
      annotator_id: w.users.annotator.id,
      lease_expires_at: null,
      returned_at: returnedAt,
    });
    expect(await partRow(ordinary.id)).toMatchObject({
      status: "pre_labeled",
      annotator_id: null,
      lease_expires_at: null,
    });
    // still not claimable by anyone else; still the annotator's to renew
    expect(
      await withUser(db.owner, second.claims, (c) => claimNextPart(c, { ...w, datasetId: returned.datasetId })),
    ).toBe(null);
    await withUser(db.owner, w.users.annotator.claims, (c) => renewClaim(c, returned.id, 60));
    expect((await partRow(returned.id)).lease_expires_at).toBeInstanceOf(Date);
  });

  it("users cannot set or clear returned_at themselves", async () => {
    const { part, revisionNo } = await inReview();
    await review(w.users.engineer, part, { decision: "rejected", revisionNo, summary: "again" });
    for (const u of [w.users.admin, w.users.engineer, w.users.annotator]) {
      const r = await attempt(db.owner, as(u), (c) =>
        c.query("update public.parts set returned_at = null where id = $1", [part.id]),
      );
      expect(r, u.email).toMatchObject({ ok: false });
      expect(["FC004", "FC005"]).toContain(r.ok ? "" : r.code);
    }
    expect((await partRow(part.id)).returned_at).toBeInstanceOf(Date);
  });

  it("resubmitting clears returned_at; the review bases are the pre-label and the rejected submission", async () => {
    const part = await newPart();
    // the worker's model pre-label (only the worker writes those), then an engineer's import of labels
    await db.owner.query(
      `insert into public.annotation_revisions (part_id, revision_no, face_signature, document, model_assisted, source)
       values ($1, 1, $2, $3, true, 'model')`,
      [part.id, part.signature, JSON.stringify(doc(part, Array<string>(part.faceCount).fill("stock")))],
    );
    expect(await save(w.users.engineer, part, "fillet", "import")).toBe(2);
    await claim(w.users.annotator, part);
    const first = await save(w.users.annotator, part, "through_hole");
    await submit(w.users.annotator, part, first);
    const rejection = await review(w.users.engineer, part, {
      decision: "rejected",
      revisionNo: first,
      notes: [{ body: "not a hole", faceIndex: 0 }],
    });
    expect((await partRow(part.id)).returned_at).toBeInstanceOf(Date);
    const fixed = await save(w.users.annotator, part, "stock");
    await submit(w.users.annotator, part, fixed);
    expect(await partRow(part.id)).toMatchObject({ status: "in_review", returned_at: null, lease_expires_at: null });

    const bases = await withUser(db.owner, w.users.admin.claims, (c) => getReviewBases(c, part.id));
    expect(bases.prelabel).toMatchObject({ revisionNo: 2, source: "import", authorEmail: w.users.engineer.email });
    expect(bases.prelabel?.document.labels).toEqual(["fillet", "fillet", "fillet"]);
    expect(bases.previousSubmission).toMatchObject({ revisionNo: first, source: "human" });
    expect(bases.previousSubmission?.document.labels).toEqual(["through_hole", "through_hole", "through_hole"]);
    expect(bases.reviews.map((r) => [r.id, r.decision, r.revisionNo])).toEqual([
      [rejection.reviewId, "rejected", first],
    ]);

    // the queue knows it came back once
    const queue = await withUser(db.owner, w.users.engineer.claims, (c) =>
      listReviewQueue(c, { workspaceId: w.workspaceId, datasetId: part.datasetId }),
    );
    expect(queue.items.map((q) => [q.id, q.rejections, q.annotatorId])).toEqual([[part.id, 1, w.users.annotator.id]]);
    expect(queue.waiting).toBe(1);

    // a part that was never rejected, with no model or import revision, has no bases
    const { part: fresh } = await inReview();
    const none = await withUser(db.owner, w.users.admin.claims, (c) => getReviewBases(c, fresh.id));
    expect(none).toEqual({ prelabel: null, previousSubmission: null, reviews: [] });

    // approving the resubmission keeps returned_at clear
    await review(w.users.engineer, part, { decision: "approved", revisionNo: fixed });
    expect(await partRow(part.id)).toMatchObject({ status: "approved", returned_at: null });
  });
});

describe("the review queue", () => {
  it("lists parts in review oldest submission first, filtered by annotator or dataset, with who has each open", async () => {
    const a = await inReview(w.users.annotator);
    const b = await inReview(second);
    const c = await inReview(w.users.annotator);
    // submission times set apart, b the oldest (the queue orders by when a part entered review)
    for (const [part, minutes] of [
      [b.part, 30],
      [a.part, 20],
      [c.part, 10],
    ] as const) {
      await db.owner.query(
        "update public.parts set status_changed_at = now() - make_interval(mins => $2) where id = $1",
        [part.id, minutes],
      );
    }
    const mine = new Set([a.part.id, b.part.id, c.part.id]);
    const queue = (filters: { annotatorId?: string; datasetId?: string } = {}) =>
      withUser(db.owner, w.users.engineer.claims, (cl) =>
        listReviewQueue(cl, { workspaceId: w.workspaceId, ...filters }),
      ).then((page) => page.items.filter((i) => mine.has(i.id)));
    expect((await queue()).map((i) => i.id)).toEqual([b.part.id, a.part.id, c.part.id]);
    expect((await queue({ annotatorId: w.users.annotator.id })).map((i) => i.id)).toEqual([a.part.id, c.part.id]);
    expect((await queue({ annotatorId: second.id })).map((i) => i.id)).toEqual([b.part.id]);
    expect((await queue({ datasetId: c.part.datasetId })).map((i) => i.id)).toEqual([c.part.id]);

    // a reviewer who has a part open is shown on it (presence), for as long as they have it open
    await withUser(db.owner, w.users.admin.claims, (cl) =>
      touchPresence(cl, { partId: a.part.id, connectionId: "review-tab" }),
    );
    const seen = (await queue()).find((i) => i.id === a.part.id);
    expect(seen?.viewers).toEqual([{ userId: w.users.admin.id, email: w.users.admin.email }]);
    expect((await queue()).find((i) => i.id === b.part.id)?.viewers).toEqual([]);
    await withUser(db.owner, w.users.admin.claims, (cl) =>
      leavePresence(cl, { partId: a.part.id, connectionId: "review-tab" }),
    );
    expect((await queue()).find((i) => i.id === a.part.id)?.viewers).toEqual([]);

    // what an annotator or an outsider sees of it: nothing of another workspace
    const foreign = await withUser(db.owner, outsider.claims, (cl) =>
      listReviewQueue(cl, { workspaceId: w.workspaceId }),
    );
    expect(foreign).toEqual({ items: [], waiting: 0 });
  });
});

describe("comments", () => {
  let part: Part;
  let other: Part;

  beforeAll(async () => {
    part = await newPart(3);
    await claim(w.users.annotator, part);
    await save(w.users.annotator, part);
    other = await newPart(2);
  });

  const comment = (u: TestUser, p: Part, body: string, extra: Record<string, unknown> = {}) =>
    withUser(db.owner, u.claims, (c) =>
      addComment(c, { workspaceId: w.workspaceId, partId: p.id, comment: { body, ...extra } }),
    );

  it("threads and replies, pinned to faces and points", async () => {
    const p = await newPart(3);
    await claim(w.users.annotator, p);
    await save(w.users.annotator, p);
    const a = await comment(w.users.annotator, p, "  is this a fillet?  ", { faceIndex: 2, point: [0.5, 1, 2] });
    expect(a).toEqual({
      id: expect.any(String),
      partId: p.id,
      parentId: null,
      kind: "comment",
      reviewId: null,
      body: "is this a fillet?",
      faceIndex: 2,
      point: [0.5, 1, 2],
      faceSignature: p.signature,
      revisionNo: 1,
      authorId: w.users.annotator.id,
      authorName: w.users.annotator.email,
      guest: false,
      mentions: [],
      resolvedAt: null,
      resolvedBy: null,
      createdAt: expect.stringMatching(/Z$/),
    });
    const reply = await comment(w.users.engineer, p, "yes", { parentId: a.id });
    expect(reply).toMatchObject({ parentId: a.id, faceIndex: null, point: null, faceSignature: null });
    const b = await comment(w.users.ml_engineer, p, "unpinned remark");
    const reply2 = await comment(w.users.admin, p, "agreed", { parentId: a.id });
    const threads = await withUser(db.owner, w.users.viewer.claims, (c) => listComments(c, p.id));
    expect(threads.map((t) => [t.id, t.replies.map((r) => r.id)])).toEqual([
      [a.id, [reply.id, reply2.id]],
      [b.id, []],
    ]);
    expect(threads[0]?.replies[1]).toMatchObject({ authorId: w.users.admin.id, body: "agreed", parentId: a.id });
    // outsiders see nothing
    expect(await withUser(db.owner, outsider.claims, (c) => listComments(c, p.id))).toEqual([]);
  });

  it("a reply answers the comment that starts a thread, on the same part", async () => {
    const a = await comment(w.users.annotator, part, "thread");
    const reply = await comment(w.users.engineer, part, "reply", { parentId: a.id });
    expect(await refusal(comment(w.users.admin, part, "reply to reply", { parentId: reply.id }))).toEqual({
      code: "VALIDATION_FAILED",
      message: "reply to the comment that starts the thread",
    });
    // on another part: addComment says there is no such comment there; the database refuses too
    expect(await refusal(comment(w.users.admin, other, "elsewhere", { parentId: a.id }))).toMatchObject({
      code: "NOT_FOUND",
    });
    const direct = await attempt(db.owner, as(w.users.admin), (c) =>
      c.query(
        "insert into public.comments (part_id, parent_id, body, author_id, author_name) values ($1, $2, 'x', auth.uid(), '-')",
        [other.id, a.id],
      ),
    );
    expect(direct).toMatchObject({
      ok: false,
      code: "22023",
      message: "a reply belongs to the same part as its comment",
    });
    // a pinned reply is refused by the table
    const pinned = await attempt(db.owner, as(w.users.admin), (c) =>
      c.query(
        "insert into public.comments (part_id, parent_id, body, face_index, author_id, author_name) values ($1, $2, 'x', 0, auth.uid(), '-')",
        [part.id, a.id],
      ),
    );
    expect(pinned).toMatchObject({ ok: false, code: "23514" });
    const threads = await withUser(db.owner, w.users.viewer.claims, (c) => listComments(c, part.id));
    expect(threads.find((t) => t.id === a.id)?.replies.map((r) => r.id)).toEqual([reply.id]);
  });

  it("a face index beyond the part's faces is refused; so is a face pin on a part without geometry", async () => {
    expect(await refusal(comment(w.users.annotator, part, "x", { faceIndex: 3 }))).toEqual({
      code: "VALIDATION_FAILED",
      message: "face 3 does not exist on this part (it has 3 faces)",
    });
    expect((await comment(w.users.annotator, part, "last face", { faceIndex: 2 })).faceIndex).toBe(2);
    const [bare] = await insertParts(db.owner, { ...w, count: 1, status: "uploaded" });
    const r = await refusal(
      withUser(db.owner, w.users.engineer.claims, (c) =>
        addComment(c, { workspaceId: w.workspaceId, partId: bare as string, comment: { body: "x", faceIndex: 0 } }),
      ),
    );
    expect(r).toEqual({ code: "VALIDATION_FAILED", message: "face 0 does not exist on this part (it has 0 faces)" });
    const negative = await attempt(db.owner, as(w.users.admin), (c) =>
      c.query(
        "insert into public.comments (part_id, body, face_index, author_id, author_name) values ($1, 'x', -1, auth.uid(), '-')",
        [part.id],
      ),
    );
    expect(negative).toMatchObject({ ok: false });
  });

  it("a comment cannot be edited (FC005 → CONFLICT) nor deleted by users", async () => {
    const a = await comment(w.users.annotator, part, "original");
    for (const set of [
      "body = 'edited'",
      "face_index = 1",
      "author_id = null",
      `author_name = 'someone else'`,
      `mentions = '{${w.users.admin.id}}'`,
    ]) {
      const r = await attempt(db.owner, as(w.users.annotator), (c) =>
        c.query(`update public.comments set ${set} where id = $1`, [a.id]),
      );
      expect(r, set).toMatchObject({
        ok: false,
        code: "FC005",
        message: "a comment cannot be edited; reply to it instead",
      });
    }
    expect(
      await refusal(
        withUser(db.owner, w.users.admin.claims, (c) =>
          c.query("update public.comments set body = 'edited' where id = $1", [a.id]),
        ),
      ),
    ).toEqual({ code: "CONFLICT", message: "a comment cannot be edited; reply to it instead" });
    const del = await attempt(db.owner, as(w.users.admin), (c) =>
      c.query("delete from public.comments where id = $1", [a.id]),
    );
    expect(del.ok && del.value.rowCount).toBe(0);
    const { rows } = await db.owner.query("select body from public.comments where id = $1", [a.id]);
    expect(rows).toEqual([{ body: "original" }]);
  });

  it("resolve and reopen a thread: resolved_by is who resolved it, cleared on reopening", async () => {
    const a = await comment(w.users.engineer, part, "check face 0", { faceIndex: 0 });
    const reply = await comment(w.users.annotator, part, "done", { parentId: a.id });
    const resolve = (u: TestUser, commentId: string, resolved: boolean) =>
      withUser(db.owner, u.claims, (c) => setCommentResolved(c, { partId: part.id, commentId, resolved }));

    const resolved = await resolve(w.users.annotator, a.id, true);
    expect(resolved.resolvedBy).toBe(w.users.annotator.id);
    expect(Date.parse(resolved.resolvedAt as string)).toBeLessThanOrEqual(Date.now());
    // resolving again keeps who resolved it first, and when
    const again = await resolve(w.users.engineer, a.id, true);
    expect([again.resolvedBy, again.resolvedAt]).toEqual([w.users.annotator.id, resolved.resolvedAt]);
    // a forged resolver or time is not taken
    await withUser(db.owner, w.users.engineer.claims, (c) =>
      c.query("update public.comments set resolved_by = $2, resolved_at = '2000-01-01' where id = $1", [
        a.id,
        w.users.admin.id,
      ]),
    );
    const { rows: kept } = await db.owner.query<{ resolved_by: string; resolved_at: Date }>(
      "select resolved_by, resolved_at from public.comments where id = $1",
      [a.id],
    );
    expect([kept[0]?.resolved_by, kept[0]?.resolved_at.toISOString()]).toEqual([
      w.users.annotator.id,
      resolved.resolvedAt,
    ]);

    const reopened = await resolve(w.users.engineer, a.id, false);
    expect([reopened.resolvedAt, reopened.resolvedBy]).toEqual([null, null]);
    expect((await resolve(w.users.ml_engineer, a.id, true)).resolvedBy).toBe(w.users.ml_engineer.id);

    // replies are not resolved on their own
    expect(await refusal(resolve(w.users.engineer, reply.id, true))).toEqual({
      code: "VALIDATION_FAILED",
      message: "resolve the thread, not a reply",
    });
    // viewers may not; outsiders do not even see it
    expect(await refusal(resolve(w.users.viewer, a.id, false))).toEqual({
      code: "FORBIDDEN",
      message: "your role does not allow resolving comments",
    });
    expect(await refusal(resolve(outsider, a.id, false))).toMatchObject({ code: "NOT_FOUND" });
    const { rows: audit } = await db.owner.query<{ action: string; actor_id: string }>(
      "select action, actor_id from public.audit_events where target_table = 'comments' and target_id = $1 order by id",
      [a.id],
    );
    expect(audit).toEqual([
      { action: "comment.created", actor_id: w.users.engineer.id },
      { action: "comment.resolved", actor_id: w.users.annotator.id },
      { action: "comment.reopened", actor_id: w.users.engineer.id },
      { action: "comment.resolved", actor_id: w.users.ml_engineer.id },
    ]);
  });

  it("viewers read comments but cannot write them; annotators cannot write review notes", async () => {
    const a = await comment(w.users.engineer, part, "for everyone");
    expect(await refusal(comment(w.users.viewer, part, "me too"))).toMatchObject({ code: "FORBIDDEN" });
    const direct = await attempt(db.owner, as(w.users.viewer), (c) =>
      c.query("insert into public.comments (part_id, body, author_id, author_name) values ($1, 'x', auth.uid(), '-')", [
        part.id,
      ]),
    );
    expect(direct).toMatchObject({ ok: false, code: "42501" });
    const seen = await withUser(db.owner, w.users.viewer.claims, (c) => listComments(c, part.id));
    expect(seen.map((t) => t.id)).toContain(a.id);
    // outsiders cannot comment on the part (it is not theirs to see)
    expect(await refusal(comment(outsider, part, "hi"))).toMatchObject({ code: "NOT_FOUND" });
    const forged = await attempt(db.owner, as(outsider), (c) =>
      c.query("insert into public.comments (part_id, body, author_id, author_name) values ($1, 'x', auth.uid(), '-')", [
        part.id,
      ]),
    );
    expect(forged).toMatchObject({ ok: false, code: "42501" });

    // a review note needs a review; even with one, an annotator may not write it
    const { part: reviewed, revisionNo } = await inReview();
    const { reviewId } = await review(w.users.engineer, reviewed, { decision: "rejected", revisionNo, summary: "s" });
    const note =
      "insert into public.comments (part_id, kind, review_id, body, author_id, author_name) values ($1, 'review_note', $2, 'x', auth.uid(), '-')";
    expect(await attempt(db.owner, as(w.users.annotator), (c) => c.query(note, [reviewed.id, reviewId]))).toMatchObject(
      { ok: false, code: "42501" },
    );
    expect(
      await attempt(db.owner, as(w.users.ml_engineer), (c) => c.query(note, [reviewed.id, reviewId])),
    ).toMatchObject({ ok: false, code: "42501" });
    expect(await attempt(db.owner, as(w.users.admin), (c) => c.query(note, [reviewed.id, reviewId]))).toMatchObject({
      ok: true,
    });
    // nor pose as someone else: the author is who is signed in, whatever was written
    const impostor = await attempt(db.owner, as(w.users.annotator), async (c) => {
      const { rows } = await c.query<{ author_id: string; author_name: string }>(
        "insert into public.comments (part_id, body, author_id, author_name) values ($1, 'x', $2, 'Admin') returning author_id, author_name",
        [part.id, w.users.admin.id],
      );
      return rows[0];
    });
    expect(impostor).toEqual({
      ok: true,
      value: { author_id: w.users.annotator.id, author_name: w.users.annotator.email },
    });
  });

  it("text with HTML is stored verbatim (rendering is the UI's job)", async () => {
    const body = `<img src=x onerror="alert(1)"> <b>bold</b> & <script>alert('x')</script>\n'; drop table x; --`;
    const a = await comment(w.users.annotator, part, body);
    expect(a.body).toBe(body);
    const { rows } = await db.owner.query<{ body: string }>("select body from public.comments where id = $1", [a.id]);
    expect(rows[0]?.body).toBe(body);
  });
});

describe("mentions and notifications", () => {
  let part: Part;

  beforeAll(async () => {
    part = await newPart(2);
  });

  const comment = (u: TestUser, body: string, parentId?: string) =>
    withUser(db.owner, u.claims, (c) =>
      addComment(c, { workspaceId: w.workspaceId, partId: part.id, comment: { body, parentId } }),
    );

  it("@handle and @email of members notify them, never the author", async () => {
    const a = await comment(
      w.users.annotator,
      `@${handle(w.users.engineer).toUpperCase()} please look, cc @${w.users.admin.email}. (and @${handle(w.users.annotator)}, @${handle(w.users.viewer)}.)`,
    );
    // the author's own handle is recognised as a mention, but nobody notifies themselves
    expect(a.mentions).toEqual([w.users.engineer.id, w.users.admin.id, w.users.viewer.id, w.users.annotator.id].sort());
    const got = await notificationsOf("comment_id = $1", [a.id]);
    expect(got.map((n) => n.user_id).sort()).toEqual([w.users.engineer.id, w.users.admin.id, w.users.viewer.id].sort());
    for (const n of got) {
      expect(n).toMatchObject({
        kind: "mention",
        part_id: part.id,
        actor_id: w.users.annotator.id,
        actor_name: w.users.annotator.email,
      });
      expect(n.summary.startsWith(`${w.users.annotator.email} mentioned you on ${part.name}: @`)).toBe(true);
    }
    // the engineer finds it in their list
    const list = await withUser(db.owner, w.users.engineer.claims, (c) => listNotifications(c, w.workspaceId));
    expect(list.items.find((n) => n.commentId === a.id)).toMatchObject({
      kind: "mention",
      partId: part.id,
      partName: part.name,
      actorName: w.users.annotator.email,
      readAt: null,
    });
  });

  it("mentions of non-members, unknown handles or plain addresses notify nobody", async () => {
    const before = await notificationsOf("user_id = $1", [outsider.id]);
    const a = await comment(
      w.users.engineer,
      `@${handle(outsider)} @${outsider.email} @nobody-${randomUUID().slice(0, 6)} write to ${w.users.admin.email}`,
    );
    expect(a.mentions).toEqual([]);
    expect(await notificationsOf("comment_id = $1", [a.id])).toEqual([]);
    expect(await notificationsOf("user_id = $1", [outsider.id])).toEqual(before);
  });

  it("nobody outside the workspace can resolve its members' addresses", async () => {
    // private.mentioned_members is what comments_defaults uses; called directly it would confirm who
    // is a member of a workspace and give their user id
    const r = await attempt(db.owner, as(outsider), (c) =>
      c.query<{ ids: string[] }>("select private.mentioned_members($1, $2) as ids", [
        w.workspaceId,
        `@${w.users.admin.email} @${handle(w.users.engineer)}`,
      ]),
    );
    expect(r.ok ? { ok: true, ids: r.value.rows[0]?.ids } : { ok: false, code: r.code }).toSatisfy(
      (v: { ok: boolean; code?: string; ids?: string[] }) => (v.ok ? v.ids?.length === 0 : v.code === "42501"),
    );
  });

  it("a reply notifies the thread's author (once, even when also mentioned; not when it is their own)", async () => {
    const a = await comment(w.users.engineer, "what is face 1?");
    const r1 = await comment(w.users.annotator, "a fillet", a.id);
    expect(await notificationsOf("comment_id = $1", [r1.id])).toEqual([
      {
        user_id: w.users.engineer.id,
        kind: "reply",
        part_id: part.id,
        comment_id: r1.id,
        actor_id: w.users.annotator.id,
        actor_name: w.users.annotator.email,
        summary: `${w.users.annotator.email} replied on ${part.name}: a fillet`,
      },
    ]);
    const r2 = await comment(w.users.annotator, `@${handle(w.users.engineer)} see above`, a.id);
    expect((await notificationsOf("comment_id = $1", [r2.id])).map((n) => [n.user_id, n.kind])).toEqual([
      [w.users.engineer.id, "mention"],
    ]);
    const r3 = await comment(w.users.engineer, "thanks", a.id);
    expect(await notificationsOf("comment_id = $1", [r3.id])).toEqual([]);
  });

  it("review decisions notify the annotator", async () => {
    const { part: p, revisionNo } = await inReview();
    await review(w.users.engineer, p, { decision: "rejected", revisionNo, summary: "faces 0 and 2" });
    const n2 = await save(w.users.annotator, p, "fillet");
    await submit(w.users.annotator, p, n2);
    await review(w.users.admin, p, { decision: "approved", revisionNo: n2 });
    expect(await notificationsOf("part_id = $1", [p.id])).toEqual([
      {
        user_id: w.users.annotator.id,
        kind: "review_rejected",
        part_id: p.id,
        comment_id: null,
        actor_id: w.users.engineer.id,
        actor_name: w.users.engineer.email,
        summary: `${p.name} came back with review notes: faces 0 and 2`,
      },
      {
        user_id: w.users.annotator.id,
        kind: "review_approved",
        part_id: p.id,
        comment_id: null,
        actor_id: w.users.admin.id,
        actor_name: w.users.admin.email,
        summary: `${p.name} was approved`,
      },
    ]);
    const mine = await withUser(db.owner, w.users.annotator.claims, (c) => listNotifications(c, w.workspaceId));
    expect(mine.items.filter((n) => n.partId === p.id).map((n) => n.kind)).toEqual([
      "review_approved",
      "review_rejected",
    ]);
  });

  it("users see and mark read only their own notifications", async () => {
    await comment(w.users.annotator, `@${handle(w.users.engineer)} and @${handle(w.users.admin)}`);
    const { rows: all } = await db.owner.query<{ id: string; user_id: string }>(
      "select id, user_id from public.notifications where workspace_id = $1",
      [w.workspaceId],
    );
    const ofUser = (u: TestUser) => all.filter((n) => n.user_id === u.id).map((n) => Number(n.id));
    expect(ofUser(w.users.engineer).length).toBeGreaterThan(0);
    expect(ofUser(w.users.admin).length).toBeGreaterThan(0);

    for (const u of [w.users.engineer, w.users.admin, w.users.viewer]) {
      const seen = await attempt(db.owner, as(u), (c) =>
        c.query<{ id: string; user_id: string }>("select id, user_id from public.notifications"),
      );
      expect(seen.ok && seen.value.rows.map((r) => Number(r.id)).sort(), u.email).toEqual(ofUser(u).sort());
    }
    const outsiderSees = await attempt(db.owner, as(outsider), (c) =>
      c.query("select 1 from public.notifications where workspace_id = $1", [w.workspaceId]),
    );
    expect(outsiderSees.ok && outsiderSees.value.rowCount).toBe(0);

    // marking someone else's notifications read does nothing
    const adminUnread = async () =>
      (
        await db.owner.query<{ n: number }>(
          "select count(*)::int as n from public.notifications where user_id = $1 and read_at is null",
          [w.users.admin.id],
        )
      ).rows[0]?.n;
    const adminBefore = await adminUnread();
    expect(adminBefore).toBeGreaterThan(0);
    const sneaky = await withUser(db.owner, w.users.engineer.claims, (c) =>
      markNotificationsRead(c, { workspaceId: w.workspaceId, ids: ofUser(w.users.admin) }),
    );
    expect(sneaky).toBe(0);
    const blanket = await attempt(db.owner, as(w.users.engineer), (c) =>
      c.query("update public.notifications set read_at = now() where user_id = $1", [w.users.admin.id]),
    );
    expect(blanket.ok && blanket.value.rowCount).toBe(0);
    expect(await adminUnread()).toBe(adminBefore);

    // marking one's own
    const engineerIds = ofUser(w.users.engineer);
    const unread = await withUser(db.owner, w.users.engineer.claims, (c) => unreadNotifications(c, w.workspaceId));
    expect(unread).toBe(engineerIds.length);
    const one = await withUser(db.owner, w.users.engineer.claims, (c) =>
      markNotificationsRead(c, { workspaceId: w.workspaceId, ids: [engineerIds[0] as number] }),
    );
    expect(one).toBe(1);
    const rest = await withUser(db.owner, w.users.engineer.claims, (c) =>
      markNotificationsRead(c, { workspaceId: w.workspaceId }),
    );
    expect(rest).toBe(engineerIds.length - 1);
    const after = await withUser(db.owner, w.users.engineer.claims, (c) => listNotifications(c, w.workspaceId));
    expect(after.unread).toBe(0);
    expect(after.items.every((n) => n.readAt !== null)).toBe(true);
    expect(await adminUnread()).toBe(adminBefore);

    // a notification changes only by being read; users never write one
    const edit = await attempt(db.owner, as(w.users.engineer), (c) =>
      c.query("update public.notifications set summary = 'forged' where id = $1", [engineerIds[0]]),
    );
    expect(edit).toMatchObject({ ok: false, code: "FC005" });
    const insert = await attempt(db.owner, as(w.users.engineer), (c) =>
      c.query(
        "insert into public.notifications (workspace_id, user_id, kind, summary) values ($1, $2, 'mention', 'forged')",
        [w.workspaceId, w.users.admin.id],
      ),
    );
    expect(insert).toMatchObject({ ok: false, code: "42501" });
  });

  describe("events (LISTEN facet_events)", () => {
    let events: Awaited<ReturnType<typeof listenFacetEvents>>;
    const eventsOf = (partId: string, action: () => Promise<unknown>) => events.eventsOf(partId, action);

    beforeAll(async () => {
      events = await listenFacetEvents(db);
    });

    afterAll(async () => {
      await events.close();
    });

    it("a comment and the notifications it causes are announced on commit, a rolled-back one is not", async () => {
      const base = { workspace_id: w.workspaceId, part_id: part.id };
      let created = "";
      const events = await eventsOf(part.id, async () => {
        created = (await comment(w.users.annotator, `@${handle(w.users.engineer)} look`)).id;
      });
      const { rows } = await db.owner.query<{ id: string }>(
        "select id from public.notifications where comment_id = $1",
        [created],
      );
      expect(events).toEqual([
        {
          ...base,
          kind: "notification",
          user_id: w.users.engineer.id,
          notification_id: Number(rows[0]?.id),
        },
        { ...base, kind: "comment", comment_id: created, op: "created" },
      ]);

      const resolved = await eventsOf(part.id, () =>
        withUser(db.owner, w.users.engineer.claims, (c) =>
          setCommentResolved(c, { partId: part.id, commentId: created, resolved: true }),
        ),
      );
      expect(resolved).toEqual([{ ...base, kind: "comment", comment_id: created, op: "resolved" }]);

      const quiet = await eventsOf(part.id, () =>
        attempt(db.owner, as(w.users.annotator), (c) =>
          addComment(c, {
            workspaceId: w.workspaceId,
            partId: part.id,
            comment: { body: `@${handle(w.users.engineer)} never mind` },
          }),
        ),
      );
      expect(quiet).toEqual([]);
    });
  });
});

describe("history", () => {
  it("a member reads everything that happened to a part, in order; no one else does", async () => {
    const part = await newPart(2);
    await claim(w.users.annotator, part);
    const n = await save(w.users.annotator, part);
    await submit(w.users.annotator, part, n);
    await review(w.users.engineer, part, {
      decision: "rejected",
      revisionNo: n,
      notes: [{ body: "face 1?", faceIndex: 1 }],
    });
    await withUser(db.owner, w.users.admin.claims, (cl) =>
      addComment(cl, { workspaceId: w.workspaceId, partId: part.id, comment: { body: "fyi" } }),
    );
    await withUser(db.owner, w.users.engineer.claims, (cl) =>
      createShareLink(cl, { workspaceId: w.workspaceId, partId: part.id, link: { access: "read", expiresInDays: 1 } }),
    );

    const history = await withUser(db.owner, w.users.annotator.claims, (cl) => partHistory(cl, part.id));
    const annotator = w.users.annotator;
    expect(history.map((e) => [e.action, e.actorId])).toEqual([
      ["part.created", null],
      ["part.status_changed", annotator.id], // claimed: pre_labeled -> in_progress
      ["part.claimed", annotator.id],
      ["revision.created", annotator.id],
      ["part.status_changed", annotator.id], // submitted: in_progress -> in_review
      ["part.submitted", annotator.id],
      ["part.status_changed", w.users.engineer.id], // rejected: in_review -> in_progress
      ["part.reviewed", w.users.engineer.id],
      ["comment.created", w.users.engineer.id], // the review note
      ["comment.created", w.users.admin.id],
      ["share_link.created", w.users.engineer.id],
    ]);
    const byAction = (a: string) => history.filter((e) => e.action === a);
    expect(byAction("part.status_changed").map((e) => [e.data.from, e.data.to])).toEqual([
      ["pre_labeled", "in_progress"],
      ["in_progress", "in_review"],
      ["in_review", "in_progress"],
    ]);
    expect(byAction("revision.created")[0]?.data).toEqual({
      part_id: part.id,
      revision_no: n,
      source: "human",
      model_assisted: false,
    });
    expect(byAction("part.reviewed")[0]).toMatchObject({
      actorName: w.users.engineer.email,
      actorKind: "user",
      data: { decision: "rejected", revision_no: n, part_id: part.id },
    });
    expect(byAction("comment.created").map((e) => e.data.kind)).toEqual(["review_note", "comment"]);
    expect(byAction("comment.created")[1]?.data).toMatchObject({ excerpt: "fyi", part_id: part.id });
    expect(byAction("share_link.created")[0]?.data).toMatchObject({ part_id: part.id, access: "read" });
    const times = history.map((e) => Date.parse(e.createdAt));
    expect(times).toEqual([...times].sort((a, b) => a - b));

    // a viewer reads the same; an outsider and a guest nothing
    expect(await withUser(db.owner, w.users.viewer.claims, (cl) => partHistory(cl, part.id))).toEqual(history);
    expect(await withUser(db.owner, outsider.claims, (cl) => partHistory(cl, part.id))).toEqual([]);
    const anon = await attempt(db.owner, { role: "anon", claims: null }, (cl) =>
      cl.query("select * from public.part_history($1)", [part.id]),
    );
    expect(anon).toMatchObject({ ok: false, code: "42501" });
  });

  it("members of another workspace cannot write into a part's history", async () => {
    const part = await newPart(2);
    const before = await withUser(db.owner, w.users.annotator.claims, (c) => partHistory(c, part.id));
    // an outsider records an event in their own workspace that claims to be about this part: refused
    // (users record only sign-in, upload and submission events, and never one with a part_id)
    for (const [action, table, data] of [
      ["part.approved_elsewhere", "parts", { part_id: part.id, note: "forged" }],
      ["upload.completed", "datasets", { part_id: part.id, note: "forged" }],
    ] as const) {
      await expect(
        withUser(db.owner, outsider.claims, (c) =>
          c.query("select public.record_audit_event($1, $2, $3, $4, $5)", [
            elsewhere.workspaceId,
            action,
            table,
            part.id,
            JSON.stringify(data),
          ]),
        ),
      ).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    const after = await withUser(db.owner, w.users.annotator.claims, (c) => partHistory(c, part.id));
    expect(after.map((e) => e.action)).toEqual(before.map((e) => e.action));
  });
});
