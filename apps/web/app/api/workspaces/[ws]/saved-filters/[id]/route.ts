import { deleteSavedFilter } from "@facet/db";
import { z } from "zod";
import { inWorkspace, json, methods, parseParam, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

const del = route<{ ws: string; id: string }>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws);
  const id = parseParam(params.id, z.uuid(), "filter id");
  await run((c) => deleteSavedFilter(c, workspace.id, id));
  return json({ deleted: true });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ DELETE: del });
