import { AppError, uuidSchema } from "@facet/core";
import { partCountsByStatus } from "@facet/db";
import { inWorkspace, json, methods, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

/** Part counts by status for one dataset (`facet status`). */
const get = route<{ ws: string; dataset: string }>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws);
  const ref = params.dataset; // decoded once by the router: a `%` in a name is a `%`
  const byId = uuidSchema.safeParse(ref).success;
  const result = await run(async (c) => {
    const { rows } = await c.query<{ id: string; name: string }>(
      `select id, name from public.datasets where workspace_id = $1 and ${byId ? "id = $2::uuid" : "name = $2"}`,
      [workspace.id, ref],
    );
    const dataset = rows[0];
    if (!dataset) throw new AppError("NOT_FOUND", `no dataset "${ref}" in this workspace`);
    const counts = await partCountsByStatus(c, workspace.id, dataset.id);
    return { dataset, counts, total: Object.values(counts).reduce((a, b) => a + b, 0) };
  });
  return json(result);
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get });
