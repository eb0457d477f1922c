import { createDataset, listDatasets } from "@facet/db";
import { z } from "zod";
import { inWorkspace, json, methods, parseBody, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

const get = route<{ ws: string }>(async (req, { ws }) => {
  const { workspace, run } = await inWorkspace(req, ws);
  return json({ datasets: await run((c) => listDatasets(c, workspace.id)) });
});

const body = z.object({
  name: z
    .string()
    .trim()
    .min(1, "a name is required")
    .max(120)
    .regex(/^[^\p{Cc}]*$/u, "no control characters"),
  description: z.string().trim().max(4000).optional(),
});

const post = route<{ ws: string }>(async (req, { ws }) => {
  const input = await parseBody(req, body);
  const { workspace, run } = await inWorkspace(req, ws, "datasets.create");
  const created = await run((c) => createDataset(c, { workspaceId: workspace.id, ...input }));
  return json({ dataset: { id: created.id, name: input.name } }, 201);
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get, POST: post });
