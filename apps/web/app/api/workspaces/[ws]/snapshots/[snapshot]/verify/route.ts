import { z } from "zod";
import { inWorkspace, json, methods, parseBody, route } from "@/lib/api.server";
import { context } from "@/lib/context.server";
import { verifySnapshot } from "@/lib/curation.server";

export const dynamic = "force-dynamic";

/** Do the database, the manifest in storage and the stored files agree? (`deep`: read every file back.) */
const post = route<{ ws: string; snapshot: string }>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws);
  const { deep } = await parseBody(req, z.object({ deep: z.boolean().default(false) }).strict());
  const { store } = await context();
  return json(await verifySnapshot(run, store, workspace.id, params.snapshot, { deep }));
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ POST: post });
