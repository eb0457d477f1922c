/**
 * For the export tests: real corpus parts, tessellated by the geometry kernel and labelled with the
 * labels their datasets ship (MFCAD's face_truth through the crosswalk, AAGNet's MFInstSeg JSON).
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { type AnnotationDocument, DEFAULT_TAXONOMY, labelsByStepName } from "@facet/core";
import { type FacesDocument, type GeometryKernel, tessellateStep } from "@facet/geometry";
import { CORPUS, kernelForNode } from "@facet/geometry/testing";
import { unzipSync } from "fflate";
import { ZipArchive } from "./archive";
import type { ExportPart, ExportSnapshot } from "./model";

const sha = (b: Uint8Array | string) => createHash("sha256").update(b).digest("hex");

export interface AagnetTruth {
  seg: Record<string, number>;
  inst: number[][];
  bottom: Record<string, number>;
}

/** The MFCAD parts' labels as the corpus decodes them (labels.json: class per face id). */
export async function mfcadTruth(): Promise<Record<string, number[]>> {
  return JSON.parse(await readFile(path.join(CORPUS, "mfcad/labels.json"), "utf8"));
}

export async function aagnetTruth(): Promise<[string, AagnetTruth]> {
  const [[name, truth]] = JSON.parse(await readFile(path.join(CORPUS, "aagnet/dataset_test.json"), "utf8")) as [
    [string, AagnetTruth],
  ];
  return [name, truth];
}

/** MFCAD labels on faces, by their STEP names (as `facet import-labels --format mfcad` stores them). */
export async function mfcadDocument(stem: string, faces: FacesDocument): Promise<AnnotationDocument> {
  const classes = (await mfcadTruth())[stem];
  if (!classes) throw new Error(`no MFCAD labels for ${stem}`);
  const labels = labelsByStepName(DEFAULT_TAXONOMY.crosswalks.mfcad as never, faces.faces, classes);
  return { schemaVersion: 1, faceSignature: faces.signature, faceCount: faces.faceCount, labels, instances: [] };
}

/** AAGNet's labels as a document: classes through the MFCAD++ crosswalk, instances from the matrix rows, bottoms. */
export function aagnetDocument(truth: AagnetTruth, faces: FacesDocument): AnnotationDocument {
  const cw = DEFAULT_TAXONOMY.crosswalks.mfcadpp?.classes ?? [];
  const labels = faces.faces.map((f) => cw[truth.seg[String(f.index)] as number]?.feature ?? null);
  const seen = new Set<string>();
  const instances: AnnotationDocument["instances"] = [];
  truth.inst.forEach((row) => {
    const group = row.flatMap((v, j) => (v === 1 ? [j] : []));
    if (group.length === 0 || seen.has(group.join())) return;
    seen.add(group.join());
    const bottomFaces = group.filter((f) => truth.bottom[String(f)] === 1);
    instances.push({
      id: `i${instances.length + 1}`,
      feature: labels[group[0] as number] as string,
      faces: group,
      params: { depth: 1.5 + instances.length },
      ...(bottomFaces.length > 0 ? { bottomFaces } : {}),
      confidence: 0.9,
    });
  });
  return { schemaVersion: 1, faceSignature: faces.signature, faceCount: faces.faceCount, labels, instances };
}

let kernel: Promise<GeometryKernel> | null = null;
export async function facesOf(bytes: Uint8Array): Promise<FacesDocument> {
  kernel ??= kernelForNode();
  return tessellateStep(await kernel, bytes, { relativeDeflection: 0.01, angularDeflection: 0.8 }).document;
}

/** A corpus part labelled as its dataset ships it, as an export reads it. */
export async function corpusPart(file: string, split: string | null): Promise<ExportPart & { bytes: Buffer }> {
  const bytes = await readFile(path.join(CORPUS, file));
  const faces = await facesOf(bytes);
  const name = path.basename(file);
  const document = file.startsWith("aagnet/")
    ? aagnetDocument((await aagnetTruth())[1], faces)
    : await mfcadDocument(name.replace(/\.step$/, ""), faces);
  const hash = sha(bytes);
  return {
    partId: sha(file).replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*/, "$1-$2-$3-$4-$5"),
    name,
    blobSha256: hash,
    split,
    status: "approved",
    faceCount: faces.faceCount,
    faceSignature: faces.signature,
    documentSha256: sha(JSON.stringify(document)),
    revisionId: sha(`r${file}`).replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*/, "$1-$2-$3-$4-$5"),
    revisionNo: 2,
    schemaVersion: 1,
    document,
    faces,
    meshKey: null,
    bytes,
  };
}

export const TEST_SNAPSHOT: ExportSnapshot = {
  id: "5b0f3c9e-0000-4000-8000-000000000001",
  name: "corpus-v1",
  checksum: "a".repeat(64),
  partCount: 0,
  faceCount: 0,
  createdAt: new Date("2026-12-06T10:00:00Z"),
  labelSchemaVersion: 1,
};

/** Write an archive with `fill` into a temporary folder, then unpack it there: the folder. */
export async function archiveFolder(fill: (a: ZipArchive) => Promise<void>): Promise<{ dir: string; zip: Buffer }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "facet-export-test-"));
  const file = path.join(dir, "archive.zip");
  const archive = new ZipArchive(createWriteStream(file), TEST_SNAPSHOT.createdAt);
  await fill(archive);
  const { sha256 } = await archive.end();
  const zip = await readFile(file);
  if (sha(zip) !== sha256) throw new Error("the archive's hash is not the hash of its bytes");
  const out = path.join(dir, "out");
  for (const [name, data] of Object.entries(unzipSync(new Uint8Array(zip)))) {
    await mkdir(path.dirname(path.join(out, name)), { recursive: true });
    await writeFile(path.join(out, name), data);
  }
  return { dir: out, zip };
}

/** DuckDB, an independent Parquet reader: rows as JSON-friendly objects. */
export async function duck(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(":memory:");
  const c = await instance.connect();
  try {
    return (await c.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

export async function* each<T>(xs: T[]) {
  yield* xs;
}
