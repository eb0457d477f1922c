import { uuidSchema } from "@facet/core";
import { getPartLiveState, setCommentResolved } from "@facet/db";
import { z } from "zod";
import { inWorkspace, json, methods, parseBody, parseParam, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

const body = z.object({ resolved: z.boolean() });

/** Resolve (`{"resolved": true}`) or reopen a thread. */
const patch = route<{ ws: string; partId: string; commentId: string }>(async (req, params) => {
  const partId = parseParam(params.partId, uuidSchema, "partId");
  const commentId = parseParam(params.commentId, uuidSchema, "commentId");
  const input = await parseBody(req, body);
  const { workspace, run } = await inWorkspace(req, params.ws, "parts.comment");
  const comment = await run(async (c) => {
    await getPartLiveState(c, workspace.id, partId);
    return setCommentResolved(c, { partId, commentId, resolved: input.resolved });
  });
  return json({ comment });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ PATCH: patch });
