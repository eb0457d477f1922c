import { uuidSchema } from "@facet/core";
import { retryPart } from "@facet/db";
import { inWorkspace, json, methods, parseParam, route } from "@/lib/api.server";
import { handOverQueuedJobs } from "@/lib/jobs.server";

export const dynamic = "force-dynamic";

/** Engineers and admins send a failed part back to processing. */
const post = route<{ ws: string; partId: string }>(async (req, params) => {
  const partId = parseParam(params.partId, uuidSchema, "partId");
  const { workspace, run } = await inWorkspace(req, params.ws, "parts.upload");
  await run((c) => retryPart(c, workspace.id, partId));
  await handOverQueuedJobs();
  return json({ retried: partId });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ POST: post });
