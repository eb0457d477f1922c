import { uuidSchema } from "@facet/core";
import { submitPart } from "@facet/db";
import { z } from "zod";
import { inWorkspace, json, methods, parseBody, parseParam, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

/** `revisionNo`: the revision the annotator is looking at; a newer one makes this a CONFLICT. */
const body = z.object({ revisionNo: z.number().int().min(1) });

/**
 * The holder sends the part to review. Refused with INCOMPLETE_ANNOTATION while a face of its
 * current numbering has no label (the database checks, whoever asks).
 */
const post = route<{ ws: string; partId: string }>(async (req, params) => {
  const partId = parseParam(params.partId, uuidSchema, "partId");
  const input = await parseBody(req, body);
  const { workspace, run } = await inWorkspace(req, params.ws, "parts.claim");
  const status = await run((c) => submitPart(c, { workspaceId: workspace.id, partId, revisionNo: input.revisionNo }));
  return json({ status });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ POST: post });
