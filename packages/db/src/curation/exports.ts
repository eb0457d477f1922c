import { JOB_KINDS } from "@facet/core";
import type { PoolClient } from "../pool";
import { snapshotPageCondition } from "./snapshots";

/**
 * The worker's side of snapshot exports (as the service): take the `curation:export` job, read the
 * snapshot's parts page by page, record the archive and finish. Who may ask for an export is decided
 * by `public.request_export`.
 */

const ENDED = ["completed", "failed", "canceled"];

export type SnapshotExportFormat = "parquet" | "jsonl" | "mfcad" | "mfinstseg" | "step";

/** An export job with the export, its snapshot and the snapshot's label schema. */
export interface ExportJob {
  jobId: string;
  status: string;
  attempts: number;
  maxAttempts: number;
  export: {
    id: string;
    format: SnapshotExportFormat;
    includeMeshes: boolean;
    archiveKey: string | null;
    archiveSha256: string | null;
    archiveSize: number | null;
    completedAt: Date | null;
  };
  snapshot: {
    id: string;
    workspaceId: string;
    datasetId: string;
    name: string;
    checksum: string;
    partCount: number;
    faceCount: number;
    createdAt: Date;
    labelSchemaVersion: number | null;
  };
  /** The snapshot's label schema taxonomy (null: none). */
  taxonomy: unknown;
}

interface ExportJobRow {
  job_id: string;
  status: string;
  attempts: number;
  max_attempts: number;
  export_id: string | null;
  format: SnapshotExportFormat;
  include_meshes: boolean;
  archive_key: string | null;
  archive_sha256: string | null;
  archive_size: string | null;
  completed_at: Date | null;
  snapshot_id: string;
  workspace_id: string;
  dataset_id: string;
  name: string;
  checksum: string;
  part_count: number;
  face_count: string;
  created_at: Date;
  label_schema_version: number | null;
  taxonomy: unknown;
}

async function lockExportJob(c: PoolClient, jobId: string): Promise<ExportJob | null | "no-export"> {
  const { rows } = await c.query<ExportJobRow>(
    `select j.id as job_id, j.status, j.attempts, j.max_attempts, e.id as export_id, e.format, e.include_meshes,
            e.archive_key, e.archive_sha256, e.archive_size, e.completed_at,
            s.id as snapshot_id, s.workspace_id, s.dataset_id, s.name, s.checksum, s.part_count, s.face_count,
            s.created_at, s.label_schema_version, ls.taxonomy
     from public.jobs j
     left join public.snapshot_exports e on e.id = (j.payload ->> 'exportId')::uuid
     left join public.snapshots s on s.id = e.snapshot_id
     left join public.label_schemas ls on ls.id = s.label_schema_id
     where j.id = $1 and j.kind = $2
     for update of j`,
    [jobId, JOB_KINDS.export],
  );
  const r = rows[0];
  if (!r) return null;
  if (!r.export_id) return "no-export";
  return {
    jobId: r.job_id,
    status: r.status,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    export: {
      id: r.export_id,
      format: r.format,
      includeMeshes: r.include_meshes,
      archiveKey: r.archive_key,
      archiveSha256: r.archive_sha256,
      archiveSize: r.archive_size === null ? null : Number(r.archive_size),
      completedAt: r.completed_at,
    },
    snapshot: {
      id: r.snapshot_id,
      workspaceId: r.workspace_id,
      datasetId: r.dataset_id,
      name: r.name,
      checksum: r.checksum,
      partCount: r.part_count,
      faceCount: Number(r.face_count),
      createdAt: r.created_at,
      labelSchemaVersion: r.label_schema_version,
    },
    taxonomy: r.taxonomy,
  };
}

/**
 * Take an export job (service): mark it running, one more attempt, by this runner. Null when the job
 * is gone or already ended; a job whose export was deleted fails with that reason.
 */
export async function startExportJob(
  c: PoolClient,
  jobId: string,
  runner: "graphile-worker" | "trigger.dev",
): Promise<ExportJob | null> {
  const job = await lockExportJob(c, jobId);
  if (job === null) return null;
  if (job === "no-export") {
    await failExportJob(c, jobId, "the export this job was to write no longer exists");
    return null;
  }
  if (ENDED.includes(job.status)) return null;
  await c.query(
    `update public.jobs set status = 'running', attempts = attempts + 1, started_at = coalesce(started_at, now()),
       runner = $2, progress = 0.01, progress_message = 'reading the snapshot', error = null
     where id = $1`,
    [jobId, runner],
  );
  return { ...job, attempts: job.attempts + 1 };
}

