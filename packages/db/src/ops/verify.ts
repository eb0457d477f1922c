import type { Pool, PoolClient } from "../pool";
import { withService } from "../session";

/**
 * What `facet verify` and the weekly verify job read and record (workers/src/ops/verify.ts): every
 * stored blob, every derived artefact, every snapshot of every workspace, as the service; and the
 * runs, kept in private.verify_runs (details for the operator; a summary for workspace admins).
 */

export interface StoredBlob {
  sha256: string;
  size: number;
  storageKey: string;
}

/** An object derived from a blob or a snapshot, with what the database recorded about it. */
export interface DerivedArtefact {
  key: string;
  kind: "mesh" | "faces" | "thumbnail" | "export" | "model";
  /** The row that names it: a part_geometry id, a snapshot_exports id or a prelabel_models id. */
  ownerId: string;
  /** Recorded for export archives and model files only: part_geometry records no hash or size of its files. */
  sha256: string | null;
  size: number | null;
  /** For a faces file: the face count and face signature part_geometry recorded for it. */
  faceCount: number | null;
  faceSignature: string | null;
}

export interface VerifyTotals {
  blobs: number;
  artefacts: number;
  snapshots: number;
}

const BLOB_COLUMNS = `sha256, size::float8 as size, storage_key as "storageKey"`;

// one row per stored object a geometry or a finished export names
const ARTEFACTS = `
  select g.mesh_key as key, 'mesh' as kind, g.id as "ownerId", null::text as sha256, null::float8 as size,
         null::int as "faceCount", null::text as "faceSignature"
  from public.part_geometry g
  union all
  select g.faces_key, 'faces', g.id, null, null, g.face_count, g.face_signature from public.part_geometry g
  union all
  select g.thumbnail_key, 'thumbnail', g.id, null, null, null, null
  from public.part_geometry g where g.thumbnail_key is not null
  union all
  select e.archive_key, 'export', e.id, e.archive_sha256, e.archive_size::float8, null, null
  from public.snapshot_exports e where e.archive_key is not null
  union all
  -- a learned pre-labeler's model file (content-addressed: named by its hash), once per file
  select 'models/' || m.model_sha256, 'model', min(m.id::text)::uuid, m.model_sha256, max(m.size_bytes)::float8, null, null
  from public.prelabel_models m where m.model_sha256 is not null group by m.model_sha256`;

/** How many blobs, artefacts and snapshots there are (for progress and for reporting a sample's share). */
export function verifyTotals(pool: Pool): Promise<VerifyTotals> {
  return withService(pool, async (c) => {
    const { rows } = await c.query<VerifyTotals>(
      `select (select count(*)::int from public.blobs) as blobs,
              (select count(*)::int from (${ARTEFACTS}) a) as artefacts,
              (select count(*)::int from public.snapshots) as snapshots`,
    );
    return rows[0] as VerifyTotals;
  });
}

/** Blobs in hash order, a page after `after` (null: from the start). */
export function storedBlobsPage(pool: Pool, after: string | null, limit: number): Promise<StoredBlob[]> {
  return withService(pool, async (c) => {
    const { rows } = await c.query<StoredBlob>(
      `select ${BLOB_COLUMNS} from public.blobs where $1::text is null or sha256 > $1 order by sha256 limit $2`,
      [after, limit],
    );
    return rows;
  });
}

/** `n` blobs chosen at random. */
export function sampleStoredBlobs(pool: Pool, n: number): Promise<StoredBlob[]> {
  return withService(pool, async (c) => {
    const { rows } = await c.query<StoredBlob>(`select ${BLOB_COLUMNS} from public.blobs order by random() limit $1`, [
      n,
    ]);
    return rows;
  });
}

