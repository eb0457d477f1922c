import { AppError } from "../errors";
import type { Vec3 } from "../vec3";

/** What the labelling logic needs to know of a B-rep face (a subset of the geometry's face record). */
export interface LabelFace {
  surface: string;
  area: number;
  /** Plane normal, or cylinder/cone/torus axis (unit); null otherwise. */
  direction: Vec3 | null;
  origin: Vec3 | null;
  radius: number | null;
  bbox: { min: Vec3; max: Vec3 };
}

/** Two faces that share at least one edge, and how they meet there. */
export interface LabelEdge {
  faces: [number, number];
  convexity: "convex" | "concave" | "smooth";
  /** Angle between the faces' normals at the edge, degrees. */
  angle: number;
}

/** The face adjacency graph of a part. */
export interface FaceGraph {
  readonly faceCount: number;
  readonly faces: readonly LabelFace[];
  /** Adjacent faces, ascending. */
  neighbours(face: number): readonly number[];
  edgeBetween(a: number, b: number): LabelEdge | undefined;
}

const EMPTY: readonly number[] = Object.freeze([]);

/**
 * Index a faces document (the geometry's, or any object of the same shape) for adjacency queries.
 * When two faces are listed as meeting more than once, the first sharp (non-smooth) description
 * wins, as in the tessellator.
 */
export function buildFaceGraph(doc: { faces: readonly LabelFace[]; edges: readonly LabelEdge[] }): FaceGraph {
  const faceCount = doc.faces.length;
  const edges = new Map<number, LabelEdge>();
  const isFace = (f: number) => Number.isInteger(f) && f >= 0 && f < faceCount;
  const key = (a: number, b: number) => (a < b ? a * faceCount + b : b * faceCount + a);
  for (const e of doc.edges) {
    const [a, b] = e.faces;
    for (const f of [a, b]) {
      if (!isFace(f)) {
        throw new AppError("VALIDATION_FAILED", `edge ${a}-${b} names face ${f}, but the part has ${faceCount} faces`);
      }
    }
    if (a === b) throw new AppError("VALIDATION_FAILED", `edge ${a}-${b} joins a face to itself`);
    const prior = edges.get(key(a, b));
    if (!prior || (prior.convexity === "smooth" && e.convexity !== "smooth")) edges.set(key(a, b), e);
  }
  const lists: number[][] = Array.from({ length: faceCount }, () => []);
  for (const e of edges.values()) {
    lists[e.faces[0]]?.push(e.faces[1]);
    lists[e.faces[1]]?.push(e.faces[0]);
  }
  const neighbours = lists.map((l) => Object.freeze(l.sort((x, y) => x - y)));
  return {
    faceCount,
    faces: doc.faces,
    neighbours: (face) => neighbours[face] ?? EMPTY,
    edgeBetween: (a, b) => (a !== b && isFace(a) && isFace(b) ? edges.get(key(a, b)) : undefined),
  };
}
