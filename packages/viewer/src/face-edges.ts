import type * as THREE from "three";

/**
 * The B-rep edges of a tessellated part, read back from its mesh: the triangle edges where one face
 * meets another (or where the surface ends), as line segments, and which faces touch which.
 *
 * The tessellator emits each face's vertices on their own (no vertex is shared by two faces), but
 * the two faces along an edge are meshed from the same points of that edge: welding vertices by
 * their exact position joins the faces again. A triangle edge is then a boundary when the two
 * triangles on it belong to different faces, or when it has one triangle only (a free edge, or a
 * face the tessellator meshed apart from its neighbour). A seam (a face meeting itself, as a
 * cylinder does) is no boundary.
 */
export interface FaceEdges {
  /** Segment ends, xyz, two points per segment. */
  positions: Float32Array;
  /** For each segment end: the faces on either side (the same face twice for a free edge). */
  faces: Float32Array;
  segmentCount: number;
  /** Faces touching face f (ascending): neighbourList[neighbourStart[f] .. neighbourStart[f + 1]). */
  neighbourStart: Uint32Array;
  neighbourList: Uint32Array;
}

/** The faces touching a face, ascending. */
export function neighboursOf(edges: FaceEdges, face: number): Uint32Array {
  return edges.neighbourList.subarray(edges.neighbourStart[face] as number, edges.neighbourStart[face + 1] as number);
}

function tableSize(n: number): number {
  let size = 16;
  while (size < n * 2) size *= 2;
  return size;
}

/** Vertices with the same position get the same number (0..count-1); `first` is one vertex of each. */
function weld(position: THREE.BufferAttribute | THREE.InterleavedBufferAttribute): {
  welded: Uint32Array;
  first: Uint32Array;
} {
  const n = position.count;
  const xyz = new Float32Array(n * 3);
  for (let v = 0; v < n; v++) {
    // + 0 turns -0 into 0: the same point, and the same bits below
    xyz[v * 3] = position.getX(v) + 0;
    xyz[v * 3 + 1] = position.getY(v) + 0;
    xyz[v * 3 + 2] = position.getZ(v) + 0;
  }
  const bits = new Uint32Array(xyz.buffer);
  const size = tableSize(n);
  const mask = size - 1;
  const slots = new Int32Array(size).fill(-1);
  const welded = new Uint32Array(n);
  const first = new Uint32Array(n);
  let count = 0;
  for (let v = 0; v < n; v++) {
    const x = bits[v * 3] as number;
    const y = bits[v * 3 + 1] as number;
    const z = bits[v * 3 + 2] as number;
    let h = Math.imul(x, 0x9e3779b1) ^ Math.imul(y, 0x85ebca77) ^ Math.imul(z, 0xc2b2ae3d);
    h = (h ^ (h >>> 15)) & mask;
    for (;;) {
      const s = slots[h] as number;
      if (s === -1) {
        slots[h] = v;
        welded[v] = count;
        first[count] = v;
        count++;
        break;
      }
      if (bits[s * 3] === x && bits[s * 3 + 1] === y && bits[s * 3 + 2] === z) {
        welded[v] = welded[s] as number;
        break;
      }
      h = (h + 1) & mask;
    }
  }
  return { welded, first: first.subarray(0, count) };
}

/**
 * The boundaries between faces of a geometry whose vertices carry `faceId` (see FaceModel). Linear
 * in the triangles: one pass to weld the vertices, one over the triangle edges (open addressing).
 */
