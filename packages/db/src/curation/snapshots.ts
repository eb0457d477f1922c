import {
  AppError,
  type CatalogFilter,
  isEmptyCatalogFilter,
  type PartStatus,
  SNAPSHOT_MANIFEST_FORMAT,
  type SnapshotManifest,
  type SnapshotPart,
} from "@facet/core";
import type { PoolClient } from "../pool";
import { catalogPartIds } from "./catalog";

export interface SnapshotRow {
  id: string;
  name: string;
  description: string;
  datasetId: string;
  datasetName: string;
  statuses: PartStatus[] | null;
  filter: string;
  labelSchema: { id: string; name: string; version: number } | null;
  partCount: number;
  faceCount: number;
  checksum: string;
  createdAt: string;
  createdBy: string | null;
  createdByEmail: string | null;
  /** Parts and faces per split (`split: null`: the parts without one). */
  splits: { split: string | null; parts: number; faces: number }[];
}

const SNAPSHOT_COLUMNS = `s.id, s.name, s.description, s.dataset_id as "datasetId", d.name as "datasetName",
  s.statuses, s.filter, s.part_count as "partCount", s.face_count::float8 as "faceCount", s.checksum,
  to_char(s.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as "createdAt",
  s.created_by as "createdBy", u.email as "createdByEmail",
  case when ls.id is null then null else jsonb_build_object('id', ls.id, 'name', ls.name, 'version', ls.version) end
    as "labelSchema",
  coalesce((select jsonb_agg(jsonb_build_object('split', x.split, 'parts', x.n, 'faces', x.faces)
                             order by x.split nulls last)
            from (select sp.split, count(*)::int n, sum(sp.face_count)::int faces from public.snapshot_parts sp
                  where sp.snapshot_id = s.id group by sp.split) x), '[]') as splits`;

const SNAPSHOT_FROM = `from public.snapshots s join public.datasets d on d.id = s.dataset_id
  left join public.profiles u on u.user_id = s.created_by
  left join public.label_schemas ls on ls.id = s.label_schema_id`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Freeze a snapshot of a dataset (as the caller: ML engineers and admins). Without a filter it
 * takes every part with a label revision (of the given statuses, or any); with one, the parts the
 * catalog shows for it.
 */
export async function freezeSnapshot(
  client: PoolClient,
  input: {
    workspaceId: string;
    datasetId: string;
    name: string;
    description?: string;
    statuses?: PartStatus[] | null;
    filter?: CatalogFilter | null;
    filterText?: string;
  },
): Promise<SnapshotRow> {
  const ids =
    input.filter && !isEmptyCatalogFilter(input.filter)
      ? await catalogPartIds(client, {
          workspaceId: input.workspaceId,
          datasetId: input.datasetId,
          filter: input.filter,
        })
      : null;
  const { rows } = await client.query<{ id: string }>(
    "select public.freeze_snapshot($1, $2, $3, $4::uuid[], $5::public.part_status[], $6) as id",
    [
      input.datasetId,
      input.name,
      input.description ?? "",
      ids,
      input.statuses?.length ? input.statuses : null,
      input.filterText ?? "",
    ],
  );
  return findSnapshot(client, input.workspaceId, (rows[0] as { id: string }).id);
}

export async function listSnapshots(
  client: PoolClient,
  input: { workspaceId: string; datasetId?: string | null },
): Promise<SnapshotRow[]> {
  const { rows } = await client.query<SnapshotRow>(
    `select ${SNAPSHOT_COLUMNS} ${SNAPSHOT_FROM}
     where s.workspace_id = $1 and ($2::uuid is null or s.dataset_id = $2)
     order by s.created_at desc, s.name`,
    [input.workspaceId, input.datasetId ?? null],
  );
  return rows;
}

/** A snapshot by id or name; NOT_FOUND naming what was asked. */
export async function findSnapshot(client: PoolClient, workspaceId: string, ref: string): Promise<SnapshotRow> {
  const byId = UUID.test(ref);
  const { rows } = await client.query<SnapshotRow>(
    `select ${SNAPSHOT_COLUMNS} ${SNAPSHOT_FROM}
     where s.workspace_id = $1 and ${byId ? "s.id = $2::uuid" : "s.name = $2"}`,
    [workspaceId, ref],
  );
  if (!rows[0]) throw new AppError("NOT_FOUND", `no snapshot "${ref}" in this workspace`);
  return rows[0];
}

