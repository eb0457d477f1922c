import "server-only";
import { shareTokenSchema } from "@facet/core";
import {
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

export async function loadSharedPart(token: string): Promise<SharedPart> {
  const { link, part, comments } = await asGuest(token, async (c, link) => ({
    link,
    part: await getLabellingContext(c, link.workspaceId, link.partId),
    comments: await listComments(c, link.partId),
  }));
  const urls = part.geometry ? await geometryUrls(part.geometry) : { meshUrl: null, facesUrl: null };
  return { link, part, comments, ...urls };
}
