import { uuidSchema } from "@facet/core";
import { discardPart, getPart } from "@facet/db";
import { inWorkspace, json, methods, parseParam, route } from "@/lib/api.server";
import { geometryUrls } from "@/lib/context.server";

export const dynamic = "force-dynamic";

/** A part with its geometry (short-lived download URLs for the mesh and the faces document) and jobs. */
const get = route<{ ws: string; partId: string }>(async (req, params) => {
  const partId = parseParam(params.partId, uuidSchema, "partId");
  const { workspace, run } = await inWorkspace(req, params.ws);
  const part = await run((c) => getPart(c, workspace.id, partId));
  const urls = part.geometry
    ? await geometryUrls(part.geometry).then((u) => ({ mesh: u.meshUrl, faces: u.facesUrl }))
    : null;
  return json({ part, urls });
});

/** Engineers and admins discard a part. */
const remove = route<{ ws: string; partId: string }>(async (req, params) => {
  const partId = parseParam(params.partId, uuidSchema, "partId");
  const { workspace, run } = await inWorkspace(req, params.ws, "parts.upload");
  await run((c) => discardPart(c, workspace.id, partId));
  return json({ discarded: partId });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get, DELETE: remove });
