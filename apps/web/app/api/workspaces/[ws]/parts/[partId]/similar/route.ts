import { AppError, uuidSchema } from "@facet/core";
import { similarParts } from "@facet/db";
import { NEAR_DUPLICATE_DISTANCE } from "@facet/geometry";
import { z } from "zod";
import { inWorkspace, json, methods, parseParam, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

const querySchema = z.object({ limit: z.coerce.number().int().min(1).max(50).default(8) }).strict();

/**
 * The parts of this workspace nearest in shape to this one (the geometry fingerprint), nearest first;
 * `nearDuplicate` below the fingerprint's near-duplicate distance.
 */
const get = route<{ ws: string; partId: string }>(async (req, params) => {
  const partId = parseParam(params.partId, uuidSchema, "partId");
  const { limit } = parseParam(Object.fromEntries(req.nextUrl.searchParams), querySchema, "query");
  const { workspace, run } = await inWorkspace(req, params.ws);
  const result = await run((c) =>
    similarParts(c, { workspaceId: workspace.id, partId, limit, nearDuplicateDistance: NEAR_DUPLICATE_DISTANCE }),
  );
  if (!result) throw new AppError("NOT_FOUND", "no such part in this workspace");
  return json({ ...result, nearDuplicateDistance: NEAR_DUPLICATE_DISTANCE });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get });
