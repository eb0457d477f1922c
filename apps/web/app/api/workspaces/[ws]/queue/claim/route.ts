import { AppError, uuidSchema } from "@facet/core";
import { claimNextPart } from "@facet/db";
import { z } from "zod";
import { inWorkspace, json, methods, parseBody, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

const body = z.object({
  datasetId: uuidSchema.optional(),
  leaseSeconds: z.number().int().min(30).max(3600).default(900),
});

/** Claim the next part of the queue (atomic, leased). 404 QUEUE_EMPTY when nothing is waiting. */
const post = route<{ ws: string }>(async (req, { ws }) => {
  const input = await parseBody(req, body);
  const { workspace, run } = await inWorkspace(req, ws, "parts.claim");
  const part = await run((c) => claimNextPart(c, { workspaceId: workspace.id, ...input }));
  if (!part) throw new AppError("QUEUE_EMPTY", "no part is waiting to be labelled");
  return json({ part });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ POST: post });
