import { uuidSchema } from "@facet/core";
import { queuePrelabel } from "@facet/db";
import { inWorkspace, json, methods, parseParam, route } from "@/lib/api.server";
import { handOverQueuedJobs } from "@/lib/jobs.server";

export const dynamic = "force-dynamic";

/** Engineers and admins pre-label a waiting part again (its models failed, or it was never pre-labelled). */
const post = route<{ ws: string; partId: string }>(async (req, params) => {
  const partId = parseParam(params.partId, uuidSchema, "partId");
  const { workspace, run } = await inWorkspace(req, params.ws, "parts.upload");
  await run((c) => queuePrelabel(c, workspace.id, partId));
  await handOverQueuedJobs();
  return json({ queued: partId }, 202);
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ POST: post });
