import { listPrelabelModels, requestPrelabelTraining } from "@facet/db";
import { inWorkspace, json, methods, route } from "@/lib/api.server";
import { findDataset } from "@/lib/learning/models.server";

export const dynamic = "force-dynamic";

type Params = { ws: string; dataset: string };

/** Every version of the dataset's learned pre-labeler, newest first: status, figures, why it failed. */
const get = route<Params>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws);
  const models = await run(async (c) => {
    const dataset = await findDataset(c, workspace.id, params.dataset);
    return listPrelabelModels(c, workspace.id, dataset.id);
  });
  return json({ models });
});

/**
 * "Train now": queue a training of the dataset's learned pre-labeler (admins and engineers, who run
 * its labelling queue; API keys with the `curate` scope). CONFLICT while one is queued or running.
 * Answers the job's id: GET /api/workspaces/[ws]/jobs/[id] follows it.
 */
const post = route<Params>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws, "datasets.configure", { scope: "curate" });
  const queued = await run(async (c) => {
    const dataset = await findDataset(c, workspace.id, params.dataset);
    return requestPrelabelTraining(c, workspace.id, dataset.id);
  });
  return json(queued, 202);
});

export const { GET, POST, PUT, PATCH, DELETE } = methods<Params>({ GET: get, POST: post });
