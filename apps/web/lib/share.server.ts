import "server-only";
import { shareTokenSchema } from "@facet/core";
import {
  type CommentRow,
  type CommentThread,
  getLabellingContext,
  type LabellingContext,
  listComments,
  type OpenedShareLink,
  openShareLink,
  type PoolClient,
  type RequestContext,
  withShareLink,
} from "@facet/db";
import { parseParam } from "./api.server";
import { context, geometryUrls } from "./context.server";

export interface SharedPart {
  link: OpenedShareLink;
  part: LabellingContext;
  comments: CommentThread[];
  /** Presigned, short-lived URLs of the mesh and faces file (null before the part is processed). */
  meshUrl: string | null;
  facesUrl: string | null;
}

/**
 * Act as the guest holding a share link: SHARE_LINK_INVALID when it is revoked, expired or unknown.
 * The queries run as `anon` with the token in the claims, so row-level security decides what the
 * link shows (its part only) and whether it may comment.
 */
export async function asGuest<T>(
  rawToken: string,
  fn: (c: PoolClient, link: OpenedShareLink) => Promise<T>,
  ctx: RequestContext = {},
): Promise<T> {
  const token = parseParam(rawToken, shareTokenSchema, "token");
  const { pool } = await context();
  return withShareLink(pool, token, async (c) => fn(c, await openShareLink(c)), ctx);
}

/**
 * How a member is named to a guest: the display name they chose, else the part of their email before
 * the @ (never the address). Guests' own comments keep the name they typed.
 */
function nameForGuests(row: CommentRow): string {
  if (row.guest) return row.authorName;
  const at = row.authorName.indexOf("@");
  return at > 0 ? row.authorName.slice(0, at) : row.authorName;
}

/** A comment as a guest may see it: who wrote it by name only; no user ids, no one's email, no mentions. */
export function commentForGuests<T extends CommentRow>(row: T): T {
  return { ...row, authorId: null, authorName: nameForGuests(row), mentions: [], resolvedBy: null };
}

export function threadsForGuests(threads: CommentThread[]): CommentThread[] {
  return threads.map((t) => ({ ...commentForGuests(t), replies: t.replies.map(commentForGuests) }));
}

/** The part as a guest may see it: no annotator, no revision author. */
function partForGuests(part: LabellingContext): LabellingContext {
  return {
    ...part,
    part: { ...part.part, annotatorId: null, annotatorEmail: null },
    revision: part.revision && { ...part.revision, authorEmail: null },
  };
}

export async function loadSharedPart(token: string): Promise<SharedPart> {
  const { link, part, comments } = await asGuest(token, async (c, link) => ({
    link,
    part: await getLabellingContext(c, link.workspaceId, link.partId),
    comments: await listComments(c, link.partId),
  }));
  // short-lived: a revoked link stops giving its geometry within minutes
  const urls = part.geometry ? await geometryUrls(part.geometry, "guest") : { meshUrl: null, facesUrl: null };
  return { link, part: partForGuests(part), comments: threadsForGuests(comments), ...urls };
}
