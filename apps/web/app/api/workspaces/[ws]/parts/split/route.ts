import { splitNameSchema } from "@facet/core";
import { setPartSplits } from "@facet/db";
import { z } from "zod";
import { inWorkspace, json, methods, parseBody, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

const body = z.object({ partIds: z.array(z.uuid()).min(1).max(10_000), split: splitNameSchema.nullable() }).strict();

/** Put a selection of parts in a split by hand (or take them out of any). */
const post = route<{ ws: string }>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws, "parts.curate");
  const b = await parseBody(req, body);
  const changed = await run((c) => setPartSplits(c, { workspaceId: workspace.id, ...b }));
  return json({ changed });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ POST: post });
