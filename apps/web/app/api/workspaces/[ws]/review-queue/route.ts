import { uuidSchema } from "@facet/core";
import { listReviewQueue, REVIEW_QUEUE_MAX_PAGE } from "@facet/db";
import { z } from "zod";
import { inWorkspace, json, methods, parseParam, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

const limitSchema = z.coerce.number().int().min(1).max(REVIEW_QUEUE_MAX_PAGE);

/**
 * Parts waiting for review, oldest submission first, a page of them (`?limit=`, 50 unless given, at
 * most 200), and how many wait in all; `?annotator=<user id>&dataset=<id>` filter.
 */
const get = route<{ ws: string }>(async (req, params) => {
  const q = req.nextUrl.searchParams;
  const annotatorId = q.get("annotator") ? parseParam(q.get("annotator"), uuidSchema, "annotator") : null;
  const datasetId = q.get("dataset") ? parseParam(q.get("dataset"), uuidSchema, "dataset") : null;
  const limit = q.get("limit") ? parseParam(q.get("limit"), limitSchema, "limit") : undefined;
  const { workspace, run } = await inWorkspace(req, params.ws, "parts.review");
  const page = await run((c) => listReviewQueue(c, { workspaceId: workspace.id, annotatorId, datasetId, limit }));
  return json(page);
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get });
