import { newCommentSchema, uuidSchema } from "@facet/core";
import { addComment, getPartLiveState, listComments } from "@facet/db";
import { inWorkspace, json, methods, parseBody, parseParam, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

/** The part's comment threads (review notes included), oldest first. */
const get = route<{ ws: string; partId: string }>(async (req, params) => {
  const partId = parseParam(params.partId, uuidSchema, "partId");
  const { workspace, run } = await inWorkspace(req, params.ws);
  const threads = await run(async (c) => {
    await getPartLiveState(c, workspace.id, partId); // NOT_FOUND when not in this workspace
    return listComments(c, partId);
  });
  return json({ threads });
});

/** Comment (or reply: `parentId`), optionally pinned to a face and/or a point. @mentions notify members. */
const post = route<{ ws: string; partId: string }>(async (req, params) => {
  const partId = parseParam(params.partId, uuidSchema, "partId");
  const comment = await parseBody(req, newCommentSchema);
  const { workspace, run } = await inWorkspace(req, params.ws, "parts.comment");
  const created = await run((c) => addComment(c, { workspaceId: workspace.id, partId, comment }));
  return json({ comment: created }, 201);
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get, POST: post });
