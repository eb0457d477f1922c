import { DATASET_PARTS_PAGE_MAX, listDatasetParts } from "@facet/db";
import { z } from "zod";
import { inWorkspace, json, methods, parseParam, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

/**
 * A page of the parts of a dataset (id, name, status, face count) by name, optionally only the parts
 * with one name: `limit` (default and at most 1000), `cursor` from the page before's `nextCursor`.
 * Browsing and filtering is the catalog's (`/catalog`).
 */
const get = route<{ ws: string; dataset: string }>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws);
  const search = req.nextUrl.searchParams;
  // decoded once by the router: a `%` in a name is a `%`
  const name = search.get("name");
  const cursor = search.get("cursor");
  const limit = parseParam(
    search.get("limit") ?? String(DATASET_PARTS_PAGE_MAX),
    z.coerce.number().int().min(1).max(DATASET_PARTS_PAGE_MAX),
    "limit",
  );
  const page = await run((c) =>
    listDatasetParts(c, { workspaceId: workspace.id, dataset: params.dataset, name, cursor, limit }),
  );
  return json(page);
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get });
