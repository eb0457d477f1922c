import { json, methods, parseBody, route } from "@/lib/api.server";
import { beginUploads } from "@/lib/ingest/ingest";
import { ingestContext } from "@/lib/ingest/routes.server";
import { beginUploadsSchema } from "@/lib/ingest/schemas";

export const dynamic = "force-dynamic";

/**
 * Declare files (name, size, SHA-256; up to 1000 a request). Each answer says "present" (the part
 * exists), "linked" (bytes already stored: part made, nothing to send), "upload" (PUT the bytes to
 * `put.url` with `put.headers`, then call …/uploads/complete) or "rejected" (with the reason).
 */
const post = route<{ ws: string; dataset: string }>(async (req, params) => {
  const { files } = await parseBody(req, beginUploadsSchema);
  const { deps, dataset } = await ingestContext(req, params.ws, params.dataset, files.length);
  return json({ dataset: { id: dataset.id, name: dataset.name }, files: await beginUploads(deps, dataset, files) });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ POST: post });
