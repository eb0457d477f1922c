import {
  AppError,
  DEFAULT_SPLIT_CONFIG,
  JOB_KINDS,
  type JobPayload,
  type SplitConfig,
  splitConfigSchema,
} from "@facet/core";
import type { PoolClient } from "../pool";
import { assertPartsInWorkspace } from "./catalog";

/** A dataset's split configuration (the default one until someone sets it). */
export async function getSplitConfig(
  client: PoolClient,
  workspaceId: string,
  datasetId: string,
): Promise<{ config: SplitConfig; isDefault: boolean }> {
  const { rows } = await client.query<{ split_config: unknown }>(
    "select split_config from public.datasets where workspace_id = $1 and id = $2",
    [workspaceId, datasetId],
  );
  if (!rows[0]) throw new AppError("NOT_FOUND", "no such dataset in this workspace");
  const stored = rows[0].split_config;
  if (stored === null) return { config: DEFAULT_SPLIT_CONFIG, isDefault: true };
  const parsed = splitConfigSchema.safeParse(stored);
  return parsed.success ? { config: parsed.data, isDefault: false } : { config: DEFAULT_SPLIT_CONFIG, isDefault: true };
}

export async function setSplitConfig(
  client: PoolClient,
  workspaceId: string,
  datasetId: string,
  config: SplitConfig,
): Promise<void> {
  const { rowCount } = await client.query(
    "update public.datasets set split_config = $3 where workspace_id = $1 and id = $2",
    [workspaceId, datasetId, JSON.stringify(splitConfigSchema.parse(config))],
  );
  if (!rowCount) throw new AppError("NOT_FOUND", "no such dataset in this workspace");
}

/** Queue the assignment of splits to the dataset's parts that have none (as the caller). */
export async function requestSplitAssignment(
  client: PoolClient,
  input: { workspaceId: string; datasetId: string },
): Promise<string> {
  const payload: JobPayload<typeof JOB_KINDS.split> = { datasetId: input.datasetId };
  const { rows } = await client.query<{ id: string }>(
    `insert into public.jobs (workspace_id, kind, payload, created_by)
     select d.workspace_id, $3, $4, auth.uid() from public.datasets d where d.workspace_id = $1 and d.id = $2
     returning id`,
    [input.workspaceId, input.datasetId, JOB_KINDS.split, JSON.stringify(payload)],
  );
  if (!rows[0]) throw new AppError("NOT_FOUND", "no such dataset in this workspace");
  return rows[0].id;
}

export interface SplitReport {
  splits: { split: string | null; parts: number; labelledParts: number; faces: number }[];
  classes: { feature: string; perSplit: Record<string, { parts: number; faces: number; instances: number }> }[];
}

const NO_SPLIT = "(none)";

/** Class balance per split: parts, labelled faces and instances of each feature class. */
export async function splitReport(client: PoolClient, workspaceId: string, datasetId: string): Promise<SplitReport> {
  const [splits, classes] = await Promise.all([
    client.query<SplitReport["splits"][number]>(
      `select c.split, count(*)::int as parts, count(c.revision_id)::int as "labelledParts",
              coalesce(sum(c.labelled_faces), 0)::int as faces
       from public.part_catalog c
       where c.workspace_id = $1 and c.dataset_id = $2 group by c.split order by c.split nulls last`,
      [workspaceId, datasetId],
    ),
    client.query<{ split: string | null; feature: string; parts: number; faces: number; instances: number }>(
      `select c.split, f.key as feature, count(*)::int as parts, sum(f.value::int)::int as faces,
              sum(coalesce((c.instance_counts ->> f.key)::int, 0))::int as instances
       from public.part_catalog c, jsonb_each_text(c.face_counts) f
       where c.workspace_id = $1 and c.dataset_id = $2 group by c.split, f.key order by f.key`,
      [workspaceId, datasetId],
    ),
  ]);
  const byFeature = new Map<string, SplitReport["classes"][number]>();
  for (const r of classes.rows) {
    const entry = byFeature.get(r.feature) ?? { feature: r.feature, perSplit: {} };
    entry.perSplit[r.split ?? NO_SPLIT] = { parts: r.parts, faces: r.faces, instances: r.instances };
    byFeature.set(r.feature, entry);
  }
  return { splits: splits.rows, classes: [...byFeature.values()] };
}