/** Every derived artefact, in key order, a page after `after` (null: from the start). */
export function derivedArtefactsPage(pool: Pool, after: string | null, limit: number): Promise<DerivedArtefact[]> {
  return withService(pool, async (c) => {
    const { rows } = await c.query<DerivedArtefact>(
      `select * from (${ARTEFACTS}) a where $1::text is null or a.key collate "C" > $1 order by a.key collate "C" limit $2`,
      [after, limit],
    );
    return rows;
  });
}

/** `n` derived artefacts chosen at random. */
export function sampleDerivedArtefacts(pool: Pool, n: number): Promise<DerivedArtefact[]> {
  return withService(pool, async (c) => {
    const { rows } = await c.query<DerivedArtefact>(`select * from (${ARTEFACTS}) a order by random() limit $1`, [n]);
    return rows;
  });
}

/** Every snapshot of every workspace (ids only: the check reads each one as the service). */
export function allSnapshots(pool: Pool): Promise<{ id: string; workspaceId: string; name: string }[]> {
  return withService(pool, async (c) => {
    const { rows } = await c.query<{ id: string; workspaceId: string; name: string }>(
      `select id, workspace_id as "workspaceId", name from public.snapshots order by workspace_id, created_at, id`,
    );
    return rows;
  });
}

export interface VerifyRunRecord {
  trigger: "cli" | "schedule";
  startedAt: Date;
  sample: number | null;
  ok: boolean;
  blobs: { checked: number; mismatched: number; missing: number };
  artefacts: { checked: number; mismatched: number; missing: number };
  snapshots: { checked: number; drifted: number };
  durationMs: number;
  report: unknown;
}

/** Record a finished run; its id. */
export function recordVerifyRun(pool: Pool, r: VerifyRunRecord): Promise<string> {
  return withService(pool, async (c) => {
    const { rows } = await c.query<{ id: string }>(
      `insert into private.verify_runs (trigger, started_at, sample, ok, blobs_checked, blobs_mismatched, blobs_missing,
         artefacts_checked, artefacts_mismatched, artefacts_missing, snapshots_checked, snapshots_drifted, duration_ms,
         report)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) returning id`,
      [
        r.trigger,
        r.startedAt,
        r.sample,
        r.ok,
        r.blobs.checked,
        r.blobs.mismatched,
        r.blobs.missing,
        r.artefacts.checked,
        r.artefacts.mismatched,
        r.artefacts.missing,
        r.snapshots.checked,
        r.snapshots.drifted,
        Math.round(r.durationMs),
        JSON.stringify(r.report),
      ],
    );
    return (rows[0] as { id: string }).id;
  });
}

/** The last run as anyone may see it: when, who ran it, what was checked and how much drifted. */
export interface VerifySummary {
  finishedAt: Date;
  trigger: "cli" | "schedule";
  sample: number | null;
  ok: boolean;
  blobsChecked: number;
  artefactsChecked: number;
  snapshotsChecked: number;
  drift: number;
}

const SUMMARY_COLUMNS = `finished_at as "finishedAt", trigger, sample, ok, blobs_checked as "blobsChecked",
  artefacts_checked as "artefactsChecked", snapshots_checked as "snapshotsChecked", drift`;

/** The last recorded run (health; the operator), or null when verify never ran. */
export function lastVerifyRun(pool: Pool): Promise<VerifySummary | null> {
  return withService(pool, async (c) => {
    const { rows } = await c.query<VerifySummary>(
      `select ${SUMMARY_COLUMNS} from (
         select *, blobs_mismatched + blobs_missing + artefacts_mismatched + artefacts_missing + snapshots_drifted
                   as drift
         from private.verify_runs order by finished_at desc limit 1) r`,
    );
    return rows[0] ?? null;
  });
}

/** The last run's summary for an admin of the workspace (as the user: null for anyone else, or never run). */
export async function lastVerifySummary(client: PoolClient, workspaceId: string): Promise<VerifySummary | null> {
  const { rows } = await client.query<VerifySummary>(`select ${SUMMARY_COLUMNS} from public.last_verify_run($1)`, [
    workspaceId,
  ]);
  return rows[0] ?? null;
}
