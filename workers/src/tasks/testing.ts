import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { blobKey, JOB_KINDS } from "@facet/core";
import type { Pool } from "@facet/db";
import { CORPUS } from "@facet/geometry/testing";
import type { BlobStore } from "@facet/storage";

/**
 * For worker tests: what an upload leaves — the verified blob in the store and the database, the part
 * (the same bytes in the same dataset are one part, renamed) and its queued tessellation job.
 */
export async function uploadedPart(
  owner: Pool,
  store: BlobStore,
  input: { workspaceId: string; datasetId: string; name: string; bytes: Buffer },
): Promise<{ partId: string; jobId: string; hash: string }> {
  const { bytes } = input;
  const hash = createHash("sha256").update(bytes).digest("hex");
  if (!(await store.head(blobKey(hash))))
    await store.put(blobKey(hash), Readable.from([bytes]), { size: bytes.length, sha256: hash });
  await owner.query(
    "insert into blobs (sha256, size, storage_key, verified_at) values ($1, $2, $3, now()) on conflict do nothing",
    [hash, bytes.length, blobKey(hash)],
  );
  const part = await owner.query<{ id: string }>(
    `insert into parts (workspace_id, dataset_id, blob_sha256, name) values ($1, $2, $3, $4)
     on conflict (dataset_id, blob_sha256) do update set name = excluded.name returning id`,
    [input.workspaceId, input.datasetId, hash, input.name],
  );
  const partId = (part.rows[0] as { id: string }).id;
  return { partId, jobId: await queuedTessellation(owner, input.workspaceId, partId), hash };
}

/** A queued tessellation job for a part, as the upload (or a retry) records it. */
export async function queuedTessellation(owner: Pool, workspaceId: string, partId: string): Promise<string> {
  const job = await owner.query<{ id: string }>(
    "insert into jobs (workspace_id, kind, part_id) values ($1, $2, $3) returning id",
    [workspaceId, JOB_KINDS.tessellate, partId],
  );
  return (job.rows[0] as { id: string }).id;
}

/** What `probe` gives once it is truthy, asked every `everyMs`; an error naming `what` after `ms`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | null | undefined>,
  { ms = 300_000, everyMs = 250 }: { ms?: number; everyMs?: number } = {},
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** `uploadedPart` of the corpus's MFCAD part `name` (without `.step`). */
export async function uploadedMfcadPart(
  owner: Pool,
  store: BlobStore,
  into: { workspaceId: string; datasetId: string },
  name: string,
): Promise<{ partId: string; jobId: string; hash: string }> {
  const bytes = await readFile(path.join(CORPUS, `mfcad/${name}.step`));
  return uploadedPart(owner, store, { ...into, name: `${name}.step`, bytes });
}
