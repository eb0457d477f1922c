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

/** An attribute's values as one flat array (a copy only when the attribute is interleaved). */
function flat(attribute: THREE.BufferAttribute | THREE.InterleavedBufferAttribute): ArrayLike<number> {
  if (!("isInterleavedBufferAttribute" in attribute) && !attribute.normalized) return attribute.array;
  const out = new Float32Array(attribute.count * attribute.itemSize);
  for (let i = 0; i < attribute.count; i++) {
    for (let k = 0; k < attribute.itemSize; k++) out[i * attribute.itemSize + k] = attribute.getComponent(i, k);
  }
  return out;
}

/**
 * Numbers points by position: vertices at the same point get the same number, in the order first
 * asked. Only the vertices on faces' boundaries are asked: a small table.
 */
class Welder {
  private readonly bits: Uint32Array;
  private readonly slots: Int32Array;
  private readonly mask: number;
  /** The number of each vertex asked (-1: not yet). */
  private readonly of: Int32Array;
  /** One vertex of each number. */
  readonly first: number[] = [];

  constructor(position: ArrayLike<number>, expected: number) {
    const xyz = new Float32Array(position.length);
    // + 0 turns -0 into 0: the same point, and the same bits below
    for (let i = 0; i < position.length; i++) xyz[i] = (position[i] as number) + 0;
    this.bits = new Uint32Array(xyz.buffer);
    const size = tableSize(expected);
    this.mask = size - 1;
    this.slots = new Int32Array(size).fill(-1);
    this.of = new Int32Array(Math.floor(position.length / 3)).fill(-1);
  }

  number(v: number): number {
    const known = this.of[v] as number;
    if (known !== -1) return known;
    const bits = this.bits;
    const x = bits[v * 3] as number;
    const y = bits[v * 3 + 1] as number;
    const z = bits[v * 3 + 2] as number;
    let h = Math.imul(x, 0x9e3779b1) ^ Math.imul(y, 0x85ebca77) ^ Math.imul(z, 0xc2b2ae3d);
    h = (h ^ (h >>> 15)) & this.mask;
    for (;;) {
      const s = this.slots[h] as number;
      if (s === -1) {
        this.slots[h] = v;
        this.of[v] = this.first.length;
        this.first.push(v);
        return this.of[v] as number;
      }
      if (bits[s * 3] === x && bits[s * 3 + 1] === y && bits[s * 3 + 2] === z) {
        this.of[v] = this.of[s] as number;
        return this.of[v] as number;
      }
      h = (h + 1) & this.mask;
    }
  }
}

/**
 * Each face's boundary, as half-edges p -> q (vertex indices) of its triangles with no q -> p beside
 * them: vertices are shared inside a face, so a triangle edge inside it is walked both ways. Every
 * vertex's outgoing half-edges side by side (counting sort), then one look at q's list per half-edge.
 */
function faceBoundaries(index: ArrayLike<number>, vertexCount: number): Uint32Array {
  const start = new Uint32Array(vertexCount + 1);
  for (let i = 0; i < index.length; i++) {
    const v = (index[i] as number) + 1;
    start[v] = (start[v] as number) + 1;
  }
  for (let v = 0; v < vertexCount; v++) start[v + 1] = (start[v + 1] as number) + (start[v] as number);
  const cursor = start.slice(0, vertexCount);
  const next = new Uint32Array(index.length);
  for (let t = 0; t + 2 < index.length; t += 3) {
    for (let k = 0; k < 3; k++) {
      const p = index[t + k] as number;
      next[cursor[p] as number] = index[t + ((k + 1) % 3)] as number;
      cursor[p] = (cursor[p] as number) + 1;
    }
  }
  const out: number[] = [];
  for (let p = 0; p < vertexCount; p++) {
    for (let i = start[p] as number; i < (start[p + 1] as number); i++) {
      const q = next[i] as number;
      let twin = false;
      for (let j = start[q] as number; j < (start[q + 1] as number) && !twin; j++) twin = next[j] === p;
      if (!twin) out.push(p, q);
    }
  }
  return Uint32Array.from(out);
}

/**
 * An edge's state (the 4th number of its slot): ONCE, one half-edge so far (a free edge if it stays
 * so); INSIDE, two of one face (a seam); above 0, a half-edge of another face was seen: its face + 1.
 */
const ONCE = 0;
const INSIDE = -1;

/**
 * The boundaries between faces of a geometry whose vertices carry `faceId` (see FaceModel). Linear
 * in the triangles, and quick on 500k-triangle parts: each face's own boundary is found by vertex
 * index (faceBoundaries), and only those half-edges are welded by position and paired across faces.
 */
export function buildFaceEdges(geometry: THREE.BufferGeometry, faceCount: number): FaceEdges {
  const position = flat(geometry.getAttribute("position"));
  const ids = flat(geometry.getAttribute("faceId"));
  const index = (geometry.getIndex() as THREE.BufferAttribute).array;
  const halves = faceBoundaries(index, ids.length);
  const welder = new Welder(position, halves.length);

  // each undirected edge once: its ends (welded, low + 1 first; 0 = free slot), the face of its first
  // half-edge, and its state (above)
  const size = tableSize(halves.length);
  const mask = size - 1;
  const table = new Int32Array(size * 4);
  for (let i = 0; i < halves.length; i += 2) {
    const f = ids[halves[i] as number] as number;
    const p = welder.number(halves[i] as number);
    const q = welder.number(halves[i + 1] as number);
    if (p === q) continue; // a degenerate triangle's collapsed side
    const a = Math.min(p, q) + 1;
    const b = Math.max(p, q);
    let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca77);
    h = (h ^ (h >>> 15)) & mask;
    for (;;) {
      const slot = h * 4;
      if (table[slot] === 0) {
        table[slot] = a;
        table[slot + 1] = b;
        table[slot + 2] = f;
        break;
      }
      if (table[slot] === a && table[slot + 1] === b) {
        const state = table[slot + 3] as number;
        if (table[slot + 2] !== f) {
          if (state <= ONCE) table[slot + 3] = f + 1;
        } else if (state === ONCE) table[slot + 3] = INSIDE;
        break;
      }
      h = (h + 1) & mask;
    }
  }

  let segmentCount = 0;
  let pairCount = 0;
  for (let slot = 0; slot < table.length; slot += 4) {
    if (table[slot] === 0) continue;
    const state = table[slot + 3] as number;
    if (state !== INSIDE) segmentCount++;
    if (state > ONCE) pairCount++;
  }
  const positions = new Float32Array(segmentCount * 6);
  const faces = new Float32Array(segmentCount * 4);
  const pairs = new Uint32Array(pairCount * 2);
  let s = 0;
  let pr = 0;
  for (let slot = 0; slot < table.length; slot += 4) {
    const state = table[slot + 3] as number;
    if (table[slot] === 0 || state === INSIDE) continue;
    const f = table[slot + 2] as number;
    const g = state > ONCE ? state - 1 : f;
    const ends = [
      welder.first[(table[slot] as number) - 1] as number,
      welder.first[table[slot + 1] as number] as number,
    ];
    for (let e = 0; e < 2; e++) {
      const v = ends[e] as number;
      for (let c = 0; c < 3; c++) positions[s * 6 + e * 3 + c] = position[v * 3 + c] as number;
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
