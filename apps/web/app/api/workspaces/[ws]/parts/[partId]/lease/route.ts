import { uuidSchema } from "@facet/core";
import { getPartLiveState, renewClaim } from "@facet/db";
import { z } from "zod";
import { inWorkspace, json, methods, parseBody, parseParam, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

const body = z.object({ leaseSeconds: z.number().int().min(30).max(3600).default(900) });

/** The holder keeps their claim alive while the workbench is open (CONFLICT once they no longer hold it). */
const post = route<{ ws: string; partId: string }>(async (req, params) => {
  const partId = parseParam(params.partId, uuidSchema, "partId");
  const input = await parseBody(req, body);
  const { workspace, run } = await inWorkspace(req, params.ws, "parts.claim");
  const leaseExpiresAt = await run(async (c) => {
    await getPartLiveState(c, workspace.id, partId); // in this workspace, or NOT_FOUND
    return renewClaim(c, partId, input.leaseSeconds);
  });
  return json({ leaseExpiresAt });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ POST: post });
