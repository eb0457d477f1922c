import { uuidSchema } from "@facet/core";
import { deactivateMember, reactivateMember } from "@facet/db";
import { inWorkspace, json, methods, parseParam, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

/**
 * Admins deactivate a member: from their next request on, neither their sessions nor their API keys
 * reach this workspace (the database's own membership checks ignore a deactivated membership), and
 * the parts they held go back to the queue. Not yourself; never the last active admin (LAST_ADMIN).
 */
const deactivate = route<{ ws: string; userId: string }>(async (req, params) => {
  const userId = parseParam(params.userId, uuidSchema, "userId");
  const { workspace, run } = await inWorkspace(req, params.ws, "members.manage");
  const { releasedParts } = await run((c) => deactivateMember(c, { workspaceId: workspace.id, userId }));
  return json({ userId, active: false, releasedParts });
});

/** Admins reactivate a member: their access comes back with the role they had. */
const reactivate = route<{ ws: string; userId: string }>(async (req, params) => {
  const userId = parseParam(params.userId, uuidSchema, "userId");
  const { workspace, run } = await inWorkspace(req, params.ws, "members.manage");
  await run((c) => reactivateMember(c, { workspaceId: workspace.id, userId }));
  return json({ userId, active: true });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ POST: deactivate, DELETE: reactivate });
