import { Readable } from "node:stream";
import { AppError, uuidSchema } from "@facet/core";
import { partThumbnail } from "@facet/db";
import { inWorkspace, methods, parseParam, route } from "@/lib/api.server";
import { context } from "@/lib/context.server";

export const dynamic = "force-dynamic";

/**
 * The part's thumbnail (PNG, rendered by the worker with the mesh). Its key is content-addressed (the
 * blob, the tessellator and its parameters), so the browser may keep it for good: the ETag is the key.
 */
const get = route<{ ws: string; partId: string }>(async (req, params) => {
  const partId = parseParam(params.partId, uuidSchema, "partId");
  const { workspace, run } = await inWorkspace(req, params.ws);
  const found = await run((c) => partThumbnail(c, workspace.id, partId));
  if (!found) throw new AppError("NOT_FOUND", "no such part in this workspace");
  const key = found.thumbnailKey;
  if (!key) throw new AppError("NOT_FOUND", "this part has no thumbnail yet (it is drawn when the part is processed)");
  const etag = `"${key}"`;
  const cache = { "cache-control": "private, max-age=31536000, immutable", etag };
  if (req.headers.get("if-none-match") === etag) return new Response(null, { status: 304, headers: cache });
  const { store } = await context();
  const head = await store.head(key);
  if (!head) throw new AppError("NOT_FOUND", "this part's thumbnail is not in storage");
  const body = Readable.toWeb(await store.get(key)) as ReadableStream;
  return new Response(body, {
    headers: { "content-type": "image/png", "content-length": String(head.size), ...cache },
  });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get });