export function buildFaceEdges(geometry: THREE.BufferGeometry, faceCount: number): FaceEdges {
  const position = geometry.getAttribute("position");
  const ids = geometry.getAttribute("faceId");
  const index = (geometry.getIndex() as THREE.BufferAttribute).array;
  const { welded, first } = weld(position);
  const triangles = Math.floor(index.length / 3);

  // each undirected edge once: its ends (welded, low first), the face of its first triangle, another
  // face seen on it (-1: none), and how many triangles use it (capped)
  const size = tableSize(triangles * 1.5);
  const mask = size - 1;
  const lo = new Int32Array(size).fill(-1);
  const hi = new Uint32Array(size);
  const face = new Uint32Array(size);
  const other = new Int32Array(size).fill(-1);
  const uses = new Uint8Array(size);
  for (let t = 0; t < triangles; t++) {
    const f = ids.getX(index[t * 3] as number);
    for (let k = 0; k < 3; k++) {
      const p = welded[index[t * 3 + k] as number] as number;
      const q = welded[index[t * 3 + ((k + 1) % 3)] as number] as number;
      if (p === q) continue; // a degenerate triangle's collapsed side
      const a = Math.min(p, q);
      const b = Math.max(p, q);
      let h = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca77)) >>> 0;
      h = (h ^ (h >>> 15)) & mask;
      for (;;) {
        if (lo[h] === -1) {
          lo[h] = a;
          hi[h] = b;
          face[h] = f;
          uses[h] = 1;
          break;
        }
        if (lo[h] === a && hi[h] === b) {
          if (uses[h] !== 255) uses[h] = (uses[h] as number) + 1;
          if (face[h] !== f && other[h] === -1) other[h] = f;
          break;
        }
        h = (h + 1) & mask;
      }
    }
  }

  let segmentCount = 0;
  let pairCount = 0;
  for (let h = 0; h < size; h++) {
    if (lo[h] === -1) continue;
    if (other[h] !== -1) {
      segmentCount++;
      pairCount++;
    } else if (uses[h] === 1) segmentCount++;
  }
  const positions = new Float32Array(segmentCount * 6);
  const faces = new Float32Array(segmentCount * 4);
  const pairs = new Uint32Array(pairCount * 2);
  let s = 0;
  let pr = 0;
  for (let h = 0; h < size; h++) {
    if (lo[h] === -1 || (other[h] === -1 && uses[h] !== 1)) continue;
    const f = face[h] as number;
    const g = other[h] === -1 ? f : (other[h] as number);
    const ends = [first[lo[h] as number] as number, first[hi[h] as number] as number];
    for (let e = 0; e < 2; e++) {
      const v = ends[e] as number;
      positions[s * 6 + e * 3] = position.getX(v);
      positions[s * 6 + e * 3 + 1] = position.getY(v);
      positions[s * 6 + e * 3 + 2] = position.getZ(v);
      faces[s * 4 + e * 2] = f;
      faces[s * 4 + e * 2 + 1] = g;
    }
    s++;
    if (g !== f) {
      pairs[pr++] = f;
      pairs[pr++] = g;
    }
  }
  const { start, list } = adjacency(pairs, faceCount);
  return { positions, faces, segmentCount, neighbourStart: start, neighbourList: list };
}

/** Face pairs (each boundary segment gives one, so many repeat) to sorted, distinct neighbour lists. */
function adjacency(pairs: Uint32Array, faceCount: number): { start: Uint32Array; list: Uint32Array } {
  const counts = new Uint32Array(faceCount + 1);
  for (const f of pairs) counts[f + 1] = (counts[f + 1] as number) + 1;
  for (let f = 0; f < faceCount; f++) counts[f + 1] = (counts[f + 1] as number) + (counts[f] as number);
  const all = new Uint32Array(pairs.length);
  const cursor = counts.slice(0, faceCount);
  for (let i = 0; i < pairs.length; i += 2) {
    const a = pairs[i] as number;
    const b = pairs[i + 1] as number;
    all[cursor[a] as number] = b;
    cursor[a] = (cursor[a] as number) + 1;
    all[cursor[b] as number] = a;
    cursor[b] = (cursor[b] as number) + 1;
  }
  const start = new Uint32Array(faceCount + 1);
  const list = new Uint32Array(pairs.length);
  let n = 0;
  for (let f = 0; f < faceCount; f++) {
    start[f] = n;
    const mine = all.subarray(counts[f] as number, counts[f + 1] as number).sort();
    for (let i = 0; i < mine.length; i++) if (i === 0 || mine[i] !== mine[i - 1]) list[n++] = mine[i] as number;
  }
  start[faceCount] = n;
  return { start, list: list.slice(0, n) };
}
