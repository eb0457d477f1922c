import { uuidSchema } from "@facet/core";
import { releasePart } from "@facet/db";
import { inWorkspace, json, methods, parseParam, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

const post = route<{ ws: string; partId: string }>(async (req, params) => {
  const partId = parseParam(params.partId, uuidSchema, "partId");
  const { workspace, run } = await inWorkspace(req, params.ws, "parts.claim");
  await run((c) => releasePart(c, workspace.id, partId));
  return json({ released: partId });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ POST: post });
