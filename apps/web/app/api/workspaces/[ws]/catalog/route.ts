import { parseCatalogFilter } from "@facet/core";
import { countCatalog, findDataset, queryCatalog } from "@facet/db";
import { z } from "zod";
import { inWorkspace, json, methods, parseParam, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

const PAGING = ["dataset", "cursor", "limit"] as const;

/** A page of the catalog (a dataset's, or the workspace's): the filter is the query string. */
const get = route<{ ws: string }>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws);
  const search = req.nextUrl.searchParams;
  const filter = parseCatalogFilter(search, { ignore: PAGING });
  const limit = parseParam(search.get("limit") ?? "50", z.coerce.number().int().min(1).max(500), "limit");
  const cursor = search.get("cursor");
  const datasetRef = search.get("dataset");
  const result = await run(async (c) => {
    const datasetId = datasetRef ? (await findDataset(c, workspace.id, datasetRef)).id : null;
    const scope = { workspaceId: workspace.id, datasetId, filter };
    const [page, total] = await Promise.all([
      queryCatalog(c, { ...scope, cursor, limit }),
      cursor ? Promise.resolve(null) : countCatalog(c, scope),
    ]);
    return { ...page, total };
  });
  return json(result);
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get });
