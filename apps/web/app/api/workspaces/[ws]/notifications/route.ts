import { listNotifications } from "@facet/db";
import { inWorkspace, json, methods, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

/** The caller's notifications in this workspace, newest first, with the unread count. */
const get = route<{ ws: string }>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws);
  return json(await run((c) => listNotifications(c, workspace.id)));
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get });
