import { type Pool, pruneEventStreams, pruneRateLimits } from "@facet/db";
import type { BlobStore } from "@facet/storage";

/** Uploads not completed within this long are abandoned (upload URLs live 15 minutes by default). */
export const STALE_UPLOAD_MS = 24 * 3600_000;

/**
 * Periodic clean-up, every ten minutes: rate-limit rows whose budget is full again, live streams whose
 * server died without closing them, and uploads
 * that were never completed (bytes PUT under `uploads/<workspace>/…` and then abandoned: they prove
 * nothing to anyone and would fill the store).
 */
export async function housekeeping(deps: {
  pool: Pool;
  store: BlobStore;
  now?: Date;
}): Promise<{ rateLimits: number; eventStreams: number; staleUploads: number }> {
  const rateLimits = await pruneRateLimits(deps.pool);
  const eventStreams = await pruneEventStreams(deps.pool);
  const before = (deps.now ?? new Date()).getTime() - STALE_UPLOAD_MS;
  let staleUploads = 0;
  for await (const o of deps.store.list("uploads/")) {
    if (o.lastModified.getTime() < before) {
      await deps.store.delete(o.key);
      staleUploads++;
    }
  }
  return { rateLimits, eventStreams, staleUploads };
}
