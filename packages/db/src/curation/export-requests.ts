import { AppError } from "@facet/core";
import type { PoolClient } from "../pool";

/** An export of a snapshot as its requester sees it: the job's state until the archive is stored. */
export interface ExportRow {
  id: string;
  snapshotId: string;
  snapshotName: string;
  format: string;
  includeMeshes: boolean;
  status: "queued" | "running" | "completed" | "failed" | "canceled";
  progress: number;
  progressMessage: string | null;
  error: string | null;
  size: number | null;
  sha256: string | null;
  completedAt: string | null;
  createdAt: string;
}

const EXPORT_COLUMNS = `e.id, e.snapshot_id as "snapshotId", s.name as "snapshotName", e.format,
  e.include_meshes as "includeMeshes",
  case when e.completed_at is not null then 'completed' else coalesce(j.status::text, 'queued') end as status,
  case when e.completed_at is not null then 1 else coalesce(j.progress, 0) end::float8 as progress,
  j.progress_message as "progressMessage", case when e.completed_at is null then j.error end as error,
  e.archive_size::float8 as size, e.archive_sha256 as sha256, e.completed_at as "completedAt", e.created_at as "createdAt"`;
const EXPORT_FROM = `from public.snapshot_exports e join public.snapshots s on s.id = e.snapshot_id
  left join public.jobs j on j.id = e.job_id`;

/** Ask for an export (as the caller: ML engineers and admins): cached, joined or (re)started. */
export async function requestExport(
  client: PoolClient,
  input: { workspaceId: string; snapshotId: string; format: string; includeMeshes: boolean },
): Promise<{ export: ExportRow; started: boolean }> {
  const { rows } = await client.query<{ export_id: string; started: boolean }>(
    "select export_id, started from public.request_export($1, $2, $3)",
    [input.snapshotId, input.format, input.includeMeshes],
  );
  const r = rows[0] as { export_id: string; started: boolean };
  return { export: await getExport(client, input.workspaceId, r.export_id), started: r.started };
}

export async function getExport(client: PoolClient, workspaceId: string, exportId: string): Promise<ExportRow> {
  const { rows } = await client.query<ExportRow>(
    `select ${EXPORT_COLUMNS} ${EXPORT_FROM} where e.workspace_id = $1 and e.id = $2`,
    [workspaceId, exportId],
  );
  if (!rows[0]) throw new AppError("NOT_FOUND", "no such export in this workspace");
  return rows[0];
}

export async function listExports(client: PoolClient, workspaceId: string, snapshotId: string): Promise<ExportRow[]> {
  const { rows } = await client.query<ExportRow>(
    `select ${EXPORT_COLUMNS} ${EXPORT_FROM} where e.workspace_id = $1 and e.snapshot_id = $2
     order by e.created_at desc`,
    [workspaceId, snapshotId],
  );
  return rows;
}

/** Where a finished export's archive is, for a download (NOT_FOUND until it is finished). */
export async function exportArchive(
  client: PoolClient,
  workspaceId: string,
  exportId: string,
): Promise<{ key: string; fileName: string }> {
  const { rows } = await client.query<{ key: string | null; snapshot: string; format: string }>(
    `select e.archive_key as key, s.name as snapshot, e.format ${EXPORT_FROM}
     where e.workspace_id = $1 and e.id = $2`,
    [workspaceId, exportId],
  );
  const r = rows[0];
  if (!r) throw new AppError("NOT_FOUND", "no such export in this workspace");
  if (!r.key) throw new AppError("CONFLICT", "this export is not finished yet");
  return { key: r.key, fileName: `${r.snapshot}-${r.format}.zip` };
}

export interface JobStatus {
  id: string;
  kind: string;
  status: string;
  progress: number;
  progressMessage: string | null;
  error: string | null;
  result: unknown;
  createdAt: string;
  finishedAt: string | null;
}

/** A job of this workspace, for following its progress. */
export async function getJob(client: PoolClient, workspaceId: string, jobId: string): Promise<JobStatus> {
  const { rows } = await client.query<JobStatus>(
    `select id, kind, status, progress::float8 as progress, progress_message as "progressMessage", error, result,
            created_at as "createdAt", finished_at as "finishedAt"
     from public.jobs where workspace_id = $1 and id = $2`,
    [workspaceId, jobId],
  );
  if (!rows[0]) throw new AppError("NOT_FOUND", "no such job in this workspace");
  return rows[0];
}
