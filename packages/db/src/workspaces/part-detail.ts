import { AppError, JOB_KINDS, type JobPayload, type PartStatus } from "@facet/core";
import { enqueueJob } from "../jobs";
import type { PoolClient } from "../pool";

type TessellatePayload = JobPayload<typeof JOB_KINDS.tessellate>;

export interface PartDetail {
  id: string;
  name: string;
  status: PartStatus;
  datasetId: string;
  datasetName: string;
  blobSha256: string;
  size: number;
  failureReason: string | null;
  /** Mean per-face confidence of the pre-label; null without one. */
  prelabelConfidence: number | null;
  /** Faces on which several pre-labelers disagreed. */
  prelabelDisagreements: number | null;
  /** Why pre-labelling gave nothing, when every model failed. */
  prelabelError: string | null;
  annotatorEmail: string | null;
  createdAt: string;
  statusChangedAt: string;
  geometry: {
    id: string;
    meshKey: string;
    facesKey: string;
    faceCount: number;
    triangleCount: number;
    signature: string;
    tessellator: string;
    durationMs: number | null;
  } | null;
  jobs: Array<{
    id: string;
    kind: string;
    status: string;
    attempts: number;
    progress: number;
    error: string | null;
    createdAt: string;
  }>;
}

export async function getPart(client: PoolClient, workspaceId: string, partId: string): Promise<PartDetail> {
  const { rows } = await client.query<Omit<PartDetail, "geometry" | "jobs"> & { geometryId: string | null }>(
    `select p.id, p.name, p.status, p.dataset_id as "datasetId", d.name as "datasetName", p.blob_sha256 as "blobSha256",
            b.size, p.failure_reason as "failureReason", p.prelabel_confidence as "prelabelConfidence",
            p.prelabel_disagreements as "prelabelDisagreements", p.prelabel_error as "prelabelError", pr.email as "annotatorEmail", p.created_at as "createdAt",
            p.status_changed_at as "statusChangedAt", p.geometry_id as "geometryId"
     from public.parts p join public.datasets d on d.id = p.dataset_id join public.blobs b on b.sha256 = p.blob_sha256
     left join public.profiles pr on pr.user_id = p.annotator_id
     where p.workspace_id = $1 and p.id = $2`,
    [workspaceId, partId],
  );
  const part = rows[0];
  if (!part) throw new AppError("NOT_FOUND", "no such part in this workspace");
  const { geometryId, ...rest } = part;
  const geometry = geometryId
    ? ((
        await client.query<NonNullable<PartDetail["geometry"]>>(
          `select id, mesh_key as "meshKey", faces_key as "facesKey", face_count as "faceCount",
                  triangle_count as "triangleCount", face_signature as "signature", tessellator_version as "tessellator",
                  duration_ms as "durationMs"
           from public.part_geometry where id = $1`,
          [geometryId],
        )
      ).rows[0] ?? null)
    : null;
  const jobs = (
    await client.query<PartDetail["jobs"][number]>(
      `select id, kind, status, attempts, progress, error, created_at as "createdAt"
       from public.jobs where part_id = $1 order by created_at desc limit 20`,
      [partId],
    )
  ).rows;
  return { ...rest, geometry, jobs };
}

/**
 * NOT_FOUND unless the part is in this workspace (and visible to the caller): what a route says
 * before anything else about a part named in its path, so that a part of another workspace is never
 * answered about (not even "it is not failed").
 */
export async function assertPartInWorkspace(client: PoolClient, workspaceId: string, partId: string): Promise<void> {
  const r = await client.query("select 1 from public.parts where workspace_id = $1 and id = $2", [workspaceId, partId]);
  if (r.rowCount === 0) throw new AppError("NOT_FOUND", "no such part in this workspace");
}

/**
 * A `select ... for update` of a part found nothing: RLS lets FOR UPDATE see only rows the caller may
 * change, so a part they can see but not change is FORBIDDEN (with `why`), one they cannot see NOT_FOUND.
 */
