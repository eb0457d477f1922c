import { listMembers } from "@facet/db";
import { inWorkspace, json, methods, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

const get = route<{ ws: string }>(async (req, { ws }) => {
  const { workspace, run } = await inWorkspace(req, ws);
  return json({ members: await run((c) => listMembers(c, workspace.id)) });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get });
