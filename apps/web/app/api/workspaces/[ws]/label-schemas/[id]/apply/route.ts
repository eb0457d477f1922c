import { uuidSchema } from "@facet/core";
import { applyMappingBatch, mappingProgress } from "@facet/db";
import { z } from "zod";
import { inWorkspace, json, methods, parseBody, parseParam, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

const body = z.object({ limit: z.number().int().min(1).max(200).default(50) }).strict();

/** Where applying the mapping that made this version stands (parts done, remaining, flagged). */
const get = route<{ ws: string; id: string }>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws, "schemas.manage");
  const id = parseParam(params.id, uuidSchema, "id");
  return json({ progress: await run((c) => mappingProgress(c, workspace.id, id)) });
});

/**
 * Apply the mapping to the next batch of parts (one transaction, each part atomic): datasets on the
 * old version move to this one, and each part's current labels get a new revision under it. Call
 * again until `remaining` is 0; a part is never mapped twice.
 */
const post = route<{ ws: string; id: string }>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws, "schemas.manage");
  const id = parseParam(params.id, uuidSchema, "id");
  const b = await parseBody(req, body);
  return json({
    progress: await run((c) => applyMappingBatch(c, { workspaceId: workspace.id, toId: id, limit: b.limit })),
  });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get, POST: post });
