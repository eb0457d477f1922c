import { uuidSchema } from "@facet/core";
import { revokeInvitation } from "@facet/db";
import { inWorkspace, json, methods, parseParam, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

const remove = route<{ ws: string; id: string }>(async (req, params) => {
  const id = parseParam(params.id, uuidSchema, "id");
  const { workspace, run } = await inWorkspace(req, params.ws, "members.manage");
  await run((c) => revokeInvitation(c, { workspaceId: workspace.id, id }));
  return json({ revoked: id });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ DELETE: remove });
