import * as THREE from "three";
import { type GLTF, GLTFLoader } from "three/examples/jsm/loaders/GLTFLoader.js";
import { MeshBVH } from "three-mesh-bvh";
import { buildFaceEdges, type FaceEdges } from "./face-edges";

/**
 * A tessellated B-rep part ready for face-level work: the mesh with a `faceId` per vertex (from the
 * GLB's `_FACE_ID`), which triangles belong to which face, and a BVH for picking. Vertices are never
 * shared between B-rep faces (the tessellator emits them per face), so a face's look can be changed
 * without touching its neighbours.
 */
export interface FaceModel {
  geometry: THREE.BufferGeometry;
  faceCount: number;
  triangleCount: number;
  /** Face of each triangle, in the geometry's current index order (the BVH reorders triangles). */
  faceOfTriangle: Uint32Array;
  /** Triangles of face f: triangleList[triangleStart[f] .. triangleStart[f + 1]). */
  triangleStart: Uint32Array;
  triangleList: Uint32Array;
  bounds: THREE.Box3;
  /** Built after the first frame so the part shows as soon as it arrives; null until then. */
  bvh: MeshBVH | null;
  /** The B-rep edges and which faces touch which; built after the first frame too, null until then. */
  edges: FaceEdges | null;
}

export async function parseGlb(data: ArrayBuffer): Promise<THREE.BufferGeometry> {
  const gltf = await new Promise<GLTF>((resolve, reject) => new GLTFLoader().parse(data, "", resolve, reject));
  const mesh = gltf.scene.getObjectByProperty("type", "Mesh") as THREE.Mesh | undefined;
  if (!mesh) throw new Error("the mesh file holds no mesh");
  const source = mesh.geometry as THREE.BufferGeometry;
  const ids = source.getAttribute("_face_id");
  const position = source.getAttribute("position");
  const index = source.getIndex();
  if (!ids || !position || !index) throw new Error("the mesh file has no face ids: reprocess the part");
  const g = new THREE.BufferGeometry();
  g.setAttribute("position", position);
  g.setAttribute("faceId", ids);
  g.setIndex(index);
  g.computeVertexNormals();
  return g;
}

/** Index the faces of a geometry whose vertices carry `faceId`. */
export function buildFaceModel(geometry: THREE.BufferGeometry): FaceModel {
  const ids = geometry.getAttribute("faceId") as THREE.BufferAttribute;
  const index = geometry.getIndex() as THREE.BufferAttribute;
  let faceCount = 0;
  for (let v = 0; v < ids.count; v++) faceCount = Math.max(faceCount, ids.getX(v) + 1);
  geometry.computeBoundingBox();
  geometry.computeBoundingSphere();
  const model: FaceModel = {
    geometry,
    faceCount,
    triangleCount: index.count / 3,
    faceOfTriangle: new Uint32Array(0),
    triangleStart: new Uint32Array(faceCount + 1),
    triangleList: new Uint32Array(0),
    bounds: (geometry.boundingBox as THREE.Box3).clone(),
    bvh: null,
    edges: null,
  };
  indexTriangles(model);
  return model;
}

/** (Re)build triangle -> face and face -> triangles, e.g. after the BVH reordered the index. */
function indexTriangles(model: FaceModel): void {
  const ids = model.geometry.getAttribute("faceId") as THREE.BufferAttribute;
  const index = (model.geometry.getIndex() as THREE.BufferAttribute).array;
  const n = model.triangleCount;
  const faceOf = new Uint32Array(n);
  const counts = new Uint32Array(model.faceCount + 1);
  for (let t = 0; t < n; t++) {
    const f = ids.getX(index[t * 3] as number);
    faceOf[t] = f;
    counts[f + 1] = (counts[f + 1] as number) + 1;
  }
  const start = counts;
  for (let f = 0; f < model.faceCount; f++) start[f + 1] = (start[f + 1] as number) + (start[f] as number);
  const cursor = start.slice(0, model.faceCount);
  const list = new Uint32Array(n);
  for (let t = 0; t < n; t++) {
    const f = faceOf[t] as number;
    list[cursor[f] as number] = t;
    cursor[f] = (cursor[f] as number) + 1;
  }
  model.faceOfTriangle = faceOf;
  model.triangleStart = start;
  model.triangleList = list;
}

