import { listMembersWithActivity } from "@facet/db";
import { inWorkspace, json, methods, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

/** The workspace's members; for admins each with when they were last active (lastActiveAt, lastSeenAt). */
const get = route<{ ws: string }>(async (req, { ws }) => {
  const { workspace, run } = await inWorkspace(req, ws);
  return json({ members: await run((c) => listMembersWithActivity(c, workspace.id)) });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get });