/** One part of a snapshot as an export reads it: what the snapshot pinned, the revision's document and the geometry's files. */
export interface SnapshotExportPart {
  partId: string;
  name: string;
  blobSha256: string;
  split: string | null;
  status: string;
  faceCount: number;
  faceSignature: string | null;
  documentSha256: string;
  revisionId: string;
  revisionNo: number;
  schemaVersion: number;
  document: unknown;
  /** The newest stored geometry of the blob with the pinned face numbering (null: none). */
  facesKey: string | null;
  meshKey: string | null;
}

/** The distinct splits of a snapshot (null: parts without one), for reading it split by split. */
export async function listSnapshotSplits(
  c: PoolClient,
  workspaceId: string,
  snapshotId: string,
): Promise<Array<string | null>> {
  const { rows } = await c.query<{ split: string | null }>(
    `select distinct split from public.snapshot_parts where snapshot_id = $1 and workspace_id = $2
     order by split nulls last`,
    [snapshotId, workspaceId],
  );
  return rows.map((r) => r.split);
}

/**
 * A page of a snapshot's parts of one split, after `afterPartId` in part-id order (keyset on the
 * primary key: each page costs the same however far in it is).
 */
export async function listSnapshotExportParts(
  c: PoolClient,
  input: { workspaceId: string; snapshotId: string; split: string | null; afterPartId: string | null; limit: number },
): Promise<SnapshotExportPart[]> {
  const q = snapshotExportPageQuery(input);
  const { rows } = await c.query<SnapshotExportPart>(q.sql, q.params);
  return rows;
}

/** The SQL of a page of listSnapshotExportParts (and for showing its plan). */
export function snapshotExportPageQuery(input: {
  workspaceId: string;
  snapshotId: string;
  split: string | null;
  afterPartId: string | null;
  limit: number;
}): { sql: string; params: unknown[] } {
  return {
    sql: `select sp.part_id as "partId", sp.name, sp.blob_sha256 as "blobSha256", sp.split, sp.status::text as status,
            sp.face_count as "faceCount", sp.face_signature as "faceSignature", sp.document_sha256 as "documentSha256",
            sp.revision_id as "revisionId", sp.revision_no as "revisionNo", sp.schema_version as "schemaVersion",
            r.document, g.faces_key as "facesKey", g.mesh_key as "meshKey"
     from public.snapshot_parts sp
     join public.annotation_revisions r on r.id = sp.revision_id
     left join lateral (
       select pg.faces_key, pg.mesh_key from public.part_geometry pg
       where pg.blob_sha256 = sp.blob_sha256 and pg.face_signature = sp.face_signature
       order by pg.created_at desc limit 1) g on true
     where ${snapshotPageCondition(input.split, input.afterPartId !== null)}
     limit $4`,
    params: [input.snapshotId, input.split, input.afterPartId, input.limit, input.workspaceId],
  };
}

/** The archive is stored: record where, how big and its hash (the export is served from now on). */
export async function recordExportArchive(
  c: PoolClient,
  exportId: string,
  archive: { key: string; size: number; sha256: string },
): Promise<void> {
  await c.query(
    `update public.snapshot_exports set archive_key = $2, archive_size = $3, archive_sha256 = $4, completed_at = now()
     where id = $1`,
    [exportId, archive.key, archive.size, archive.sha256],
  );
}

/** The export job failed for good, with the reason people will read. */
export async function failExportJob(c: PoolClient, jobId: string, reason: string): Promise<void> {
  await c.query(
    "update public.jobs set status = 'failed', error = $2, finished_at = now(), progress = 1 where id = $1",
    [jobId, reason],
  );
}

/** The job system gave up on an export job outside its handler: it fails with that reason, unless it ended. */
export async function failUnfinishedExportJob(c: PoolClient, jobId: string, reason: string): Promise<void> {
  const { rows } = await c.query<{ status: string }>(
    "select status from public.jobs where id = $1 and kind = $2 for update",
    [jobId, JOB_KINDS.export],
  );
  if (rows[0] && !ENDED.includes(rows[0].status)) await failExportJob(c, jobId, reason);
}
