import { tagSchema } from "@facet/core";
import { tagParts } from "@facet/db";
import { z } from "zod";
import { inWorkspace, json, methods, parseBody, route } from "@/lib/api.server";

export const dynamic = "force-dynamic";

const body = z
  .object({
    partIds: z.array(z.uuid()).min(1).max(10_000),
    add: z.array(tagSchema).max(20).default([]),
    remove: z.array(tagSchema).max(20).default([]),
  })
  .strict()
  .refine((b) => b.add.length + b.remove.length > 0, "name tags to add or remove");

/** Add and remove tags on a selection of parts. */
const post = route<{ ws: string }>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws, "parts.curate");
  const b = await parseBody(req, body);
  const changed = await run((c) => tagParts(c, { workspaceId: workspace.id, ...b }));
  return json({ changed });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ POST: post });
