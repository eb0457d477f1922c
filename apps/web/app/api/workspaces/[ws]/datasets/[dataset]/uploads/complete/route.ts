import { z } from "zod";
import { json, methods, parseBody, route } from "@/lib/api.server";
import { completeUpload } from "@/lib/ingest/ingest";
import { ingestContext } from "@/lib/ingest/routes.server";
import { handOverQueuedJobs } from "@/lib/jobs.server";

export const dynamic = "force-dynamic";

/** After the PUT: verify the stored bytes and record blob, part and tessellation job. 201 when new. */
const post = route<{ ws: string; dataset: string }>(async (req, params) => {
  const body = await parseBody(req, z.unknown());
  const { deps, dataset } = await ingestContext(req, params.ws, params.dataset);
  const { part, created } = await completeUpload(deps, dataset, body);
  if (created) await handOverQueuedJobs();
  return json({ part, created }, created ? 201 : 200);
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ POST: post });
