import "server-only";
import { AppError, uuidSchema } from "@facet/core";
import type { NextRequest } from "next/server";
import { inWorkspace } from "../api.server";
import { context } from "../context.server";
import { env } from "../env.server";
import type { Dataset, IngestDeps } from "./ingest";

/** The dataset a route names (by id or by name) in a workspace the caller may upload to. */
export async function ingestContext(req: NextRequest, ws: string, datasetRef: string) {
  const { claims, ctx, workspace, run } = await inWorkspace(req, ws, "parts.upload");
  const ref = decodeURIComponent(datasetRef);
  const byId = uuidSchema.safeParse(ref).success;
  const dataset = await run(async (c) => {
    const { rows } = await c.query<Dataset>(
      `select id, workspace_id as "workspaceId", name from public.datasets
       where workspace_id = $1 and ${byId ? "id = $2::uuid" : "name = $2"}`,
      [workspace.id, ref],
    );
    return rows[0];
  });
  if (!dataset) throw new AppError("NOT_FOUND", `no dataset "${ref}" in this workspace`);
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
