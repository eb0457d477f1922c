import { blobKey, JOB_KINDS } from "@facet/core";
import { recordVerifiedBlob } from "./blobs";
import { enqueueJob } from "./jobs";
import type { PoolClient } from "./pool";

export interface IngestedPart {
  id: string;
  name: string;
  status: string;
}

/**
 * Record verified content as a part of a dataset, in the caller's transaction (a user's: RLS decides
 * whether they may add parts to it): the blob and the workspace's proof of holding it (written as the
 * service: only the server vouches that the bytes were verified, so call this only after checking
 * them, or when the workspace held them already), the part, and its tessellation job.
 * Idempotent: a part already in the dataset with this content is returned as it is (`created` false).
 */
export async function recordIngestedPart(
  c: PoolClient,
  input: { workspaceId: string; datasetId: string; userId: string; sha256: string; size: number; name: string },
): Promise<{ part: IngestedPart; created: boolean }> {
  await c.query("set local role service_role");
  await recordVerifiedBlob(c, {
    sha256: input.sha256,
    size: input.size,
    storageKey: blobKey(input.sha256),
    workspaceId: input.workspaceId,
    userId: input.userId,
  });
  await c.query("set local role authenticated");
  const inserted = await c.query<IngestedPart>(
    `insert into public.parts (workspace_id, dataset_id, blob_sha256, name, created_by)
     values ($1, $2, $3, $4, auth.uid())
     on conflict (dataset_id, blob_sha256) do nothing
     returning id, name, status`,
    [input.workspaceId, input.datasetId, input.sha256, input.name],
  );
  const created = inserted.rows[0];
  if (!created) {
    const { rows } = await c.query<IngestedPart>(
      "select id, name, status from public.parts where dataset_id = $1 and blob_sha256 = $2",
      [input.datasetId, input.sha256],
    );
    return { part: rows[0] as IngestedPart, created: false };
  }
  await enqueueJob(c, {
    workspaceId: input.workspaceId,
    partId: created.id,
    kind: JOB_KINDS.tessellate,
    payload: { sha256: input.sha256 },
  });
  return { part: created, created: true };
}
