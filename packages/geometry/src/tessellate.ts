import type { Vec3 } from "@facet/core";
import type { FacetOcctModule, GeometryKernel } from "./kernel";
import { FACE_NUMBERING, TESSELLATOR_VERSION } from "./kernel";
import {
  type Convexity,
  DEFAULT_PARAMS,
  type EdgeRecord,
  type FaceMesh,
  type FaceRecord,
  type FacesDocument,
  type SurfaceType,
  type TessellationParams,
} from "./types";

/** Why a file could not become a mesh, in words a person understands. */
export class GeometryError extends Error {
  constructor(
    readonly reason: "UNREADABLE" | "NO_GEOMETRY" | "NOT_A_SOLID" | "MESH_FAILED" | "NOT_FINITE",
    message: string,
  ) {
    super(message);
    this.name = "GeometryError";
  }
}

/** OpenCascade raised an error on this file (the kernel is still sound). */
export class KernelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KernelError";
  }
}

/** GeomAbs_SurfaceType order; revolution, extrusion and offset surfaces are "other". */
export const SURFACES: SurfaceType[] = ["plane", "cylinder", "cone", "sphere", "torus", "bspline", "bspline"];
/** Faces meeting at less than this many degrees meet smoothly. */
export const SMOOTH_DEGREES = 5;
const CONVEXITY: Convexity[] = ["smooth", "convex", "concave"];

const round = (x: number, digits = 6) => Number(x.toPrecision(digits));

/** FNV-1a (64-bit) of a string, hex: a stable fingerprint without any platform crypto. */
export function fingerprint(text: string): string {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i));
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, "0");
}

/** What labels are tied to: the face numbering, the face count and each face's surface, area and STEP name. */
export function faceSignature(faces: FaceRecord[], numbering = FACE_NUMBERING): string {
  return fingerprint(
    JSON.stringify([numbering, faces.length, faces.map((f) => [f.surface, round(f.area, 5), f.stepName])]),
  );
}

/** Milliseconds spent in each stage, for the benchmark and the job's record. */
export function stageClock() {
  const timings: Record<string, number> = {};
  let last = performance.now();
  return {
    timings,
    lap(stage: string) {
      const now = performance.now();
      timings[stage] = Math.round((now - last) * 10) / 10;
      last = now;
    },
  };
}

// the layout written by native/facet-occt.cpp
const Slot = {
  Positions: 0,
  Indices: 1,
  TriangleFaces: 2,
  VertexFaces: 3,
  Faces: 4,
  Edges: 5,
  EdgeAngles: 6,
  Names: 7,
  Summary: 8,
  Message: 9,
} as const;
type Slot = (typeof Slot)[keyof typeof Slot];
const Field = {
  Surface: 0,
  Area: 1,
  Direction: 2,
  HasDirection: 5,
  Origin: 6,
  HasOrigin: 9,
  Radius: 10,
  HasRadius: 11,
  BboxMin: 12,
  BboxMax: 15,
  TriangleFirst: 18,
  TriangleCount: 19,
  Reversed: 20,
  HasName: 21,
} as const;
const FACE_STRIDE = 22;
const Status = {
  Ok: 0,
  Unreadable: 1,
  NoGeometry: 2,
  NoFaces: 3,
  NotASolid: 4,
  Failed: 5,
} as const;
type Status = (typeof Status)[keyof typeof Status];

/** Copies of the arrays the kernel left in its memory (the next run reuses that memory). */
function results(m: FacetOcctModule) {
  const table = m._facet_result() >>> 2;
  const at = (slot: Slot) => [m.HEAPU32[table + slot * 2] as number, m.HEAPU32[table + slot * 2 + 1] as number];
  const view = <T extends Float32Array | Float64Array | Uint32Array | Int32Array | Uint8Array>(
    heap: T,
    slot: Slot,
  ): T => {
    const [pointer, length] = at(slot);
    const start = (pointer as number) / heap.BYTES_PER_ELEMENT;
    return heap.slice(start, start + (length as number)) as T;
  };
  return {
    positions: () => view(m.HEAPF32, Slot.Positions),
    indices: () => view(m.HEAPU32, Slot.Indices),
    triangleFaces: () => view(m.HEAPU32, Slot.TriangleFaces),
    vertexFaces: () => view(m.HEAPU32, Slot.VertexFaces),
    faces: () => view(m.HEAPF64, Slot.Faces),
    edges: () => view(m.HEAP32, Slot.Edges),
    edgeAngles: () => view(m.HEAPF64, Slot.EdgeAngles),
    names: () => view(m.HEAPU8, Slot.Names),
    summary: () => view(m.HEAPF64, Slot.Summary),
    message: () => new TextDecoder().decode(view(m.HEAPU8, Slot.Message)),
  };
}

function runKernel(m: FacetOcctModule, bytes: Uint8Array, params: TessellationParams): Status {
  const file = `/facet-${Date.now()}-${Math.random().toString(36).slice(2)}.step`;
  m.FS.writeFile(file, bytes);
  const name = new TextEncoder().encode(`${file}\0`);
  const pointer = m._malloc(name.length) >>> 0; // addresses above 2 GB come back negative
  try {
    m.HEAPU8.set(name, pointer);
    return m._facet_run(pointer, params.relativeDeflection, params.angularDeflection) as Status;
  } finally {
    m._free(pointer);
    m.FS.unlink(file);
  }
}

