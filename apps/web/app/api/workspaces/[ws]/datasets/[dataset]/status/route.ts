import { findDataset, partCountsByStatus } from "@facet/db";
import { inWorkspace, json, methods, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

/** Part counts by status for one dataset (`facet status`). */
const get = route<{ ws: string; dataset: string }>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws);
  const result = await run(async (c) => {
    const found = await findDataset(c, workspace.id, params.dataset);
    const dataset = { id: found.id, name: found.name };
    const counts = await partCountsByStatus(c, workspace.id, dataset.id);
    return { dataset, counts, total: Object.values(counts).reduce((a, b) => a + b, 0) };
  });
  return json(result);
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get });
