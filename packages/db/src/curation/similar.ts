import type { PartStatus } from "@facet/core";
import type { PoolClient } from "../pool";

// the worker's side of the fingerprint (written with the mesh, or filled in later by the backfill)
export type { GeometryDescription } from "../processing";
export { describeGeometry, geometryWithoutDescription } from "../processing";

/**
 * "Similar parts": the parts of a workspace whose shapes are nearest to a part's, by the geometry
 * fingerprint (packages/geometry `shapeDescriptor`, stored in `part_geometry.shape_descriptor`).
 * Nearest first by the cube extension's GiST k-nearest-neighbour scan: the index hands rows over in
 * order of distance and the scan stops after `limit` matches, whatever the table's size. Runs as the
 * caller: row-level security applies, and the workspace is also checked in the query.
 */

export interface SimilarPart {
  id: string;
  name: string;
  datasetId: string;
  datasetName: string;
  status: PartStatus;
  /** Euclidean distance between the fingerprints. */
  distance: number;
  /** Closer than the near-duplicate distance given (the same shape, or nearly). */
  nearDuplicate: boolean;
  hasThumbnail: boolean;
}

export interface SimilarParts {
  /** False while the part has no fingerprint yet (being processed, or failed): no neighbours then. */
  fingerprinted: boolean;
  parts: SimilarPart[];
}

/**
 * The `limit` parts of the workspace nearest in shape to `partId` (the part itself excluded; a part
 * of another workspace, or none, gives null). `nearDuplicateDistance` is the fingerprint's threshold
 * (`NEAR_DUPLICATE_DISTANCE` of packages/geometry, given by the caller).
 */
export async function similarParts(
  client: PoolClient,
  q: { workspaceId: string; partId: string; limit: number; nearDuplicateDistance: number },
): Promise<SimilarParts | null> {
  const me = await client.query<{ descriptor: number[] | null }>(
    `select g.shape_descriptor as descriptor
     from public.parts p left join public.part_geometry g on g.id = p.geometry_id
     where p.id = $1 and p.workspace_id = $2`,
    [q.partId, q.workspaceId],
  );
  if (me.rows.length === 0) return null;
  const descriptor = me.rows[0]?.descriptor;
  if (!descriptor) return { fingerprinted: false, parts: [] };
  const { rows } = await client.query<Omit<SimilarPart, "nearDuplicate">>(similarPartsSql, [
    descriptor,
    q.workspaceId,
    q.partId,
    q.limit,
  ]);
  return {
    fingerprinted: true,
    parts: rows.map((r) => ({ ...r, nearDuplicate: r.distance < q.nearDuplicateDistance })),
  };
}

/** Ordered by the expression the GiST index is built on (`part_geometry_shape_idx`), against a constant. */
export const similarPartsSql = `
  select p.id, p.name, p.dataset_id as "datasetId", d.name as "datasetName", p.status,
         extensions.cube(g.shape_descriptor::float8[]) operator(extensions.<->) extensions.cube($1::float8[])
           as distance,
         g.thumbnail_key is not null as "hasThumbnail"
  from public.part_geometry g
  join public.parts p on p.geometry_id = g.id
  join public.datasets d on d.id = p.dataset_id
  where g.shape_descriptor is not null and p.workspace_id = $2 and p.id <> $3
  order by extensions.cube(g.shape_descriptor::float8[]) operator(extensions.<->) extensions.cube($1::float8[])
  limit $4`;

/** The stored key of a part's thumbnail (null: none yet), checked in the workspace. Null part: not found. */
export async function partThumbnail(
  client: PoolClient,
  workspaceId: string,
  partId: string,
): Promise<{ thumbnailKey: string | null } | null> {
  const { rows } = await client.query<{ thumbnailKey: string | null }>(
    `select g.thumbnail_key as "thumbnailKey"
     from public.parts p left join public.part_geometry g on g.id = p.geometry_id
     where p.id = $1 and p.workspace_id = $2`,
    [partId, workspaceId],
  );
  return rows[0] ?? null;
}
