import { uuidSchema } from "@facet/core";
import { getLabellingContext, listPresence } from "@facet/db";
import { inWorkspace, json, methods, parseParam, route } from "@/lib/api.server";
import { context } from "@/lib/context.server";

export const dynamic = "force-dynamic";

/**
 * Everything the labelling workbench loads for a part: the part, its geometry (with short-lived
 * download URLs for the mesh and the faces document), the dataset's taxonomy, the latest revision,
 * whether the caller holds the part, and who has it open. Any member may read it.
 */
const get = route<{ ws: string; partId: string }>(async (req, params) => {
  const partId = parseParam(params.partId, uuidSchema, "partId");
  const { workspace, claims, run } = await inWorkspace(req, params.ws);
  const { labelling, presence } = await run(async (c) => ({
    labelling: await getLabellingContext(c, workspace.id, partId),
    presence: await listPresence(c, partId),
  }));
  const { store } = await context();
  const urls = labelling.geometry
    ? {
        mesh: (await store.presignGet(labelling.geometry.meshKey, { expiresInSeconds: 3600 })).url,
        faces: (await store.presignGet(labelling.geometry.facesKey, { expiresInSeconds: 3600 })).url,
      }
    : null;
  const holds = labelling.part.status === "in_progress" && labelling.part.annotatorId === claims.sub;
  return json({ ...labelling, urls, you: { userId: claims.sub, holds }, presence });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get });
