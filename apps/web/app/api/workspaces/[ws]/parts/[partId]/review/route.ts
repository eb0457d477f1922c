import { reviewInputSchema, uuidSchema } from "@facet/core";
import { reviewPart } from "@facet/db";
import { inWorkspace, json, methods, parseBody, parseParam, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

/**
 * Approve the part (`approved`) or send it back to its annotator (`in_progress`) with notes pinned to
 * faces or points. Engineers and admins only (ROLE_REQUIRED), never on their own annotation
 * (FORBIDDEN); `revisionNo` must be the latest revision (CONFLICT otherwise).
 */
const post = route<{ ws: string; partId: string }>(async (req, params) => {
  const partId = parseParam(params.partId, uuidSchema, "partId");
  const review = await parseBody(req, reviewInputSchema);
  const { workspace, claims, run } = await inWorkspace(req, params.ws, "parts.review");
  const result = await run((c) => reviewPart(c, { workspaceId: workspace.id, partId, userId: claims.sub, review }));
  return json(result);
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ POST: post });
