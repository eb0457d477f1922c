import { type AnnotationDocument, translatePrelabel } from "@facet/core";
import type { PoolClient } from "./pool";
import { prelabelTranslation } from "./workspaces/label-schemas";

/**
 * What processing writes (as the service, from a worker): a part's derived geometry, content-addressed
 * and with its provenance, and its pre-label. Geometry is made once per (content, tessellator
 * version, parameters) and shared by every part with that content.
 */

export interface GeometryRecord {
  id: string;
  faceCount: number;
  triangleCount: number;
  faceSignature: string;
  meshKey: string;
  facesKey: string;
  /** The rendered picture of the part (PNG), once made. */
  thumbnailKey: string | null;
}

/** What the worker works out from the mesh beside storing it: surface kinds, fingerprint, picture. */
export interface GeometryDescription {
  surfaceTypes: string[];
  /** packages/geometry `shapeDescriptor`. */
  shapeDescriptor: number[];
  thumbnailKey: string | null;
}

export interface GeometryProvenance {
  sha256: string;
  tessellatorVersion: string;
  paramsHash: string;
}

const GEOMETRY_COLUMNS = `id, face_count as "faceCount", triangle_count as "triangleCount",
  face_signature as "faceSignature", mesh_key as "meshKey", faces_key as "facesKey", thumbnail_key as "thumbnailKey"`;

/** The geometry made of this content by this tessellator with these parameters, if any. */
export async function findGeometry(c: PoolClient, p: GeometryProvenance): Promise<GeometryRecord | null> {
  const { rows } = await c.query<GeometryRecord>(
    `select ${GEOMETRY_COLUMNS} from public.part_geometry
     where blob_sha256 = $1 and tessellator_version = $2 and params_hash = $3`,
    [p.sha256, p.tessellatorVersion, p.paramsHash],
  );
  return rows[0] ?? null;
}

/** Record geometry stored at these keys; when a concurrent run recorded it first, theirs is returned. */
export async function recordGeometry(
  c: PoolClient,
  g: GeometryProvenance & {
    params: unknown;
    meshKey: string;
    facesKey: string;
    faceCount: number;
    triangleCount: number;
    faceSignature: string;
    area: number;
    bbox: unknown;
    durationMs: number;
  } & Partial<GeometryDescription>,
): Promise<GeometryRecord> {
  await c.query(
    `insert into public.part_geometry (blob_sha256, tessellator_version, params_hash, params, mesh_key, faces_key,
       face_count, triangle_count, face_signature, area, bbox, duration_ms, surface_types, shape_descriptor,
       thumbnail_key)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
     on conflict (blob_sha256, tessellator_version, params_hash) do nothing`,
    [
      g.sha256,
      g.tessellatorVersion,
      g.paramsHash,
      JSON.stringify(g.params),
      g.meshKey,
      g.facesKey,
      g.faceCount,
      g.triangleCount,
      g.faceSignature,
      g.area,
      JSON.stringify(g.bbox),
      g.durationMs,
      g.surfaceTypes ?? null,
      g.shapeDescriptor ?? null,
      g.thumbnailKey ?? null,
    ],
  );
  return (await findGeometry(c, g)) as GeometryRecord;
}

/** Geometry recorded before fingerprints and thumbnails were made: the oldest first, at most `limit`. */
export async function geometryWithoutDescription(
  c: PoolClient,
  limit: number,
): Promise<Array<GeometryRecord & GeometryProvenance>> {
  const { rows } = await c.query<GeometryRecord & GeometryProvenance>(
    `select ${GEOMETRY_COLUMNS}, blob_sha256 as sha256, tessellator_version as "tessellatorVersion",
       params_hash as "paramsHash"
     from public.part_geometry where shape_descriptor is null
     order by created_at, id limit $1`,
    [limit],
  );
  return rows;
}