/** Build the picking BVH (reorders the geometry's triangles, so the face index is rebuilt). */
export function buildBvh(model: FaceModel): MeshBVH {
  if (model.bvh) return model.bvh;
  const bvh = new MeshBVH(model.geometry, { targetLeafSize: 10 });
  model.bvh = bvh;
  indexTriangles(model);
  return bvh;
}

/** The faces' boundaries and adjacency, from the mesh (see face-edges.ts); built once. */
export function buildEdges(model: FaceModel): FaceEdges {
  model.edges ??= buildFaceEdges(model.geometry, model.faceCount);
  return model.edges;
}

const a = new THREE.Vector3();
const b = new THREE.Vector3();
const c = new THREE.Vector3();

/** Triangle corners of triangle t. */
export function triangleCorners(model: FaceModel, t: number, out: [THREE.Vector3, THREE.Vector3, THREE.Vector3]) {
  const index = (model.geometry.getIndex() as THREE.BufferAttribute).array;
  const pos = model.geometry.getAttribute("position") as THREE.BufferAttribute;
  out[0].fromBufferAttribute(pos, index[t * 3] as number);
  out[1].fromBufferAttribute(pos, index[t * 3 + 1] as number);
  out[2].fromBufferAttribute(pos, index[t * 3 + 2] as number);
  return out;
}

/** Area-weighted centre and bounding box of a set of faces. */
export function facesBounds(model: FaceModel, faces: Iterable<number>): THREE.Box3 {
  const box = new THREE.Box3();
  const corners: [THREE.Vector3, THREE.Vector3, THREE.Vector3] = [a, b, c];
  for (const f of faces) {
    for (let i = model.triangleStart[f] as number; i < (model.triangleStart[f + 1] as number); i++) {
      triangleCorners(model, model.triangleList[i] as number, corners);
      box.expandByPoint(a).expandByPoint(b).expandByPoint(c);
    }
  }
  return box;
}

/** The triangles of a face, largest first (for finding a visible point of it). */
export function trianglesBySize(model: FaceModel, face: number, limit: number): number[] {
  const corners: [THREE.Vector3, THREE.Vector3, THREE.Vector3] = [a, b, c];
  const all: Array<[number, number]> = [];
  for (let i = model.triangleStart[face] as number; i < (model.triangleStart[face + 1] as number); i++) {
    const t = model.triangleList[i] as number;
    triangleCorners(model, t, corners);
    all.push([t, b.sub(a).cross(c.sub(a)).lengthSq()]);
  }
  all.sort((x, y) => y[1] - x[1]);
  return all.slice(0, limit).map(([t]) => t);
}

/** Vertex positions of a face, flat xyz (for measuring parameters from the mesh). */
export function facePoints(model: FaceModel, face: number): Float32Array {
  const index = (model.geometry.getIndex() as THREE.BufferAttribute).array;
  const pos = model.geometry.getAttribute("position") as THREE.BufferAttribute;
  const seen = new Set<number>();
  for (let i = model.triangleStart[face] as number; i < (model.triangleStart[face + 1] as number); i++) {
    const t = model.triangleList[i] as number;
    for (let k = 0; k < 3; k++) seen.add(index[t * 3 + k] as number);
  }
  const out = new Float32Array(seen.size * 3);
  let j = 0;
  for (const v of seen) {
    out[j++] = pos.getX(v);
    out[j++] = pos.getY(v);
    out[j++] = pos.getZ(v);
  }
  return out;
}
