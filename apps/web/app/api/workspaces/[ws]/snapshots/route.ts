import { parseCatalogFilter, partStatusSchema, snapshotNameSchema } from "@facet/core";
import { findDataset, freezeSnapshot, listSnapshots, snapshotManifest } from "@facet/db";
import { z } from "zod";
import { inWorkspace, json, methods, parseBody, route } from "@/lib/api.server";
import { context } from "@/lib/context.server";
import { writeManifest } from "@/lib/curation.server";

export const dynamic = "force-dynamic";

const body = z
  .object({
    dataset: z.string().min(1).max(200),
    name: snapshotNameSchema,
    description: z.string().max(4000).default(""),
    statuses: z.array(partStatusSchema).max(10).nullish(),
    filter: z.string().max(4000).default(""),
  })
  .strict();

const get = route<{ ws: string }>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws);
  const ref = req.nextUrl.searchParams.get("dataset");
  const snapshots = await run(async (c) =>
    listSnapshots(c, {
      workspaceId: workspace.id,
      datasetId: ref ? (await findDataset(c, workspace.id, ref)).id : null,
    }),
  );
  return json({ snapshots });
});

/**
 * Freeze a snapshot of a dataset (every part with labels, or those of the given statuses, or those
 * the filter selects); its manifest is written to storage beside it.
 */
const post = route<{ ws: string }>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws, "parts.curate");
  const b = await parseBody(req, body);
  const filterText = b.filter.replace(/^\?/, "");
  const filter = parseCatalogFilter(filterText);
  const { snapshot, manifest } = await run(async (c) => {
    const d = await findDataset(c, workspace.id, b.dataset);
    const s = await freezeSnapshot(c, {
      workspaceId: workspace.id,
      datasetId: d.id,
      name: b.name,
      description: b.description,
      statuses: b.statuses ?? null,
      filter,
      filterText,
    });
    return { snapshot: s, manifest: await snapshotManifest(c, workspace.id, s.id) };
  });
  const { store } = await context();
  await writeManifest(store, manifest);
  return json({ snapshot }, 201);
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get, POST: post });
