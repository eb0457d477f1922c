import { parseCatalogFilter } from "@facet/core";
import { CATALOG_COUNT_CAP, countCatalog, findDataset, queryCatalog } from "@facet/db";
import { z } from "zod";
import { inWorkspace, json, methods, parseParam, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

const PAGING = ["dataset", "cursor", "limit"] as const;

/**
 * A page of the catalog (a dataset's, or the workspace's): the filter is the query string. The
 * first page also says how many parts match (`totalCapped`: more than `total`).
 */
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
    const page = await queryCatalog(c, { ...scope, cursor, limit });
    if (cursor) return { ...page, total: null, totalCapped: false };
    // exact up to the cap; beyond it, "more than" (a broad count would scan the whole catalog)
    const n = await countCatalog(c, { ...scope, cap: CATALOG_COUNT_CAP });
    return { ...page, total: Math.min(n, CATALOG_COUNT_CAP), totalCapped: n > CATALOG_COUNT_CAP };
  });
  return json(result);
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get });
