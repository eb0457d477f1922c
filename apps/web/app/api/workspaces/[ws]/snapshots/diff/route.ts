import { diffSnapshots } from "@facet/db";
import { z } from "zod";
import { inWorkspace, json, methods, parseParam, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

const ref = z.string().min(1).max(200);

/** What changed from snapshot a to snapshot b. */
const get = route<{ ws: string }>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws);
  const q = req.nextUrl.searchParams;
  const a = parseParam(q.get("a"), ref, "a");
  const b = parseParam(q.get("b"), ref, "b");
  return json(await run((c) => diffSnapshots(c, workspace.id, a, b)));
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get });
