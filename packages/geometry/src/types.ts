import type { Vec3 } from "@facet/core";

export type SurfaceType = "plane" | "cylinder" | "cone" | "sphere" | "torus" | "bspline" | "other";
export type Convexity = "convex" | "concave" | "smooth";

export interface FaceRecord {
  /** Position in the deterministic numbering (TopExp map order), from 0. */
  index: number;
  surface: SurfaceType;
  area: number;
  /** Plane normal, or cylinder/cone/torus axis direction (unit); null otherwise. */
  direction: Vec3 | null;
  /** A point of the plane or of the axis. */
  origin: Vec3 | null;
  /** Cylinder, cone (reference), sphere, torus (major) radius. */
  radius: number | null;
  bbox: { min: Vec3; max: Vec3 };
  /** Triangles of this face: [first, first + count) in the mesh. */
  triangles: { first: number; count: number };
  /** The STEP entity's name (`ADVANCED_FACE('<name>', …)`), when the file gives one. */
  stepName: string | null;
  reversed: boolean;
}

export interface EdgeRecord {
  faces: [number, number];
  convexity: Convexity;
  /** Dihedral angle between the face normals at the edge midpoint, degrees. */
  angle: number;
}

export interface FaceMesh {
  positions: Float32Array;
  indices: Uint32Array;
  /** Face index of each triangle. */
  faceIds: Uint32Array;
  /** Face index of each vertex (vertices are not shared between faces). */
  vertexFaceIds: Uint32Array;
}

export interface FacesDocument {
  tessellator: string;
  params: TessellationParams;
  faceCount: number;
  triangleCount: number;
  /** Surface area of the whole shape: the sum of the exact face areas. */
  area: number;
  bbox: { min: Vec3; max: Vec3 };
  signature: string;
  faces: FaceRecord[];
  edges: EdgeRecord[];
}

export interface TessellationParams {
  /** Linear deflection as a fraction of the bounding-box diagonal. */
  relativeDeflection: number;
  /** Angular deflection, radians. */
  angularDeflection: number;
}

export const DEFAULT_PARAMS: TessellationParams = { relativeDeflection: 0.001, angularDeflection: 0.5 };
