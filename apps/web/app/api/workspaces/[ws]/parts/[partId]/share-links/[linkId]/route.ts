import { uuidSchema } from "@facet/core";
import { getPartLiveState, revokeShareLink } from "@facet/db";
import { inWorkspace, json, methods, parseParam, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

/** Revoke a link: it stops working at once and stays on record. */
const revoke = route<{ ws: string; partId: string; linkId: string }>(async (req, params) => {
  const partId = parseParam(params.partId, uuidSchema, "partId");
  const linkId = parseParam(params.linkId, uuidSchema, "linkId");
  const { workspace, run } = await inWorkspace(req, params.ws, "parts.share");
  const link = await run(async (c) => {
    await getPartLiveState(c, workspace.id, partId);
    return revokeShareLink(c, { partId, linkId });
  });
  return json({ link });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ DELETE: revoke });
