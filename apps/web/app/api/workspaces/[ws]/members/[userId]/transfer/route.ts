import { uuidSchema } from "@facet/core";
import { transferMemberItems } from "@facet/db";
import { z } from "zod";
import { inWorkspace, json, methods, parseBody, parseParam, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

const body = z.object({ to: uuidSchema });

/**
 * Admins move what a member owns in the workspace (their datasets and saved filters) to another,
 * active, member, e.g. when they leave. Recorded in the audit log (member.items_transferred).
 */
const transfer = route<{ ws: string; userId: string }>(async (req, params) => {
  const userId = parseParam(params.userId, uuidSchema, "userId");
  const { to } = await parseBody(req, body);
  const { workspace, run } = await inWorkspace(req, params.ws, "members.manage");
  const moved = await run((c) =>
    transferMemberItems(c, { workspaceId: workspace.id, fromUserId: userId, toUserId: to }),
  );
  return json({ from: userId, to, ...moved });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ POST: transfer });
