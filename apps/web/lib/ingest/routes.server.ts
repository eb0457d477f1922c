import "server-only";
import { findDataset } from "@facet/db";
import type { NextRequest } from "next/server";
import { inWorkspace, rateLimit } from "../api.server";
import { context } from "../context.server";
import { env } from "../env.server";
import type { IngestDeps } from "./ingest";

/**
 * The dataset a route names (by id or by name) in a workspace the caller may upload to, after
 * spending `files` of the caller's upload budget (FACET_RATE_LIMIT_UPLOADS). The name arrives
 * decoded once by the router, as the client encoded it: it is not decoded again (a `%` in a name is
 * a `%`).
 */
export async function ingestContext(req: NextRequest, ws: string, datasetRef: string, files = 1) {
  const { claims, ctx, workspace, run } = await inWorkspace(req, ws, "parts.upload");
  await rateLimit(
    [{ bucket: "upload:user", key: claims.sub, limit: env().FACET_RATE_LIMIT_UPLOADS, cost: files }],
    "too many uploads: wait for the time in Retry-After, or ask an admin to raise FACET_RATE_LIMIT_UPLOADS",
  );
  const dataset = await run((c) => findDataset(c, workspace.id, datasetRef));
  const { pool, store } = await context();
  const e = env();
  const deps: IngestDeps = {
    pool,
    store,
    claims,
    ctx,
    maxBytes: e.FACET_MAX_UPLOAD_BYTES,
    uploadUrlTtlSeconds: e.FACET_UPLOAD_URL_TTL_SECONDS,
  };
  return { deps, dataset, workspace };
}
