import { AppError, type GuestComment, type NewComment, type Vec3 } from "@facet/core";
import type { PoolClient } from "../pool";

export interface CommentRow {
  id: string;
  partId: string;
  parentId: string | null;
  kind: "comment" | "review_note";
  reviewId: string | null;
  body: string;
  faceIndex: number | null;
  point: Vec3 | null;
  /** The face numbering faceIndex refers to (null when not pinned to a face). */
  faceSignature: string | null;
  revisionNo: number | null;
  authorId: string | null;
  authorName: string;
  guest: boolean;
  mentions: string[];
  resolvedAt: string | null;
  resolvedBy: string | null;
  createdAt: string;
}

/** A comment that starts a thread, with its replies (oldest first). */
export interface CommentThread extends CommentRow {
  replies: CommentRow[];
}

const COLUMNS = `c.id, c.part_id as "partId", c.parent_id as "parentId", c.kind, c.review_id as "reviewId", c.body,
  c.face_index as "faceIndex", c.point, c.face_signature as "faceSignature", c.revision_no as "revisionNo",
  c.author_id as "authorId", c.author_name as "authorName", c.share_link_id is not null as guest,
  c.mentions, c.resolved_at as "resolvedAt", c.resolved_by as "resolvedBy", c.created_at as "createdAt"`;

type Raw = Omit<CommentRow, "resolvedAt" | "createdAt"> & { resolvedAt: Date | null; createdAt: Date };

function toRow(r: Raw): CommentRow {
  return {
    ...r,
    resolvedAt: r.resolvedAt ? r.resolvedAt.toISOString() : null,
    createdAt: r.createdAt.toISOString(),
  };
}

/** Every comment of a part visible to the caller, as threads (oldest first). */
export async function listComments(client: PoolClient, partId: string): Promise<CommentThread[]> {
  const { rows } = await client.query<Raw>(
    `select ${COLUMNS} from public.comments c where c.part_id = $1 order by c.created_at, c.id`,
    [partId],
  );
  const threads = new Map<string, CommentThread>();
  for (const r of rows) if (r.parentId === null) threads.set(r.id, { ...toRow(r), replies: [] });
  for (const r of rows) if (r.parentId !== null) threads.get(r.parentId)?.replies.push(toRow(r));
  return [...threads.values()];
}

/** The notes of a review (the rejection the annotator is working from). */
export async function listReviewNotes(client: PoolClient, reviewId: string): Promise<CommentRow[]> {
  const { rows } = await client.query<Raw>(
    `select ${COLUMNS} from public.comments c where c.review_id = $1 and c.parent_id is null order by c.created_at, c.id`,
    [reviewId],
  );
  return rows.map(toRow);
}

async function readComment(client: PoolClient, id: string): Promise<CommentRow> {
  const { rows } = await client.query<Raw>(`select ${COLUMNS} from public.comments c where c.id = $1`, [id]);
  const r = rows[0];
  if (!r) throw new AppError("NOT_FOUND", "no such comment");
  return toRow(r);
}

async function assertParent(client: PoolClient, partId: string, parentId: string | undefined): Promise<void> {
  if (!parentId) return;
  const { rows } = await client.query<{ partId: string }>(
    `select part_id as "partId" from public.comments where id = $1`,
    [parentId],
  );
  if (rows[0]?.partId !== partId) throw new AppError("NOT_FOUND", "no such comment on this part to reply to");
}

/**
 * Comment on a part as the signed-in member. Mentions (@name or @email of members) are resolved and
 * notified by the database; mentions of anyone else do nothing.
 */
export async function addComment(
  client: PoolClient,
  input: { workspaceId: string; partId: string; comment: NewComment },
): Promise<CommentRow> {
  const part = await client.query("select 1 from public.parts where workspace_id = $1 and id = $2", [
    input.workspaceId,
    input.partId,
  ]);
  if (!part.rowCount) throw new AppError("NOT_FOUND", "no such part in this workspace");
  const c = input.comment;
  await assertParent(client, input.partId, c.parentId);
  const { rows } = await client.query<{ id: string }>(
    `insert into public.comments (part_id, parent_id, body, face_index, point, author_id, author_name)
     values ($1, $2, $3, $4, $5, auth.uid(), '-') returning id`,
    [input.partId, c.parentId ?? null, c.body, c.faceIndex ?? null, c.point ?? null],
  );
  return readComment(client, (rows[0] as { id: string }).id);
}

/** Comment as a guest with a share link that allows comments (run inside withShareLink). */
export async function addGuestComment(client: PoolClient, partId: string, comment: GuestComment): Promise<CommentRow> {
  await assertParent(client, partId, comment.parentId);
  const { rows } = await client.query<{ id: string }>(
    `insert into public.comments (part_id, parent_id, body, author_name) values ($1, $2, $3, $4) returning id`,
    [partId, comment.parentId ?? null, comment.body, comment.authorName],
  );
  return readComment(client, (rows[0] as { id: string }).id);
}

/** Resolve or reopen a thread. NOT_FOUND when the comment is not on this part (or not visible). */
export async function setCommentResolved(
  client: PoolClient,
  input: { partId: string; commentId: string; resolved: boolean },
): Promise<CommentRow> {
  const { rows } = await client.query<{ id: string }>(
    `update public.comments set resolved_at = case when $3 then coalesce(resolved_at, now()) end
     where id = $1 and part_id = $2 returning id`,
    [input.commentId, input.partId, input.resolved],
  );
  if (!rows[0]) {
    const visible = await client.query("select 1 from public.comments where id = $1 and part_id = $2", [
      input.commentId,
      input.partId,
    ]);
    if (visible.rowCount) throw new AppError("FORBIDDEN", "your role does not allow resolving comments");
    throw new AppError("NOT_FOUND", "no such comment on this part");
  }
  return readComment(client, input.commentId);
}

/** Members one can @mention on a part's page: handle (before the @ of their email), email and name. */
export async function listMentionable(
  client: PoolClient,
  workspaceId: string,
): Promise<Array<{ userId: string; handle: string; email: string; name: string | null }>> {
  const { rows } = await client.query<{ userId: string; email: string; name: string | null }>(
    `select m.user_id as "userId", pr.email, pr.display_name as name
     from public.workspace_members m join public.profiles pr on pr.user_id = m.user_id
     where m.workspace_id = $1 order by pr.email`,
    [workspaceId],
  );
  return rows.map((r) => ({ ...r, handle: r.email.split("@")[0] ?? r.email }));
}