/** A snapshot's id and name by id or name, without counting anything (for every page of a listing). */
export async function resolveSnapshot(
  client: PoolClient,
  workspaceId: string,
  ref: string,
): Promise<{ id: string; name: string }> {
  const byId = UUID.test(ref);
  const { rows } = await client.query<{ id: string; name: string }>(
    `select s.id, s.name from public.snapshots s where s.workspace_id = $1 and ${byId ? "s.id = $2::uuid" : "s.name = $2"}`,
    [workspaceId, ref],
  );
  if (!rows[0]) throw new AppError("NOT_FOUND", `no snapshot "${ref}" in this workspace`);
  return rows[0];
}

const PART_COLUMNS = `sp.part_id as "partId", sp.name, sp.blob_sha256 as "blobSha256", sp.revision_id as "revisionId",
  sp.revision_no as "revisionNo", sp.face_signature as "faceSignature", sp.face_count as "faceCount",
  sp.schema_version as "schemaVersion", sp.document_sha256 as "documentSha256", sp.status, sp.split`;

/**
 * The condition and order of a page of a snapshot's parts in part-id order: parameters $1 the
 * snapshot, $2 the split (a name; null for the parts without one, or for all when `split` is
 * undefined), $3 the last part id of the page before (null for the first). One text per case, so
 * that each page is one range scan of an index, in its order, that stops after the page: the
 * primary key (snapshot, part) for all, (snapshot, split, part) for a split, ordered by split too
 * (an `is null` key does not give the next column's order by itself). A cursor written
 * `($3 is null or part_id > $3)` would be a filter, not a bound: every page would read the split
 * from its start.
 */
export function snapshotPageCondition(split: string | null | undefined, after: boolean): string {
  // the workspace ($5) in the query itself: a snapshot id alone never reaches another workspace's rows
  const scope =
    split === undefined
      ? "sp.snapshot_id = $1 and sp.workspace_id = $5 and $2::text is null"
      : split === null
        ? "sp.snapshot_id = $1 and sp.workspace_id = $5 and sp.split is null and $2::text is null"
        : "sp.snapshot_id = $1 and sp.workspace_id = $5 and sp.split = $2";
  const cursor = after ? "sp.part_id > $3::uuid" : "$3::uuid is null";
  const order = split === undefined ? "sp.part_id" : "sp.split, sp.part_id";
  return `${scope} and ${cursor} order by ${order}`;
}

/** The SQL of a page of snapshotParts (and for showing its plan). */
export function snapshotPartsPageQuery(input: {
  workspaceId: string;
  snapshotId: string;
  split?: string | null;
  after?: string | null;
  limit: number;
}): { sql: string; params: unknown[] } {
  return {
    sql: `select ${PART_COLUMNS} from public.snapshot_parts sp
     where ${snapshotPageCondition(input.split, Boolean(input.after))} limit $4`,
    params: [input.snapshotId, input.split ?? null, input.after ?? null, input.limit, input.workspaceId],
  };
}

/**
 * A page of a snapshot's parts in part-id order (keyset: give the last part id as `after`), of one
 * split (`split: null`: the parts without one) or of all (split left out).
 */
export async function snapshotParts(
  client: PoolClient,
  input: { workspaceId: string; snapshotId: string; split?: string | null; after?: string | null; limit: number },
): Promise<SnapshotPart[]> {
  const q = snapshotPartsPageQuery(input);
  const { rows } = await client.query<SnapshotPart>(q.sql, q.params);
  return rows;
}

/** What a snapshot pins, counted by split and status (a page shows it without reading every row). */
export async function snapshotComposition(
  client: PoolClient,
  workspaceId: string,
  snapshotId: string,
): Promise<{ split: string | null; status: PartStatus; parts: number; faces: number }[]> {
  const { rows } = await client.query<{ split: string | null; status: PartStatus; parts: number; faces: number }>(
    `select split, status, count(*)::int as parts, sum(face_count)::int as faces from public.snapshot_parts
     where snapshot_id = $1 and workspace_id = $2 group by split, status order by split nulls last, status`,
    [snapshotId, workspaceId],
  );
  return rows;
}

