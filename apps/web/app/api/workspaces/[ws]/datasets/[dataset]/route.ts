import { uuidSchema } from "@facet/core";
import { getDatasetSettings, updateDatasetSettings } from "@facet/db";
import { z } from "zod";
import { inWorkspace, json, methods, parseBody, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

type Params = { ws: string; dataset: string };

/** The dataset named in the path: by id, or by name (decoded once by the router: a `%` in a name is a `%`). */
const refOf = (ref: string) => (uuidSchema.safeParse(ref).success ? { id: ref } : { name: ref });

const get = route<Params>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws);
  return json({ dataset: await run((c) => getDatasetSettings(c, workspace.id, refOf(params.dataset))) });
});

const body = z
  .strictObject({
    queueOrder: z.enum(["least_confident", "oldest"], { error: 'must be "least_confident" or "oldest"' }).optional(),
    prelabel: z.boolean().optional(),
    requiredAnnotations: z.number().int().min(1).max(5).optional(),
    maxHeldParts: z.number().int().min(1).max(100).optional(),
  })
  .refine(
    (b) => Object.keys(b).length > 0,
    "give at least one of queueOrder, prelabel, requiredAnnotations, maxHeldParts",
  );

/**
 * Dataset settings: pre-labelling, how its queue is served, independent annotations per part, and
 * how many of its parts one annotator may hold at once. They run the labelling queue: admins and
 * engineers set them (`datasets.configure`; the database refuses them to anyone else too).
 */
const patch = route<Params>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws, "datasets.configure");
  const input = await parseBody(req, body);
  const dataset = await run(async (c) => {
    const found = await getDatasetSettings(c, workspace.id, refOf(params.dataset));
    return updateDatasetSettings(c, workspace.id, found.id, input);
  });
  return json({ dataset });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods<Params>({ GET: get, PATCH: patch });
