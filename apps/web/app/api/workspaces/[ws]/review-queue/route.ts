import { uuidSchema } from "@facet/core";
import { listReviewQueue } from "@facet/db";
import { inWorkspace, json, methods, parseParam, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

/** Parts waiting for review, oldest submission first; `?annotator=<user id>&dataset=<id>` filter. */
const get = route<{ ws: string }>(async (req, params) => {
  const q = req.nextUrl.searchParams;
  const annotatorId = q.get("annotator") ? parseParam(q.get("annotator"), uuidSchema, "annotator") : null;
  const datasetId = q.get("dataset") ? parseParam(q.get("dataset"), uuidSchema, "dataset") : null;
  const { workspace, run } = await inWorkspace(req, params.ws, "parts.review");
  const items = await run((c) => listReviewQueue(c, { workspaceId: workspace.id, annotatorId, datasetId }));
  return json({ items });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get });
