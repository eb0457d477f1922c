import { type Pool, pruneEventStreams, pruneRateLimits } from "@facet/db";
import type { BlobStore } from "@facet/storage";

/** Uploads not completed within this long are abandoned (upload URLs live 15 minutes by default). */
export const STALE_UPLOAD_MS = 24 * 3600_000;
/** A temporary file of the blob store nothing wrote to for this long belongs to a write that died. */
export const INTERRUPTED_WRITE_MS = 3600_000;

/**
 * Periodic clean-up, every ten minutes: rate-limit rows whose budget is full again, live streams whose
 * server died without closing them, uploads
 * that were never completed (bytes PUT under `uploads/<workspace>/…` and then abandoned: they prove
 * nothing to anyone and would fill the store), and the temporary files of writes whose process was
 * killed before it finished them.
 */
export async function housekeeping(deps: {
  pool: Pool;
  store: BlobStore;
  now?: Date;
}): Promise<{ rateLimits: number; eventStreams: number; staleUploads: number; interruptedWrites: number }> {
  const rateLimits = await pruneRateLimits(deps.pool);
  const eventStreams = await pruneEventStreams(deps.pool);
  const now = (deps.now ?? new Date()).getTime();
  const before = now - STALE_UPLOAD_MS;
  let staleUploads = 0;
  for await (const o of deps.store.list("uploads/")) {
    if (o.lastModified.getTime() < before) {
      await deps.store.delete(o.key);
      staleUploads++;
    }
  }
  const interruptedWrites = await deps.store.sweepInterruptedWrites(new Date(now - INTERRUPTED_WRITE_MS));
  return { rateLimits, eventStreams, staleUploads, interruptedWrites };
}
