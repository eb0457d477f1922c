import { resolveSnapshot } from "@facet/db";
import { contentDisposition } from "@facet/storage";
import { inWorkspace, methods, route } from "@/lib/api.server";
import { context } from "@/lib/context.server";
import { needManifest, readManifest } from "@/lib/curation.server";

export const dynamic = "force-dynamic";

/** The manifest as it is in storage (what `verify` compares with the database). */
const get = route<{ ws: string; snapshot: string }>(async (req, params) => {
  const { workspace, run } = await inWorkspace(req, params.ws);
  const s = await run((c) => resolveSnapshot(c, workspace.id, params.snapshot));
  const { store } = await context();
  const manifest = needManifest(await readManifest(store, s.id), params.snapshot);
  return new Response(`${JSON.stringify(manifest, null, 1)}\n`, {
    headers: {
      "Content-Type": "application/json",
      "Cache-Control": "private, no-store",
      "Content-Disposition": contentDisposition(`${s.name}.manifest.json`),
    },
  });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get });
