import { AppError, type PartStatus, type ReviewInput, STATUS_LABELS } from "@facet/core";
import type { PoolClient } from "../pool";
import { refuseUnlockablePart } from "./part-detail";
import { type Revision, revisionWhere } from "./revisions";
import { PRESENCE_WINDOW_SECONDS } from "./workbench";

function iso(v: Date | string): string {
  return v instanceof Date ? v.toISOString() : new Date(v).toISOString();
}

export interface ReviewQueueItem {
  id: string;
  name: string;
  datasetId: string;
  datasetName: string;
  annotatorId: string | null;
  annotatorEmail: string | null;
  /** When it was submitted (entered in_review). */
  submittedAt: string;
  faceCount: number | null;
  /** How many times it was rejected before. */
  rejections: number;
  /** Who has it open now (reviewers looking at it), earliest first. */
  viewers: Array<{ userId: string; email: string | null }>;
  /** Independent annotations of it on its current face numbering (consensus datasets; 0 otherwise). */
  annotations: number;
  /** Faces those annotations label differently. */
  disputedFaces: number;
}

/** How many parts a review-queue page shows unless asked for more (the oldest: reviewers take those first). */
export const REVIEW_QUEUE_PAGE = 50;
/** The most a page may hold. */
export const REVIEW_QUEUE_MAX_PAGE = 200;

type ReviewQueueInput = { workspaceId: string; annotatorId?: string | null; datasetId?: string | null; limit?: number };

/** A page of the review queue, and how many parts wait in all (under the same filters). */
export interface ReviewQueuePage {
  items: ReviewQueueItem[];
  waiting: number;
}

/**
 * The review queue's statement. The page (oldest submission first) is read first, by the partial
 * index of waiting parts in that order; what each item shows (rejections, viewers, consensus) is then
 * worked out for the page's parts only: with thousands waiting, a poll costs what its page costs
 * (and a count of the index's entries, once per statement, for how many wait in all).
 */
export function reviewQueueQuery(input: ReviewQueueInput): { text: string; values: unknown[] } {
  return {
    text: `select p.id, p.name, p.dataset_id as "datasetId", d.name as "datasetName",
            p.annotator_id as "annotatorId", pr.email as "annotatorEmail",
            p.status_changed_at as "submittedAt", g.face_count as "faceCount",
            (select count(*)::int from public.parts n
             where n.workspace_id = $1 and n.status = 'in_review'
               and ($2::uuid is null or n.annotator_id = $2) and ($3::uuid is null or n.dataset_id = $3)) as waiting,
            (select count(*)::int from public.part_reviews r where r.part_id = p.id and r.decision = 'rejected') as rejections,
            (select json_agg(json_build_object('userId', v.user_id, 'email', v.email) order by v.since)
             from (select pp.user_id, vp.email, min(pp.joined_at) as since
                   from public.part_presence pp left join public.profiles vp on vp.user_id = pp.user_id
                   where pp.part_id = p.id and pp.seen_at > now() - make_interval(secs => $5)
                   group by pp.user_id, vp.email) v) as viewers,
            (select count(*)::int from public.independent_annotations i
             where i.part_id = p.id and i.face_signature = g.face_signature) as annotations,
            (select count(*)::int from (
               select e.i from public.independent_annotations i
               join public.annotation_revisions r on r.id = i.revision_id
               cross join lateral jsonb_array_elements_text(r.document -> 'labels') with ordinality e(label, i)
               where i.part_id = p.id and i.face_signature = g.face_signature
               group by e.i having count(distinct e.label) > 1) disputed) as "disputedFaces"
     from (select w.id, w.name, w.dataset_id, w.annotator_id, w.status_changed_at, w.geometry_id
           from public.parts w
           where w.workspace_id = $1 and w.status = 'in_review'
             and ($2::uuid is null or w.annotator_id = $2) and ($3::uuid is null or w.dataset_id = $3)
           order by w.status_changed_at, w.id
           limit $4) p
     join public.datasets d on d.id = p.dataset_id
     left join public.profiles pr on pr.user_id = p.annotator_id
     left join public.part_geometry g on g.id = p.geometry_id
     order by p.status_changed_at, p.id`,
    values: [
      input.workspaceId,
      input.annotatorId ?? null,
      input.datasetId ?? null,
      Math.max(1, Math.min(input.limit ?? REVIEW_QUEUE_PAGE, REVIEW_QUEUE_MAX_PAGE)),
      PRESENCE_WINDOW_SECONDS,
    ],
  };
}

/**
 * Parts waiting for review, oldest submission first, a page of them (REVIEW_QUEUE_PAGE unless
 * `limit` says otherwise); optionally of one annotator or one dataset. `waiting` counts them all.
 */
export async function listReviewQueue(client: PoolClient, input: ReviewQueueInput): Promise<ReviewQueuePage> {
  const { text, values } = reviewQueueQuery(input);
  const { rows } = await client.query<
    Omit<ReviewQueueItem, "submittedAt" | "viewers"> & {
      submittedAt: Date;
      viewers: Array<{ userId: string; email: string | null }> | null;
      waiting: number;
    }
  >(text, values);
  return {
    // no row: nothing on this page, so nothing waits (the page always starts at the oldest)
    waiting: rows[0]?.waiting ?? 0,
    items: rows.map(({ waiting: _, ...r }) => ({ ...r, submittedAt: iso(r.submittedAt), viewers: r.viewers ?? [] })),
  };
}

