import { uuidSchema } from "@facet/core";
import { getPartLiveState, partHistory } from "@facet/db";
import { inWorkspace, json, methods, parseParam, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

/** Everything that happened to the part (status changes, revisions, reviews, comments, links), oldest first. */
const get = route<{ ws: string; partId: string }>(async (req, params) => {
  const partId = parseParam(params.partId, uuidSchema, "partId");
  const { workspace, run } = await inWorkspace(req, params.ws);
  const events = await run(async (c) => {
    await getPartLiveState(c, workspace.id, partId);
    return partHistory(c, partId);
  });
  return json({ events });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get });
