import { listDatasetParts } from "@facet/db";
import { inWorkspace, json, methods, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

/** The parts of a dataset (id, name, status, face count), optionally one name; at most 10 000. */
const get = route<{ ws: string; dataset: string }>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws);
  // decoded once by the router: a `%` in a name is a `%`
  const name = req.nextUrl.searchParams.get("name");
  const parts = await run((c) => listDatasetParts(c, { workspaceId: workspace.id, dataset: params.dataset, name }));
  return json({ parts });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get });
