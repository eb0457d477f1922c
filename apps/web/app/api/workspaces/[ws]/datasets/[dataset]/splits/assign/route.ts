import { findDataset, requestSplitAssignment } from "@facet/db";
import { inWorkspace, json, methods, route } from "@/lib/api.server";
import { handOverQueuedJobs } from "@/lib/jobs.server";

export const dynamic = "force-dynamic";

/** Assign a split to every part of the dataset that has none (a job; parts with a split keep it). */
const post = route<{ ws: string; dataset: string }>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws, "parts.curate");
  const jobId = await run(async (c) =>
    requestSplitAssignment(c, {
      workspaceId: workspace.id,
      datasetId: (await findDataset(c, workspace.id, params.dataset)).id,
    }),
  );
  await handOverQueuedJobs();
  return json({ jobId }, 202);
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ POST: post });