/** Fill in a geometry's surface kinds, fingerprint and thumbnail (the backfill; made once, never changed). */
export async function describeGeometry(c: PoolClient, geometryId: string, d: GeometryDescription): Promise<boolean> {
  const { rowCount } = await c.query(
    `update public.part_geometry set surface_types = $2, shape_descriptor = $3,
       thumbnail_key = coalesce(thumbnail_key, $4)
     where id = $1 and shape_descriptor is null`,
    [geometryId, d.surfaceTypes, d.shapeDescriptor, d.thumbnailKey],
  );
  return (rowCount ?? 0) > 0;
}

/** Give the part this geometry; a part being processed becomes `unannotated` (labellable). */
export async function attachGeometry(
  c: PoolClient,
  partId: string,
  g: GeometryRecord,
  tessellatorVersion: string,
): Promise<void> {
  await c.query(
    `update public.parts set geometry_id = $2,
       geometry = jsonb_build_object('faceCount', $3::int, 'triangleCount', $4::int, 'signature', $5::text, 'tessellator', $6::text),
       status = case when status = 'processing' then 'unannotated'::public.part_status else status end
     where id = $1`,
    [partId, g.id, g.faceCount, g.triangleCount, g.faceSignature, tessellatorVersion],
  );
}

/** A part's pre-label: the combined models' labels, or why there is none. */
export type PrelabelRecord =
  | {
      ok: true;
      document: AnnotationDocument;
      meanConfidence: number | null;
      disagreements: number;
      /**
       * The document is in this label schema version's classes already (combined there with a learned
       * model, issue 20): when it is still the dataset's version, it is recorded as it is.
       */
      inSchemaId?: string | null;
    }
  | { ok: false; reason: string };

/**
 * Write a pre-label, in the transaction that makes the part `unannotated` after tessellation: the
 * revision (source `model`, model-assisted, with confidences) and `pre_labeled`, or the reason there is
 * none. The models' classes (the default taxonomy's) are translated into the dataset's label schema
 * version first (`prelabelTranslation`, core `translatePrelabel`), and the revision is recorded under
 * that version. Idempotent: a model revision already written for this face numbering is kept. A part
 * someone has started on (no longer `unannotated`) is left alone.
 */
export async function recordPrelabel(c: PoolClient, partId: string, outcome: PrelabelRecord): Promise<void> {
  if (!outcome.ok) {
    await c.query("update public.parts set prelabel_error = $2 where id = $1 and status = 'unannotated'", [
      partId,
      outcome.reason,
    ]);
    return;
  }
  const { rows } = await c.query<{ status: string; has: boolean; schemaId: string | null }>(
    `select p.status, d.label_schema_id as "schemaId", exists (select 1 from public.annotation_revisions r
       where r.part_id = p.id and r.source = 'model' and r.face_signature = $2) as has
     from public.parts p join public.datasets d on d.id = p.dataset_id where p.id = $1
     -- the dataset held too: a switch of its label schema in flight waits, or this reads the new version
     for update of p for share of d`,
    [partId, outcome.document.faceSignature],
  );
  const part = rows[0];
  if (part?.status !== "unannotated") return;
  if (!part.has) {
    const inSchema = outcome.inSchemaId !== undefined && outcome.inSchemaId === part.schemaId;
    const translation = part.schemaId === null || inSchema ? null : await prelabelTranslation(c, part.schemaId);
    const document = translation ? translatePrelabel(outcome.document, translation).document : outcome.document;
    // its number is the database's to give (annotation_revision_defaults)
    await c.query(
      `insert into public.annotation_revisions (part_id, author_id, label_schema_id, face_signature,
         document, model_assisted, source)
       values ($1, null, $2, $3, $4, true, 'model')`,
      [partId, part.schemaId, document.faceSignature, JSON.stringify(document)],
    );
  }
  await c.query(
    `update public.parts set status = 'pre_labeled', prelabel_confidence = $2, prelabel_disagreements = $3,
       prelabel_error = null
     where id = $1`,
    [partId, outcome.meanConfidence, outcome.disagreements],
  );
}