/** The annotation documents of pinned revisions (of parts the caller sees), by revision id. */
export async function snapshotDocuments(
  client: PoolClient,
  workspaceId: string,
  revisionIds: string[],
): Promise<Map<string, unknown>> {
  const { rows } = await client.query<{ id: string; document: unknown }>(
    "select id, document from public.annotation_revisions where workspace_id = $1 and id = any ($2::uuid[])",
    [workspaceId, revisionIds],
  );
  return new Map(rows.map((r) => [r.id, r.document]));
}

/** The manifest of a snapshot, as written to storage beside it. */
export async function snapshotManifest(
  client: PoolClient,
  workspaceId: string,
  ref: string,
): Promise<SnapshotManifest> {
  const s = await findSnapshot(client, workspaceId, ref);
  const { rows } = await client.query<SnapshotPart>(
    `select ${PART_COLUMNS} from public.snapshot_parts sp where sp.snapshot_id = $1 and sp.workspace_id = $2
     order by sp.part_id`,
    [s.id, workspaceId],
  );
  return {
    format: SNAPSHOT_MANIFEST_FORMAT,
    snapshot: {
      id: s.id,
      name: s.name,
      description: s.description,
      workspaceId,
      dataset: { id: s.datasetId, name: s.datasetName },
      createdAt: s.createdAt,
      createdBy: s.createdByEmail ?? s.createdBy,
      statuses: s.statuses,
      filter: s.filter,
      labelSchema: s.labelSchema,
    },
    partCount: s.partCount,
    faceCount: s.faceCount,
    checksum: s.checksum,
    parts: rows,
  };
}

export interface SnapshotDatabaseCheck {
  /** The checksum stored when the snapshot was frozen, and the one its rows give now. */
  stored: string;
  recomputed: string;
  partCount: { stored: number; rows: number };
  /** Pinned revisions whose document no longer hashes to what was pinned (or is gone). */
  revisionDrift: { partId: string; name: string; pinned: string; now: string | null }[];
}

/**
 * What the database says of a snapshot now: its rows' checksum recomputed from the pinned
 * revisions' documents as they are (the same expression public.freeze_snapshot used), and any part
 * whose revision drifted.
 */
export async function checkSnapshotInDatabase(
  client: PoolClient,
  workspaceId: string,
  snapshotId: string,
): Promise<SnapshotDatabaseCheck> {
  // one pass over the pinned documents: every hash computed once, then the checksum and the drift
  const { rows } = await client.query<{
    stored: string;
    storedParts: number;
    rows: number;
    recomputed: string;
    drift: SnapshotDatabaseCheck["revisionDrift"];
  }>(
    `with pinned as materialized (
       select sp.part_id, sp.name, sp.blob_sha256, sp.revision_id, sp.face_signature, sp.split,
              sp.document_sha256 as pinned, encode(sha256(convert_to(r.document::text, 'UTF8')), 'hex') as now
       from public.snapshot_parts sp left join public.annotation_revisions r on r.id = sp.revision_id
       where sp.snapshot_id = $1 and sp.workspace_id = $2)
     select s.checksum as stored, s.part_count as "storedParts",
            (select count(*)::int from pinned) as rows,
            encode(sha256(convert_to(coalesce((
              select string_agg(concat_ws(chr(9), part_id::text, blob_sha256, revision_id::text, coalesce(now, ''),
                                          coalesce(face_signature, ''), coalesce(split, '')),
                                chr(10) order by part_id::text collate "C")
              from pinned), ''), 'UTF8')), 'hex') as recomputed,
            coalesce((select jsonb_agg(jsonb_build_object('partId', part_id, 'name', name, 'pinned', pinned, 'now', now)
                                       order by part_id)
                      from (select * from pinned where now is distinct from pinned order by part_id limit 1000) d), '[]')
              as drift
     from public.snapshots s where s.id = $1 and s.workspace_id = $2`,
    [snapshotId, workspaceId],
  );
  const r = rows[0];
  if (!r) throw new AppError("NOT_FOUND", "no such snapshot");
  return {
    stored: r.stored,
    recomputed: r.recomputed,
    partCount: { stored: r.storedParts, rows: r.rows },
    revisionDrift: r.drift,
  };
}

export interface SnapshotDiff {
  a: { id: string; name: string; partCount: number };
  b: { id: string; name: string; partCount: number };
  added: { partId: string; name: string }[];
  removed: { partId: string; name: string }[];
  relabelled: { partId: string; name: string; revisionA: number; revisionB: number; sameNumbering: boolean }[];
  /** Split changes of parts in both. */
  resplit: { partId: string; name: string; from: string | null; to: string | null }[];
  /** Faces that gained or lost each class, over the relabelled parts with the same face numbering. */
  faceChanges: { feature: string; gained: number; lost: number }[];
  totals: { added: number; removed: number; relabelled: number; resplit: number };
}

