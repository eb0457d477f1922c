import { getJob } from "@facet/db";
import { z } from "zod";
import { inWorkspace, json, methods, parseParam, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

/** A background job of this workspace: status and progress. */
const get = route<{ ws: string; id: string }>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws);
  const id = parseParam(params.id, z.uuid(), "job id");
  return json({ job: await run((c) => getJob(c, workspace.id, id)) });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get });
