import { markNotificationsRead, unreadNotifications } from "@facet/db";
import { z } from "zod";
import { inWorkspace, json, methods, parseBody, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

/** `ids`: the notifications to mark read; without it, all of the caller's in this workspace. */
const body = z.object({ ids: z.array(z.number().int().positive()).max(500).optional() });

const post = route<{ ws: string }>(async (req, params) => {
  const input = await parseBody(req, body);
  const { workspace, run } = await inWorkspace(req, params.ws);
  const result = await run(async (c) => ({
    marked: await markNotificationsRead(c, { workspaceId: workspace.id, ...(input.ids ? { ids: input.ids } : {}) }),
    unread: await unreadNotifications(c, workspace.id),
  }));
  return json(result);
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ POST: post });
