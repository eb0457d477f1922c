import { EXPORT_FORMATS } from "@facet/core";
import { listExports, requestExport, resolveSnapshot } from "@facet/db";
import { z } from "zod";
import { inWorkspace, json, methods, parseBody, route } from "@/lib/api.server";
import { exportWithDownload } from "@/lib/curation.server";
import { handOverQueuedJobs } from "@/lib/jobs.server";

export const dynamic = "force-dynamic";

const body = z.object({ format: z.enum(EXPORT_FORMATS), includeMeshes: z.boolean().default(false) }).strict();

const get = route<{ ws: string; snapshot: string }>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws);
  const exports = await run(async (c) =>
    listExports(c, workspace.id, (await resolveSnapshot(c, workspace.id, params.snapshot)).id),
  );
  return json({ exports: exports.map((e) => exportWithDownload(params.ws, e)) });
});

/** Export a snapshot in a format: made once by a job, then served from storage. */
const post = route<{ ws: string; snapshot: string }>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws, "parts.curate");
  const b = await parseBody(req, body);
  const result = await run(async (c) =>
    requestExport(c, {
      workspaceId: workspace.id,
      snapshotId: (await resolveSnapshot(c, workspace.id, params.snapshot)).id,
      format: b.format,
      includeMeshes: b.includeMeshes,
    }),
  );
  if (result.started) await handOverQueuedJobs();
  return json({ ...result, export: exportWithDownload(params.ws, result.export) }, result.started ? 202 : 200);
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get, POST: post });