// ---- the split job (as the service) ----

export interface SplitJob {
  id: string;
  workspaceId: string;
  datasetId: string;
}

/** Take a split job: running, one more attempt. Null when it is gone or ended. */
export async function startSplitJob(client: PoolClient, jobId: string, runner: string): Promise<SplitJob | null> {
  const { rows } = await client.query<SplitJob>(
    `update public.jobs set status = 'running', attempts = attempts + 1, started_at = coalesce(started_at, now()),
            runner = $3, progress = 0, progress_message = 'reading the dataset'
     where id = $1 and kind = $2 and status in ('queued', 'running')
     returning id, workspace_id as "workspaceId", (payload ->> 'datasetId')::uuid as "datasetId"`,
    [jobId, JOB_KINDS.split, runner],
  );
  return rows[0] ?? null;
}

/** The split job failed for good (its message is what the page shows). */
export async function failSplitJob(client: PoolClient, jobId: string, reason: string): Promise<void> {
  await client.query(
    `update public.jobs set status = 'failed', error = $3, finished_at = now(), progress = 1
     where id = $1 and kind = $2 and status in ('queued', 'running')`,
    [jobId, JOB_KINDS.split, reason.slice(0, 2000)],
  );
}

export interface SplitCandidate {
  id: string;
  blobSha256: string;
  split: string | null;
  features: string[];
}

/** Every part of a dataset with what the assignment needs. */
export async function splitCandidates(client: PoolClient, datasetId: string): Promise<SplitCandidate[]> {
  const { rows } = await client.query<SplitCandidate>(
    `select p.id, p.blob_sha256 as "blobSha256", p.split, c.features
     from public.parts p join public.part_catalog c on c.part_id = p.id
     where p.dataset_id = $1 order by p.id`,
    [datasetId],
  );
  return rows;
}

/**
 * Pairs of the dataset's parts whose geometry fingerprints are closer than `distance`: a box
 * search on the cube index (every coordinate within `distance`), then the exact distance.
 */
export async function nearDuplicatePairs(
  client: PoolClient,
  datasetId: string,
  distance: number,
): Promise<[string, string][]> {
  const { rows } = await client.query<{ a: string; b: string }>(
    `with mine as (
       select p.id, extensions.cube(g.shape_descriptor::float8[]) as c
       from public.parts p join public.part_geometry g on g.id = p.geometry_id
       where p.dataset_id = $1 and g.shape_descriptor is not null)
     select distinct least(a.id, p2.id)::text as a, greatest(a.id, p2.id)::text as b
     from mine a
     join public.part_geometry g2
       on extensions.cube(g2.shape_descriptor::float8[]) operator(extensions.<@)
          extensions.cube_enlarge(a.c, $2, extensions.cube_dim(a.c))
      and g2.shape_descriptor is not null
     join public.parts p2 on p2.geometry_id = g2.id and p2.dataset_id = $1 and p2.id <> a.id
     where extensions.cube(g2.shape_descriptor::float8[]) operator(extensions.<->) a.c < $2`,
    [datasetId, distance],
  );
  return rows.map((r) => [r.a, r.b]);
}

/** Write assigned splits (only to parts that still have none). The number written. */
export async function applySplits(
  client: PoolClient,
  datasetId: string,
  assigned: Map<string, string>,
): Promise<number> {
  const ids = [...assigned.keys()];
  const { rowCount } = await client.query(
    `update public.parts p set split = a.split
     from unnest($2::uuid[], $3::text[]) as a(id, split)
     where p.id = a.id and p.dataset_id = $1 and p.split is null`,
    [datasetId, ids, ids.map((id) => assigned.get(id))],
  );
  return rowCount ?? 0;
}

/** Set splits by hand (as the caller: ML engineers and admins), parts of this workspace only. */
export async function setPartSplits(
  client: PoolClient,
  input: { workspaceId: string; partIds: string[]; split: string | null },
): Promise<number> {
  await assertPartsInWorkspace(client, input.workspaceId, input.partIds);
  const { rowCount } = await client.query(
    `update public.parts set split = $3 where workspace_id = $1 and id = any ($2::uuid[])
       and split is distinct from $3`,
    [input.workspaceId, input.partIds, input.split],
  );
  return rowCount ?? 0;
}