/** Whether every number of the document and every vertex position is finite. */
function finiteGeometry(document: FacesDocument, positions: ArrayLike<number>): boolean {
  const finite = (xs: readonly number[] | null) => xs === null || xs.every(Number.isFinite);
  if (!Number.isFinite(document.area) || !finite(document.bbox.min) || !finite(document.bbox.max)) return false;
  for (const f of document.faces) {
    if (!Number.isFinite(f.area) || !finite(f.bbox.min) || !finite(f.bbox.max)) return false;
    if (!finite(f.direction) || !finite(f.origin) || (f.radius !== null && !Number.isFinite(f.radius))) return false;
  }
  if (!document.edges.every((e) => Number.isFinite(e.angle))) return false;
  for (let i = 0; i < positions.length; i++) if (!Number.isFinite(positions[i] as number)) return false;
  return true;
}

const vec = (row: Float64Array, at: number): Vec3 => [row[at] as number, row[at + 1] as number, row[at + 2] as number];

/**
 * STEP bytes → a mesh whose every triangle knows its B-rep face, plus the faces document
 * (surface type, area, axis or normal, bounding box, triangle range, STEP name) and the edges
 * between faces with their convexity. Face numbering is the order of OCCT's face map: the same
 * for the same bytes and the same tessellator version, and the same as opencascade.js gives.
 */
export function tessellateStep(kernel: GeometryKernel, bytes: Uint8Array, params: TessellationParams = DEFAULT_PARAMS) {
  const m = kernel.module;
  const clock = stageClock();
  const status = runKernel(m, bytes, params);
  clock.lap("kernel");
  try {
    const out = results(m);
    const summary = out.summary();
    const faceCount = summary[6] as number;
    switch (status) {
      case Status.Ok:
        break;
      case Status.Unreadable:
        throw new GeometryError("UNREADABLE", "the file could not be read as STEP (it is damaged or not STEP)");
      case Status.NoGeometry:
        throw new GeometryError("NO_GEOMETRY", "the STEP file has no geometry");
      case Status.NoFaces:
        throw new GeometryError("NO_GEOMETRY", "the STEP file has no faces (no 3D geometry)");
      case Status.NotASolid:
        throw new GeometryError("NOT_A_SOLID", `the STEP file holds ${faceCount} surface(s) but no solid`);
      default:
        throw new KernelError(out.message() || `the kernel stopped with status ${status}`);
    }
    const rows = out.faces();
    const nameBytes = out.names();
    const decoder = new TextDecoder();
    const faces: FaceRecord[] = [];
    let nameStart = 0;
    for (let i = 0; i < faceCount; i++) {
      const row = rows.subarray(i * FACE_STRIDE, (i + 1) * FACE_STRIDE);
      const nameEnd = nameBytes.indexOf(0, nameStart);
      const stepName = row[Field.HasName] ? decoder.decode(nameBytes.subarray(nameStart, nameEnd)) : null;
      nameStart = nameEnd + 1;
      const reversed = row[Field.Reversed] === 1;
      faces.push({
        index: i,
        surface: SURFACES[row[Field.Surface] as number] ?? "other",
        area: row[Field.Area] as number,
        direction: row[Field.HasDirection] ? vec(row, Field.Direction) : null,
        origin: row[Field.HasOrigin] ? vec(row, Field.Origin) : null,
        radius: row[Field.HasRadius] ? (row[Field.Radius] as number) : null,
        bbox: { min: vec(row, Field.BboxMin), max: vec(row, Field.BboxMax) },
        triangles: { first: row[Field.TriangleFirst] as number, count: row[Field.TriangleCount] as number },
        stepName,
        reversed,
      });
    }
    const pairs = out.edges();
    const angles = out.edgeAngles();
    const edges: EdgeRecord[] = [];
    for (let e = 0; e < angles.length; e++) {
      edges.push({
        faces: [pairs[e * 3] as number, pairs[e * 3 + 1] as number],
        convexity: CONVEXITY[pairs[e * 3 + 2] as number] as Convexity,
        angle: round(angles[e] as number, 4),
      });
    }
    const mesh: FaceMesh = {
      positions: out.positions(),
      indices: out.indices(),
      faceIds: out.triangleFaces(),
      vertexFaceIds: out.vertexFaces(),
    };
    const document: FacesDocument = {
      tessellator: TESSELLATOR_VERSION,
      params,
      faceCount,
      triangleCount: mesh.faceIds.length,
      area: faces.reduce((sum, f) => sum + f.area, 0),
      bbox: { min: vec(summary, 0), max: vec(summary, 3) },
      signature: faceSignature(faces),
      faces,
      edges,
    };
    // a damaged file can place geometry at 1e308: the box, areas or mesh then overflow to infinity or
    // NaN, which JSON writes as null and every consumer (viewer, pre-labels, catalog) chokes on
    if (!finiteGeometry(document, mesh.positions)) {
      throw new GeometryError(
        "NOT_FINITE",
        "the file's geometry reaches coordinates that are not finite numbers (it is damaged or its units are absurd)",
      );
    }
    clock.lap("copy");
    const kernelMs = clock.timings.kernel ?? 0;
    const [read, mesh_, faces_, adjacency] = [10, 11, 12, 13].map((k) => summary[k] as number) as [
      number,
      number,
      number,
      number,
    ];
    const timings: Record<string, number> = {
      read,
      mesh: mesh_,
      faces: faces_,
      adjacency,
      // writing the file into the kernel's memory and copying the results out
      copy: Math.round((kernelMs - (read + mesh_ + faces_ + adjacency) + (clock.timings.copy ?? 0)) * 10) / 10,
    };
    return { mesh, document, timings };
  } finally {
    m._facet_release();
  }
}
