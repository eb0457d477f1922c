import { findDataset, queueReprocess } from "@facet/db";
import { TESSELLATOR_VERSION } from "@facet/geometry";
import { z } from "zod";
import { inWorkspace, json, methods, parseBody, route } from "@/lib/api.server";
import { handOverQueuedJobs } from "@/lib/jobs.server";

export const dynamic = "force-dynamic";

const body = z.object({ tessellatorVersion: z.string().min(1).max(100).optional() });

/** Backfill: tessellate again the parts made by an older tessellator (or by the version named). */
const post = route<{ ws: string; dataset: string }>(async (req, params) => {
  const input = await parseBody(req, body);
  const { workspace, run } = await inWorkspace(req, params.ws, "parts.upload");
  // decoded once by the router: a `%` in a name is a `%`
  const queued = await run(async (c) => {
    const dataset = await findDataset(c, workspace.id, params.dataset);
    return queueReprocess(c, {
      workspaceId: workspace.id,
      datasetId: dataset.id,
      currentVersion: TESSELLATOR_VERSION,
      ...(input.tessellatorVersion ? { fromVersion: input.tessellatorVersion } : {}),
    });
  });
  if (queued > 0) await handOverQueuedJobs();
  return json({ queued, tessellator: TESSELLATOR_VERSION });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ POST: post });
