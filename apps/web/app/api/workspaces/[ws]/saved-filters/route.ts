import { parseCatalogFilter } from "@facet/core";
import { findDataset, listSavedFilters, saveFilter } from "@facet/db";
import { z } from "zod";
import { inWorkspace, json, methods, parseBody, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

const body = z
  .object({
    name: z.string().trim().min(1).max(80),
    query: z.string().max(4000),
    dataset: z.string().min(1).max(200).nullish(),
    shared: z.boolean().default(false),
  })
  .strict();

const get = route<{ ws: string }>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws);
  return json({ filters: await run((c) => listSavedFilters(c, workspace.id)) });
});

/** Save (or replace) one of your filters under a name; the query is checked like the catalog checks it. */
const post = route<{ ws: string }>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws);
  const b = await parseBody(req, body);
  parseCatalogFilter(b.query, { ignore: ["dataset"] });
  const filter = await run(async (c) =>
    saveFilter(c, {
      workspaceId: workspace.id,
      datasetId: b.dataset ? (await findDataset(c, workspace.id, b.dataset)).id : null,
      name: b.name,
      query: b.query.replace(/^\?/, ""),
      shared: b.shared,
    }),
  );
  return json({ filter }, 201);
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get, POST: post });
