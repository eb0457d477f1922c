import { catalogOptions, findDataset } from "@facet/db";
import { inWorkspace, json, methods, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

/** What the catalog's filters can choose from, with how many parts have each. */
const get = route<{ ws: string }>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws);
  const ref = req.nextUrl.searchParams.get("dataset");
  const options = await run(async (c) =>
    catalogOptions(c, {
      workspaceId: workspace.id,
      datasetId: ref ? (await findDataset(c, workspace.id, ref)).id : null,
    }),
  );
  return json(options);
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get });
