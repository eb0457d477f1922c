import { memberRoleSchema, uuidSchema } from "@facet/core";
import { changeMemberRole, removeMember } from "@facet/db";
import { z } from "zod";
import { inWorkspace, json, methods, parseBody, parseParam, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

const body = z.object({ role: memberRoleSchema });

/** Admins change a member's role. The last admin cannot be demoted (LAST_ADMIN). */
const patch = route<{ ws: string; userId: string }>(async (req, params) => {
  const userId = parseParam(params.userId, uuidSchema, "userId");
  const { role } = await parseBody(req, body);
  const { workspace, run } = await inWorkspace(req, params.ws, "members.manage");
  await run((c) => changeMemberRole(c, { workspaceId: workspace.id, userId, role }));
  return json({ userId, role });
});

/** Admins remove a member. The last admin cannot be removed (LAST_ADMIN). */
const remove = route<{ ws: string; userId: string }>(async (req, params) => {
  const userId = parseParam(params.userId, uuidSchema, "userId");
  const { workspace, run } = await inWorkspace(req, params.ws, "members.manage");
  await run((c) => removeMember(c, { workspaceId: workspace.id, userId }));
  return json({ removed: userId });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ PATCH: patch, DELETE: remove });
