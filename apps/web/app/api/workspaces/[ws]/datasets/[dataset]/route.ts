import { uuidSchema } from "@facet/core";
import {
  getDatasetSettings,
  getLearningSettings,
  type PoolClient,
  QUEUE_ORDERS,
  updateDatasetSettings,
  updateLearningSettings,
} from "@facet/db";
import { z } from "zod";
import { inWorkspace, json, methods, parseBody, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

type Params = { ws: string; dataset: string };

/** The dataset named in the path: by id, or by name (decoded once by the router: a `%` in a name is a `%`). */
const refOf = (ref: string) => (uuidSchema.safeParse(ref).success ? { id: ref } : { name: ref });

/** The dataset's settings with its learned pre-labeler's (on/off, retrain after, training pending, model in use). */
async function settingsOf(c: PoolClient, workspaceId: string, id: string) {
  const [settings, learning] = [
    await getDatasetSettings(c, workspaceId, { id }),
    await getLearningSettings(c, workspaceId, id),
  ];
  const { datasetId: _, ...rest } = learning;
  return { ...settings, ...rest };
}

const get = route<Params>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws);
  return json({
    dataset: await run(async (c) => {
      const found = await getDatasetSettings(c, workspace.id, refOf(params.dataset));
      return settingsOf(c, workspace.id, found.id);
    }),
  });
});

const body = z
  .strictObject({
    queueOrder: z
      .enum(QUEUE_ORDERS, { error: `must be one of ${QUEUE_ORDERS.map((o) => `"${o}"`).join(", ")}` })
      .optional(),
    prelabel: z.boolean().optional(),
    requiredAnnotations: z.number().int().min(1).max(5).optional(),
    maxHeldParts: z.number().int().min(1).max(100).optional(),
    /** Learned pre-labels (issue 20): on/off, and a training after this many approvals. */
    learnedPrelabel: z.boolean().optional(),
    retrainAfter: z.number().int().min(1).max(10_000).optional(),
  })
  .refine(
    (b) => Object.keys(b).length > 0,
    "give at least one of queueOrder, prelabel, requiredAnnotations, maxHeldParts, learnedPrelabel, retrainAfter",
  );

/**
 * Dataset settings: pre-labelling (and learned pre-labels: on/off, retrain after N approvals), how
 * its queue is served, independent annotations per part, and how many of its parts one annotator may
 * hold at once. They run the labelling queue: admins and
 * engineers set them (`datasets.configure`; the database refuses them to anyone else too).
 */
const patch = route<Params>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws, "datasets.configure");
  const input = await parseBody(req, body);
  const { queueOrder, learnedPrelabel, retrainAfter, ...queue } = input;
  const dataset = await run(async (c) => {
    const found = await getDatasetSettings(c, workspace.id, refOf(params.dataset));
    if (Object.keys(queue).length > 0) await updateDatasetSettings(c, workspace.id, found.id, queue);
    if (queueOrder !== undefined || learnedPrelabel !== undefined || retrainAfter !== undefined) {
      await updateLearningSettings(c, workspace.id, found.id, { queueOrder, learnedPrelabel, retrainAfter });
    }
    return settingsOf(c, workspace.id, found.id);
  });
  return json({ dataset });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods<Params>({ GET: get, PATCH: patch });