export interface ReviewDecisionRow {
  id: string;
  decision: "approved" | "rejected";
  revisionNo: number;
  reviewerId: string | null;
  reviewerEmail: string | null;
  summary: string | null;
  createdAt: string;
}

export async function listReviews(client: PoolClient, partId: string): Promise<ReviewDecisionRow[]> {
  const { rows } = await client.query<Omit<ReviewDecisionRow, "createdAt"> & { createdAt: Date }>(
    `select r.id, r.decision, r.revision_no as "revisionNo", r.reviewer_id as "reviewerId", pr.email as "reviewerEmail",
            r.summary, r.created_at as "createdAt"
     from public.part_reviews r left join public.profiles pr on pr.user_id = r.reviewer_id
     where r.part_id = $1 order by r.created_at, r.id`,
    [partId],
  );
  return rows.map((r) => ({ ...r, createdAt: iso(r.createdAt) }));
}

/** What a reviewer compares the labels with: the pre-label and the revision submitted before this one. */
export interface ReviewBases {
  /** The newest revision written by a model or an import (the labels the annotator started from). */
  prelabel: Revision | null;
  /** The revision the last rejection was about (what was submitted before), when there was one. */
  previousSubmission: Revision | null;
  reviews: ReviewDecisionRow[];
}

export async function getReviewBases(client: PoolClient, partId: string): Promise<ReviewBases> {
  const reviews = await listReviews(client, partId);
  const lastRejection = [...reviews].reverse().find((r) => r.decision === "rejected");
  return {
    prelabel: await revisionWhere(client, "r.part_id = $1 and r.source in ('model', 'import')", [partId]),
    previousSubmission: lastRejection
      ? await revisionWhere(client, "r.part_id = $1 and r.revision_no = $2", [partId, lastRejection.revisionNo])
      : null,
    reviews,
  };
}

/**
 * Approve the part, or send it back to its annotator with notes pinned to faces or points, in the
 * caller's transaction. `revisionNo` is the revision the reviewer looked at: if another was saved
 * since, the decision is refused (CONFLICT). Who may review is checked here (clear reasons) and
 * again by the status trigger and row-level security.
 */
export async function reviewPart(
  client: PoolClient,
  input: { workspaceId: string; partId: string; userId: string; review: ReviewInput },
): Promise<{ status: PartStatus; reviewId: string; notes: number }> {
  const { rows } = await client.query<{
    status: PartStatus;
    annotatorId: string | null;
    latestId: string | null;
    latestNo: number | null;
    latestAuthor: string | null;
  }>(
    `select p.status, p.annotator_id as "annotatorId", r.id as "latestId", r.revision_no as "latestNo",
            r.author_id as "latestAuthor"
     from public.parts p
     left join lateral (select id, revision_no, author_id from public.annotation_revisions
                        where part_id = p.id order by revision_no desc limit 1) r on true
     where p.workspace_id = $1 and p.id = $2 for update of p`,
    [input.workspaceId, input.partId],
  );
  const part = rows[0];
  if (!part) {
    return refuseUnlockablePart(client, input.workspaceId, input.partId, "only engineers and admins approve or reject");
  }
  if (part.status !== "in_review") {
    throw new AppError(
      "CONFLICT",
      `this part is ${STATUS_LABELS[part.status].toLowerCase()}, not waiting for review: someone may have reviewed it already`,
    );
  }
  if (part.annotatorId === input.userId) {
    throw new AppError("FORBIDDEN", "nobody reviews their own annotation: another engineer or admin must");
  }
  if (part.latestNo === null || part.latestId === null) throw new AppError("CONFLICT", "this part has no labels");
  if (part.latestAuthor === input.userId) {
    throw new AppError("FORBIDDEN", "you saved the labels under review: another engineer or admin must review them");
  }
  if (part.latestNo !== input.review.revisionNo) {
    throw new AppError(
      "CONFLICT",
      `the part has revision ${part.latestNo} now, not ${input.review.revisionNo}: reload it and look again`,
      { latestRevision: part.latestNo },
    );
  }
  const { decision, summary, notes } = input.review;
  await client.query("update public.parts set status = $2, review_notes = $3 where id = $1", [
    input.partId,
    decision === "approved" ? "approved" : "in_progress",
    summary || null,
  ]);
  const inserted = await client.query<{ id: string }>(
    `insert into public.part_reviews (part_id, revision_id, decision, summary, reviewer_id)
     values ($1, $2, $3, $4, auth.uid()) returning id`,
    [input.partId, part.latestId, decision, summary || null],
  );
  const reviewId = (inserted.rows[0] as { id: string }).id;
  for (const note of notes) {
    await client.query(
      `insert into public.comments (part_id, kind, review_id, body, face_index, point, author_id, author_name)
       values ($1, 'review_note', $2, $3, $4, $5, auth.uid(), '-')`,
      [input.partId, reviewId, note.body, note.faceIndex ?? null, note.point ?? null],
    );
  }
  return { status: decision === "approved" ? "approved" : "in_progress", reviewId, notes: notes.length };
}
