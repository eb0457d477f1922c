import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import {
  describeGeometry,
  type GeometryDescription,
  geometryWithoutDescription,
  type Pool,
  withService,
} from "@facet/db";
import type { FacesDocument } from "@facet/geometry";
import type { BlobStore } from "@facet/storage";
import { describeShape, type ShapeDescription } from "../geometry/describe-shape";

/** How many geometries one backfill run describes (each takes a read of two files and up to a second). */
export const BACKFILL_BATCH = 50;

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** Store derived bytes at their key unless the same bytes are there already (idempotent re-runs). */
export async function putIfDiffers(store: BlobStore, key: string, data: Uint8Array): Promise<void> {
  const digest = sha256(data);
  const head = await store.head(key);
  if (head?.sha256 !== digest)
    await store.put(key, Readable.from([Buffer.from(data)]), { size: data.byteLength, sha256: digest });
}

/** The folder of a geometry's derived files: `derived/geometry/<blob sha>/<tessellator>/<params hash>`. */
export function derivedBase(keyInside: string): string {
  return keyInside.slice(0, keyInside.lastIndexOf("/"));
}

/**
 * What the catalog knows of a shape beside its mesh: its kinds of surface, its fingerprint, and its
 * thumbnail, rendered and stored beside mesh.glb and faces.json (`<base>/thumbnail.png`).
 */
export async function describeMesh(
  store: BlobStore,
  base: string,
  document: FacesDocument,
  glb: Uint8Array,
  /** Made already (by the geometry process, beside the mesh): only stored. */
  made?: ShapeDescription,
): Promise<GeometryDescription> {
  const d = made ?? describeShape(document, glb);
  const thumbnailKey = `${base}/thumbnail.png`;
  await putIfDiffers(store, thumbnailKey, d.thumbnail);
  return { surfaceTypes: d.surfaceTypes, shapeDescriptor: d.shapeDescriptor, thumbnailKey };
}

/**
 * Geometry recorded before fingerprints and thumbnails existed gets them: at most `limit` per run, the
 * oldest first, from the faces.json and mesh.glb in storage. A geometry whose files cannot be read is
 * logged and left for the next run.
 */
export async function backfillGeometryDescriptions(deps: {
  pool: Pool;
  store: BlobStore;
  log: (line: string) => void;
  limit?: number;
}): Promise<{ described: number; failed: number }> {
  const todo = await withService(deps.pool, (c) => geometryWithoutDescription(c, deps.limit ?? BACKFILL_BATCH));
  let described = 0;
  let failed = 0;
  for (const g of todo) {
    try {
      const document = JSON.parse((await deps.store.read(g.facesKey)).toString("utf8")) as FacesDocument;
      const glb = await deps.store.read(g.meshKey);
      const d = await describeMesh(deps.store, derivedBase(g.meshKey), document, glb);
      if (await withService(deps.pool, (c) => describeGeometry(c, g.id, d))) described++;
    } catch (e) {
      failed++;
      deps.log(`describe geometry ${g.id}: ${String((e as Error)?.message ?? e).slice(0, 300)}`);
    }
  }
  return { described, failed };
}
