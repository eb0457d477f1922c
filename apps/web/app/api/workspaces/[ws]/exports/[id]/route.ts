import { getExport } from "@facet/db";
import { z } from "zod";
import { inWorkspace, json, methods, parseParam, route } from "@/lib/api.server";
import { exportWithDownload } from "@/lib/curation.server";

export const dynamic = "force-dynamic";

/** An export's state; when finished, where to download it. */
const get = route<{ ws: string; id: string }>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws);
  const id = parseParam(params.id, z.uuid(), "export id");
  const e = await run((c) => getExport(c, workspace.id, id));
  return json({ export: exportWithDownload(params.ws, e) });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get });