const LISTED = 500;

/** What changed from snapshot A to snapshot B (of any datasets of this workspace). */
export async function diffSnapshots(
  client: PoolClient,
  workspaceId: string,
  refA: string,
  refB: string,
): Promise<SnapshotDiff> {
  const [a, b] = await Promise.all([findSnapshot(client, workspaceId, refA), findSnapshot(client, workspaceId, refB)]);
  const { rows } = await client.query<{
    kind: "added" | "removed" | "relabelled" | "resplit";
    partId: string;
    name: string;
    revisionA: number | null;
    revisionB: number | null;
    sameNumbering: boolean;
    splitA: string | null;
    splitB: string | null;
    total: number;
  }>(
    `with x as (
       select coalesce(pa.part_id, pb.part_id) as part_id, coalesce(pb.name, pa.name) as name,
              pa.revision_no as ra, pb.revision_no as rb, pa.document_sha256 as da, pb.document_sha256 as db,
              pa.face_signature is not distinct from pb.face_signature as same, pa.split as sa, pb.split as sb,
              case when pa.part_id is null then 'added' when pb.part_id is null then 'removed' end as presence
       from (select * from public.snapshot_parts where snapshot_id = $1) pa
       full join (select * from public.snapshot_parts where snapshot_id = $2) pb on pa.part_id = pb.part_id),
     k as (
       select presence as kind, * from x where presence is not null
       union all select 'relabelled', * from x where presence is null and da <> db
       union all select 'resplit', * from x where presence is null and sa is distinct from sb),
     numbered as (
       select k.*, row_number() over (partition by kind order by name, part_id) as i, count(*) over (partition by kind) as total
       from k)
     select kind, part_id as "partId", name, ra as "revisionA", rb as "revisionB", same as "sameNumbering",
            sa as "splitA", sb as "splitB", total::int
     from numbered where i <= ${LISTED} order by kind, i`,
    [a.id, b.id],
  );
  const faces = await client.query<{ feature: string; gained: number; lost: number }>(
    `with pairs as (
       select ra.document -> 'labels' as la, rb.document -> 'labels' as lb
       from public.snapshot_parts pa join public.snapshot_parts pb on pb.part_id = pa.part_id and pb.snapshot_id = $2
       join public.annotation_revisions ra on ra.id = pa.revision_id
       join public.annotation_revisions rb on rb.id = pb.revision_id
       where pa.snapshot_id = $1 and pa.document_sha256 <> pb.document_sha256
         and pa.face_signature is not distinct from pb.face_signature),
     changed as (
       select z.va #>> '{}' as before, z.vb #>> '{}' as after
       from pairs, lateral rows from (jsonb_array_elements(pairs.la), jsonb_array_elements(pairs.lb)) as z(va, vb)
       where z.va is distinct from z.vb)
     select feature, sum(gained)::int as gained, sum(lost)::int as lost from (
       select after as feature, 1 as gained, 0 as lost from changed where after is not null
       union all select before, 0, 1 from changed where before is not null) t
     group by feature order by feature`,
    [a.id, b.id],
  );
  const of = (kind: string) => rows.filter((r) => r.kind === kind);
  const total = (kind: string) => of(kind)[0]?.total ?? 0;
  const short = (s: SnapshotRow) => ({ id: s.id, name: s.name, partCount: s.partCount });
  return {
    a: short(a),
    b: short(b),
    added: of("added").map((r) => ({ partId: r.partId, name: r.name })),
    removed: of("removed").map((r) => ({ partId: r.partId, name: r.name })),
    relabelled: of("relabelled").map((r) => ({
      partId: r.partId,
      name: r.name,
      revisionA: r.revisionA as number,
      revisionB: r.revisionB as number,
      sameNumbering: r.sameNumbering,
    })),
    resplit: of("resplit").map((r) => ({ partId: r.partId, name: r.name, from: r.splitA, to: r.splitB })),
    faceChanges: faces.rows,
    totals: {
      added: total("added"),
      removed: total("removed"),
      relabelled: total("relabelled"),
      resplit: total("resplit"),
    },
  };
}
