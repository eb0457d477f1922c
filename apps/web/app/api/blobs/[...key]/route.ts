import { Readable } from "node:stream";
import { AppError } from "@facet/core";
import type { FsBlobStore } from "@facet/storage";
import type { NextRequest } from "next/server";
import { json, methods, route } from "@/lib/api.server";
import { context } from "@/lib/context.server";

export const dynamic = "force-dynamic";

/**
 * The filesystem store's presigned URLs (embedded default): PUT and GET of one object, accepted only
 * with a valid, unexpired signature bound to the key, the length and the SHA-256. Bytes are checked
 * while they arrive and written atomically; a refused or interrupted upload leaves nothing.
 */
async function fsStore(): Promise<FsBlobStore> {
  const { store } = await context();
  // by kind, not instanceof: the adapters may come from another bundle's copy of the module (proxy.ts)
  if (store.kind !== "fs") throw new AppError("NOT_FOUND", "this installation stores blobs elsewhere");
  return store as FsBlobStore;
}

const put = route<{ key: string[] }>(async (req: NextRequest, params) => {
  const store = await fsStore();
  const key = params.key.join("/");
  const allowed = store.verifyPresigned("PUT", key, req.nextUrl.searchParams);
  const length = req.headers.get("content-length");
  if (length !== null && Number(length) !== allowed.size) {
    throw new AppError("CONTENT_MISMATCH", `this URL accepts exactly ${allowed.size} bytes, not ${length}`);
  }
  const existing = await store.head(key);
  if (existing?.sha256 === allowed.sha256) {
    await req.body?.cancel();
    return json({ size: existing.size, sha256: allowed.sha256, stored: "already" });
  }
  if (!req.body) throw new AppError("EMPTY_FILE", "no bytes were sent");
  const stored = await store.put(key, Readable.fromWeb(req.body as import("node:stream/web").ReadableStream), {
    size: allowed.size,
    sha256: allowed.sha256,
  });
  return json({ ...stored, stored: "now" }, 201);
});

// The web server (server/main.ts) answers signed GETs itself before Next.js; this is the same answer
// for a request that reaches Next.js anyway (`next dev`, `next start`).
const get = route<{ key: string[] }>(async (req: NextRequest, params) => {
  const store = await fsStore();
  const answer = await store.openPresignedGet(params.key.join("/"), req.nextUrl.searchParams);
  return new Response(Readable.toWeb(answer.body()) as ReadableStream, { headers: answer.headers });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get, PUT: put });
