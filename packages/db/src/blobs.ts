import type { PoolClient } from "./pool";

/**
 * Content possession. Blobs are stored once per SHA-256 for the whole instance, but a workspace
 * links a blob only when it has proven it holds the bytes: it uploaded them (verified by the server)
 * or already had them. `workspace_blobs` records each proof; row-level security lets parts refer
 * only to content their workspace holds.
 */

/** Which of these hashes the workspace holds, with the stored size (run as the user: RLS). */
export async function heldBlobs(
  client: PoolClient,
  workspaceId: string,
  hashes: string[],
): Promise<Map<string, { size: number }>> {
  if (hashes.length === 0) return new Map();
  const { rows } = await client.query<{ sha256: string; size: number }>(
    `select wb.sha256, b.size from public.workspace_blobs wb join public.blobs b on b.sha256 = wb.sha256
     where wb.workspace_id = $1 and wb.sha256 = any ($2) and b.verified_at is not null`,
    [workspaceId, hashes],
  );
  return new Map(rows.map((r) => [r.sha256, { size: r.size }]));
}

/** Parts of a dataset made of these hashes, with the stored size of each (run as the user: RLS). */
export async function partsOfDatasetByHash(
  client: PoolClient,
  datasetId: string,
  hashes: string[],
): Promise<Map<string, { part: { id: string; name: string; status: string }; size: number }>> {
  const { rows } = await client.query<{ id: string; name: string; status: string; sha256: string; size: number }>(
    `select p.id, p.name, p.status, p.blob_sha256 as sha256, b.size
     from public.parts p join public.blobs b on b.sha256 = p.blob_sha256
     where p.dataset_id = $1 and p.blob_sha256 = any ($2)`,
    [datasetId, hashes],
  );
  return new Map(rows.map(({ sha256, size, ...part }) => [sha256, { part, size }]));
}

/** Whether the instance has these bytes stored and verified (service only: never told to users). */
export async function isBlobVerified(serviceClient: PoolClient, sha256: string): Promise<{ size: number } | null> {
  const { rows } = await serviceClient.query<{ size: number }>(
    "select size from public.blobs where sha256 = $1 and verified_at is not null",
    [sha256],
  );
  return rows[0] ?? null;
}

/**
 * Record that the server verified these bytes for the workspace: the blob (once for the instance)
 * and the workspace's proof of holding it. Must run as the service (`set local role service_role`
 * inside the caller's transaction, or withService): only the server can vouch for bytes.
 */
export async function recordVerifiedBlob(
  serviceClient: PoolClient,
  input: {
    sha256: string;
    size: number;
    storageKey: string;
    mediaType?: string;
    workspaceId: string;
    userId: string | null;
  },
): Promise<void> {
  await serviceClient.query(
    `insert into public.blobs (sha256, size, media_type, storage_key, verified_at)
     values ($1, $2, $3, $4, now())
     on conflict (sha256) do update set
       -- a row nobody verified yet (recorded before verification existed) takes the verified facts
       size = case when public.blobs.verified_at is null then excluded.size else public.blobs.size end,
       storage_key = case when public.blobs.verified_at is null then excluded.storage_key else public.blobs.storage_key end,
       verified_at = coalesce(public.blobs.verified_at, now())`,
    [input.sha256, input.size, input.mediaType ?? "model/step", input.storageKey],
  );
  await serviceClient.query(
    `insert into public.workspace_blobs (workspace_id, sha256, proven_by) values ($1, $2, $3)
     on conflict (workspace_id, sha256) do nothing`,
    [input.workspaceId, input.sha256, input.userId],
  );
}
