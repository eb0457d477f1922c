import { memberRoleSchema, uuidSchema } from "@facet/core";
import { changeMemberRole, countMemberships, removeMember, withService } from "@facet/db";
import { z } from "zod";
import { inWorkspace, json, methods, parseBody, parseParam, route } from "@/lib/api.server";
import { context } from "@/lib/context.server";

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

/**
 * Admins remove a member. The last admin cannot be removed (LAST_ADMIN). Their access to the
 * workspace ends at once (every request checks membership; their open live streams close). When it
 * was their last workspace, their sessions end too; someone who is still in other workspaces stays
 * signed in there (one workspace's admin cannot sign people out of the others).
 */
const remove = route<{ ws: string; userId: string }>(async (req, params) => {
  const userId = parseParam(params.userId, uuidSchema, "userId");
  const { workspace, run } = await inWorkspace(req, params.ws, "members.manage");
  await run((c) => removeMember(c, { workspaceId: workspace.id, userId }));
  const { pool, auth } = await context();
  const left = await withService(pool, (c) => countMemberships(c, userId));
  const sessionsEnded = left === 0 ? await auth.endSessions(userId) : 0;
  return json({ removed: userId, sessionsEnded });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ PATCH: patch, DELETE: remove });
