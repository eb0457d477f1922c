import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createTestDatabase, createWorkspaceWithRoles, type TestDatabase } from "@facet/db/testing";
import { type FacesDocument, faceMeshFromGlb, readGlb, shapeDescriptor } from "@facet/geometry";
import { CORPUS } from "@facet/geometry/testing";
import { FsBlobStore } from "@facet/storage";
import { loadImage } from "@napi-rs/canvas";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { InProcessGeometry } from "../geometry/engine";
import { THUMBNAIL_SIZE } from "../thumbnail";
import { backfillGeometryDescriptions } from "./describe";
import { tessellatePart } from "./tessellate";
import { uploadedPart } from "./testing";

async function read(store: FsBlobStore, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await store.get(key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The PNG's size and how many of its pixels are painted (not transparent), and in how many colours. */
async function picture(png: Buffer) {
  const image = await loadImage(png);
  const { createCanvas } = await import("@napi-rs/canvas");
  const canvas = createCanvas(image.width, image.height);
  const g = canvas.getContext("2d");
  g.drawImage(image, 0, 0);
  const { data } = g.getImageData(0, 0, image.width, image.height);
  let painted = 0;
  const colours = new Set<number>();
  for (let i = 0; i < data.length; i += 4) {
    if ((data[i + 3] as number) === 0) continue;
    painted++;
    colours.add(((data[i] as number) << 16) | ((data[i + 1] as number) << 8) | (data[i + 2] as number));
  }
  return {
    width: image.width,
    height: image.height,
    painted: painted / (image.width * image.height),
    colours: colours.size,
  };
}

describe("fingerprint, surface kinds and thumbnail of tessellated geometry (real database, filesystem store)", () => {
  let db: TestDatabase;
  let root: string;
  let store: FsBlobStore;
  const runner = new InProcessGeometry();
  let ws: Awaited<ReturnType<typeof createWorkspaceWithRoles>>;
  const lines: string[] = [];
  const log = (l: string) => lines.push(l);

  beforeAll(async () => {
    db = await createTestDatabase(inject("pgBaseUrl"));
    root = await mkdtemp(path.join(os.tmpdir(), "facet-describe-"));
    store = new FsBlobStore({ root, baseUrl: "http://localhost:3999", secret: "s".repeat(40) });
    ws = await createWorkspaceWithRoles(db.owner, "describe");
  });
  afterAll(async () => {
    await db.drop();
    await rm(root, { recursive: true, force: true });
  });

  const geometryOf = async (partId: string) =>
    (
      await db.owner.query<{
        id: string;
        surface_types: string[] | null;
        shape_descriptor: number[] | null;
        thumbnail_key: string | null;
        mesh_key: string;
        faces_key: string;
      }>(
        `select g.id, g.surface_types, g.shape_descriptor, g.thumbnail_key, g.mesh_key, g.faces_key
         from parts p join part_geometry g on g.id = p.geometry_id where p.id = $1`,
        [partId],
      )
    ).rows[0];

  let partId: string;

  it("records the surface kinds and the fingerprint, and stores a thumbnail beside the mesh", async () => {
    const bytes = await readFile(path.join(CORPUS, "nist-pmi/nist_ctc_02_asme1_rc.stp"));
    const up = await uploadedPart(db.owner, store, {
      workspaceId: ws.workspaceId,
      datasetId: ws.datasetId,
      name: "ctc02.stp",
      bytes,
    });
    partId = up.partId;
    await tessellatePart({ pool: db.owner, store, runner, log }, { jobId: up.jobId });
    const g = await geometryOf(partId);
    expect(g?.surface_types).toEqual(["bspline", "cone", "cylinder", "plane", "sphere"]);
    expect(g?.thumbnail_key).toBe(g?.mesh_key.replace(/mesh\.glb$/, "thumbnail.png"));
    expect(g?.thumbnail_key).toMatch(new RegExp(`^derived/geometry/${up.hash}/[^/]+/[0-9a-f]+/thumbnail\\.png$`));
    // the fingerprint of the stored files, as real (float4) numbers
    const document = JSON.parse((await read(store, g?.faces_key as string)).toString("utf8")) as FacesDocument;
    const expected = shapeDescriptor(document, faceMeshFromGlb(await read(store, g?.mesh_key as string)));
    expect(g?.shape_descriptor).toHaveLength(expected.length);
    for (const [i, x] of expected.entries()) expect(g?.shape_descriptor?.[i]).toBeCloseTo(x, 5);
    // a 256-pixel PNG with the part drawn on a transparent background, shaded (many tones)
    const png = await read(store, g?.thumbnail_key as string);
    const p = await picture(png);
    console.log(
      `thumbnail of ctc02: ${png.length} bytes, ${(p.painted * 100).toFixed(1)}% painted, ${p.colours} colours`,
    );
    expect([p.width, p.height]).toEqual([THUMBNAIL_SIZE, THUMBNAIL_SIZE]);
    expect(p.painted).toBeGreaterThan(0.1);
    expect(p.painted).toBeLessThan(0.95);
    expect(p.colours).toBeGreaterThan(20);
    expect(readGlb(await read(store, g?.mesh_key as string)).positions.length).toBeGreaterThan(0);
  }, 240_000); // the kernel's first load compiles it (seconds on a busy machine)

  it("fills in geometry recorded before fingerprints from the stored files, in batches, and only once", async () => {
    const before = await geometryOf(partId);
    const thumbnail = await read(store, before?.thumbnail_key as string);
    // as geometry made before this change: no fingerprint, surface kinds nor thumbnail
    await db.owner.query(
      "update part_geometry set surface_types = null, shape_descriptor = null, thumbnail_key = null where id = $1",
      [before?.id],
    );
    await store.delete(before?.thumbnail_key as string);
    // and a second one, of another part
    const other = await uploadedPart(db.owner, store, {
      workspaceId: ws.workspaceId,
      datasetId: ws.datasetId,
      name: "0-0-4-11-13-23.step",
      bytes: await readFile(path.join(CORPUS, "mfcad/0-0-4-11-13-23.step")),
    });
    await tessellatePart({ pool: db.owner, store, runner, log }, { jobId: other.jobId });
    const otherGeometry = await geometryOf(other.partId);
    await db.owner.query("update part_geometry set shape_descriptor = null where id = $1", [otherGeometry?.id]);

    expect(await backfillGeometryDescriptions({ pool: db.owner, store, log, limit: 1 })).toEqual({
      described: 1,
      failed: 0,
    });
    expect(await backfillGeometryDescriptions({ pool: db.owner, store, log, limit: 10 })).toEqual({
      described: 1,
      failed: 0,
    });
    expect(await backfillGeometryDescriptions({ pool: db.owner, store, log })).toEqual({ described: 0, failed: 0 });
    const after = await geometryOf(partId);
    expect(after?.surface_types).toEqual(before?.surface_types);
    expect(after?.shape_descriptor).toEqual(before?.shape_descriptor);
    expect(after?.thumbnail_key).toBe(before?.thumbnail_key);
    expect(await read(store, after?.thumbnail_key as string)).toEqual(thumbnail);
    expect((await geometryOf(other.partId))?.shape_descriptor).toEqual(otherGeometry?.shape_descriptor);
  }, 120_000);

  it("logs a geometry whose files are gone and goes on with the others", async () => {
    const g = await geometryOf(partId);
    await db.owner.query("update part_geometry set shape_descriptor = null where id = $1", [g?.id]);
    await store.delete(g?.faces_key as string);
    expect(await backfillGeometryDescriptions({ pool: db.owner, store, log })).toEqual({ described: 0, failed: 1 });
    expect(lines.at(-1)).toContain(`describe geometry ${g?.id}`);
  });
});
