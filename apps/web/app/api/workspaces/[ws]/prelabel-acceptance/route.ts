import { uuidSchema } from "@facet/core";
import { prelabelAcceptance } from "@facet/db";
import { inWorkspace, json, methods, parseParam, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

/**
 * How much of each model's pre-labels survived review, per model and class, over the approved
 * parts of the workspace; `?dataset=<id>` for one dataset. Every member may read it.
 */
const get = route<{ ws: string }>(async (req, params) => {
  const q = req.nextUrl.searchParams;
  const datasetId = q.has("dataset") ? parseParam(q.get("dataset"), uuidSchema, "dataset") : null;
  const { workspace, run } = await inWorkspace(req, params.ws);
  return json({ rows: await run((c) => prelabelAcceptance(c, workspace.id, datasetId)) });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get });
