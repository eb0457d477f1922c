import { findSnapshot } from "@facet/db";
import { inWorkspace, json, methods, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

const get = route<{ ws: string; snapshot: string }>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws);
  return json({ snapshot: await run((c) => findSnapshot(c, workspace.id, params.snapshot)) });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get });