export async function refuseUnlockablePart(
  client: PoolClient,
  workspaceId: string,
  partId: string,
  why: string,
): Promise<never> {
  await assertPartInWorkspace(client, workspaceId, partId);
  throw new AppError("FORBIDDEN", why);
}

/** Send a failed part back to processing (engineers and admins: the status trigger checks). */
export async function retryPart(client: PoolClient, workspaceId: string, partId: string): Promise<void> {
  await assertPartInWorkspace(client, workspaceId, partId);
  const r = await client.query<{ id: string }>(
    "update public.parts set status = 'uploaded' where workspace_id = $1 and id = $2 and status = 'failed' returning id",
    [workspaceId, partId],
  );
  if (r.rowCount === 0) throw new AppError("CONFLICT", "only a failed part can be retried");
  const { rows } = await client.query<{ sha256: string }>(
    "select blob_sha256 as sha256 from public.parts where id = $1",
    [partId],
  );
  await enqueueJob(client, {
    workspaceId,
    partId,
    kind: JOB_KINDS.tessellate,
    payload: { sha256: (rows[0] as { sha256: string }).sha256 },
  });
}

/**
 * Pre-label a part again (its models failed, a model was added, or its dataset was not pre-labelled):
 * a job that reuses the part's geometry and runs the configured pre-labelers. Only for a part waiting
 * `unannotated` with geometry and no job under way; engineers and admins (the jobs policy).
 */
export async function queuePrelabel(client: PoolClient, workspaceId: string, partId: string): Promise<void> {
  await assertPartInWorkspace(client, workspaceId, partId);
  const r = await client.query(
    `insert into public.jobs (workspace_id, kind, part_id, payload, created_by)
     select p.workspace_id, $3, p.id, $4::jsonb, auth.uid()
     from public.parts p
     where p.workspace_id = $1 and p.id = $2 and p.status = 'unannotated' and p.geometry_id is not null
       and not exists (select 1 from public.jobs j where j.part_id = p.id and j.status in ('queued', 'running'))`,
    [workspaceId, partId, JOB_KINDS.tessellate, JSON.stringify({ prelabel: true } satisfies TessellatePayload)],
  );
  if (r.rowCount === 0) {
    throw new AppError("CONFLICT", "only a processed part nobody has started labelling can be pre-labelled again");
  }
}

export async function discardPart(client: PoolClient, workspaceId: string, partId: string): Promise<void> {
  const r = await client.query("delete from public.parts where workspace_id = $1 and id = $2", [workspaceId, partId]);
  if (r.rowCount === 0) throw new AppError("NOT_FOUND", "no such part, or your role cannot discard it");
}

/**
 * Queue tessellation again for the parts of a dataset whose geometry was made by another tessellator
 * version (or by `fromVersion` when given): the backfill after an upgrade. Returns how many were queued.
 */
export async function queueReprocess(
  client: PoolClient,
  input: { workspaceId: string; datasetId: string; currentVersion: string; fromVersion?: string },
): Promise<number> {
  const { rowCount } = await client.query(
    `insert into public.jobs (workspace_id, kind, part_id, payload, created_by)
     select p.workspace_id, $5, p.id, $6::jsonb, auth.uid()
     from public.parts p left join public.part_geometry g on g.id = p.geometry_id
     where p.workspace_id = $1 and p.dataset_id = $2 and p.status not in ('uploaded', 'processing', 'failed')
       and (case when $4::text is null then g.tessellator_version is distinct from $3 else g.tessellator_version = $4 end)
       and not exists (select 1 from public.jobs j where j.part_id = p.id and j.status in ('queued', 'running'))`,
    [
      input.workspaceId,
      input.datasetId,
      input.currentVersion,
      input.fromVersion ?? null,
      JOB_KINDS.tessellate,
      JSON.stringify({ reprocess: true } satisfies TessellatePayload),
    ],
  );
  return rowCount ?? 0;
}
