import { readGlb } from "./glb";
import type { FaceMesh, FacesDocument, SurfaceType } from "./types";

/**
 * A geometry fingerprint of a B-rep shape (see docs/decisions.md, "Geometry fingerprint"): a short
 * vector of numbers that stays the same when the shape is moved, turned, scaled uniformly or its
 * faces renumbered, and changes little when the shape changes little. Near-duplicate shapes (the same
 * part from another exporter, a dimension nudged, a hole moved) are close in Euclidean distance;
 * different shapes are far. Stored as `part_geometry.shape_descriptor` (real[]) and searched with a
 * nearest-neighbour index.
 *
 * Pure: no I/O, deterministic (no random numbers; the same mesh gives the same bits).
 */
export const SHAPE_DESCRIPTOR_VERSION = 1;

/** Below this distance two parts are near-duplicates (calibrated on the corpus: docs/decisions.md). */
export const NEAR_DUPLICATE_DISTANCE = 0.05;

const SURFACE_ORDER: SurfaceType[] = ["plane", "cylinder", "cone", "sphere", "torus", "bspline", "other"];

/** The distinct kinds of surface a shape has, sorted. */
export function surfaceTypes(doc: Pick<FacesDocument, "faces">): string[] {
  return [...new Set(doc.faces.map((f) => f.surface))].sort();
}

/** The mesh of a GLB written by `meshToGlb` (triangles keep their B-rep face). */
export function faceMeshFromGlb(bytes: Uint8Array): FaceMesh {
  const { positions, faceIds, indices } = readGlb(bytes);
  const vertexFaceIds = Uint32Array.from(faceIds);
  const triangles = new Uint32Array(indices.length / 3);
  for (let t = 0; t < triangles.length; t++) triangles[t] = vertexFaceIds[indices[t * 3] as number] as number;
  return { positions, indices, faceIds: triangles, vertexFaceIds };
}

/** How the fingerprint is made: bin edges and the weight of each block (changing any of it is a new version). */
const D2_EDGES = Array.from({ length: 16 }, (_, i) => 0.2 * (i + 1)); // pair distance / RMS radius
const D1_EDGES = Array.from({ length: 12 }, (_, i) => 0.15 * (i + 1)); // distance from the centroid / RMS radius
const RADIUS_EDGES = [0.03, 0.06, 0.12, 0.25, 0.5, 1]; // cylinder radius / RMS radius
/** Mesh edges turning less than this (radians) are flat: float32 rounding tilts flat triangles a little. */
const FLAT = 0.002;
/** About this many surface points carry the distributions (big triangles are subdivided). */
const TARGET_POINTS = 1500;
/** At most this many points enter the all-pairs distance distribution. */
const MAX_POINTS = 3000;

/**
 * Weights of the blocks (chosen on the corpus: re-exports of the NIST parts close, the MFCAD parts —
 * one stock with different features — apart; docs/decisions.md).
 */
const DESCRIPTOR_WEIGHTS = {
  surfaces: 1,
  extents: 3,
  d2: 2,
  d1: 3,
  radii: 1,
  curvature: 0.3,
  compactness: 0.3,
};

interface Samples {
  /** Point coordinates relative to the surface centroid, xyz interleaved. */
  points: Float64Array;
  weights: Float64Array;
  count: number;
}

/** Surface statistics of the mesh: area, centroid, second moments, and area-weighted points on it. */
function surfaceOf(mesh: FaceMesh) {
  const p = mesh.positions;
  const ix = mesh.indices;
  const triangleCount = ix.length / 3;
  const areas = new Float64Array(triangleCount);
  let area = 0;
  let cx = 0;
  let cy = 0;
  let cz = 0;
  for (let t = 0; t < triangleCount; t++) {
    const a = (ix[t * 3] as number) * 3;
    const b = (ix[t * 3 + 1] as number) * 3;
    const c = (ix[t * 3 + 2] as number) * 3;
    const ux = (p[b] as number) - (p[a] as number);
    const uy = (p[b + 1] as number) - (p[a + 1] as number);
    const uz = (p[b + 2] as number) - (p[a + 2] as number);
    const vx = (p[c] as number) - (p[a] as number);
    const vy = (p[c + 1] as number) - (p[a + 1] as number);
    const vz = (p[c + 2] as number) - (p[a + 2] as number);
    const nx = uy * vz - uz * vy;
    const ny = uz * vx - ux * vz;
    const nz = ux * vy - uy * vx;
    const s = Math.sqrt(nx * nx + ny * ny + nz * nz) / 2;
    areas[t] = s;
    area += s;
    cx += (s * ((p[a] as number) + (p[b] as number) + (p[c] as number))) / 3;
    cy += (s * ((p[a + 1] as number) + (p[b + 1] as number) + (p[c + 1] as number))) / 3;
    cz += (s * ((p[a + 2] as number) + (p[b + 2] as number) + (p[c + 2] as number))) / 3;
  }
  if (!(area > 0)) return null;
  const centroid = [cx / area, cy / area, cz / area] as const;

  // exact second moments of the triangles about the centroid: a/12 (Σ vᵢvᵢᵀ + (Σ vᵢ)(Σ vᵢ)ᵀ)
  const m = new Float64Array(6); // xx yy zz xy xz yz
  const v = new Float64Array(9);
  for (let t = 0; t < triangleCount; t++) {
    for (let k = 0; k < 3; k++) {
      const at = (ix[t * 3 + k] as number) * 3;
      for (let d = 0; d < 3; d++) v[k * 3 + d] = (p[at + d] as number) - (centroid[d] as number);
    }
    const s = (areas[t] as number) / 12;
    const sx = (v[0] as number) + (v[3] as number) + (v[6] as number);
    const sy = (v[1] as number) + (v[4] as number) + (v[7] as number);
    const sz = (v[2] as number) + (v[5] as number) + (v[8] as number);
    let xx = sx * sx;
    let yy = sy * sy;
    let zz = sz * sz;
    let xy = sx * sy;
    let xz = sx * sz;
    let yz = sy * sz;
    for (let k = 0; k < 3; k++) {
      const x = v[k * 3] as number;
      const y = v[k * 3 + 1] as number;
      const z = v[k * 3 + 2] as number;
      xx += x * x;
      yy += y * y;
      zz += z * z;
      xy += x * y;
      xz += x * z;
      yz += y * z;
    }
    m[0] = (m[0] as number) + s * xx;
    m[1] = (m[1] as number) + s * yy;
    m[2] = (m[2] as number) + s * zz;
    m[3] = (m[3] as number) + s * xy;
    m[4] = (m[4] as number) + s * xz;
    m[5] = (m[5] as number) + s * yz;
  }
  for (let k = 0; k < 6; k++) m[k] = (m[k] as number) / area;

  return { area, moments: m, samples: surfacePoints(mesh, areas, centroid, area) };
}

/**
 * Points on the surface, each weighing its share of the area: a big triangle gives the centroids of
 * its k×k subdivision; small ones are gathered, face by face in the tessellator's order, into
 * clusters of about the target area (their area-weighted centroid). So a finely meshed face gives
 * about as many points as a coarsely meshed one, and the points do not depend on how faces are
 * numbered. Coarser until there are at most MAX_POINTS.
 */
function surfacePoints(mesh: FaceMesh, areas: Float64Array, centroid: readonly number[], area: number): Samples {
  for (let target = area / TARGET_POINTS; ; target *= 1.5) {
    const samples = clusteredPoints(mesh, areas, centroid, area, target);
    if (samples.count <= MAX_POINTS) return samples;
  }
}

function clusteredPoints(
  mesh: FaceMesh,
  areas: Float64Array,
  centroid: readonly number[],
  area: number,
  target: number,
): Samples {
  const p = mesh.positions;
  const ix = mesh.indices;
  const triangleCount = areas.length;
  const points: number[] = [];
  const weights: number[] = [];
  // per face: the cluster being gathered (area, area-weighted coordinate sums)
  const open = new Map<number, [number, number, number, number]>();
  const v = new Float64Array(9);
  for (let t = 0; t < triangleCount; t++) {
    const a = areas[t] as number;
    for (let c = 0; c < 3; c++) {
      const at = (ix[t * 3 + c] as number) * 3;
      for (let d = 0; d < 3; d++) v[c * 3 + d] = (p[at + d] as number) - (centroid[d] as number);
    }
    if (a >= target) {
      const k = Math.min(16, Math.ceil(Math.sqrt(a / target)));
      const w = a / (k * k) / area;
      const put = (b1: number, b2: number) => {
        const b0 = 1 - b1 - b2;
        for (let d = 0; d < 3; d++)
          points.push(b0 * (v[d] as number) + b1 * (v[3 + d] as number) + b2 * (v[6 + d] as number));
        weights.push(w);
      };
      for (let i = 0; i < k; i++)
        for (let j = 0; i + j < k; j++) {
          put((i + 1 / 3) / k, (j + 1 / 3) / k);
          if (i + j < k - 1) put((i + 2 / 3) / k, (j + 2 / 3) / k);
        }
      continue;
    }
    const face = mesh.faceIds[t] as number;
    const cluster = open.get(face) ?? [0, 0, 0, 0];
    open.set(face, cluster);
    cluster[0] += a;
    for (let d = 0; d < 3; d++)
      cluster[d + 1] =
        (cluster[d + 1] as number) + (a * ((v[d] as number) + (v[3 + d] as number) + (v[6 + d] as number))) / 3;
    if (cluster[0] >= target) {
      points.push(cluster[1] / cluster[0], cluster[2] / cluster[0], cluster[3] / cluster[0]);
      weights.push(cluster[0] / area);
      open.delete(face);
    }
  }
  for (const cluster of open.values()) {
    if (cluster[0] <= 0) continue;
    points.push(cluster[1] / cluster[0], cluster[2] / cluster[0], cluster[3] / cluster[0]);
    weights.push(cluster[0] / area);
  }
  return { points: Float64Array.from(points), weights: Float64Array.from(weights), count: weights.length };
}

/** Eigenvalues of a symmetric 3×3 matrix (xx yy zz xy xz yz), largest first. */
type Six = [number, number, number, number, number, number];
export function symmetricEigenvalues(m: ArrayLike<number>): [number, number, number] {
  const [a, b, c, d, e, f] = Array.from(m).slice(0, 6) as Six;
  const p1 = d * d + e * e + f * f;
  const q = (a + b + c) / 3;
  if (p1 <= 1e-30 * (a * a + b * b + c * c + 1e-300))
    return [a, b, c].sort((x, y) => y - x) as [number, number, number];
  const p2 = (a - q) ** 2 + (b - q) ** 2 + (c - q) ** 2 + 2 * p1;
  const p = Math.sqrt(p2 / 6);
  // B = (A - qI) / p; r = det(B) / 2
  const [ba, bb, bc, bd, be, bf] = [a - q, b - q, c - q, d, e, f].map((x) => x / p) as Six;
  const det = ba * (bb * bc - bf * bf) - bd * (bd * bc - bf * be) + be * (bd * bf - bb * be);
  const r = Math.min(1, Math.max(-1, det / 2));
  const phi = Math.acos(r) / 3;
  const l1 = q + 2 * p * Math.cos(phi);
  const l3 = q + 2 * p * Math.cos(phi + (2 * Math.PI) / 3);
  return [l1, 3 * q - l1 - l3, l3];
}

/** Cumulative weight at each edge of `edges` (the CDF of a weighted distribution), given a histogram. */
function cumulative(histogram: Float64Array, total: number): number[] {
  const out: number[] = [];
  let sum = 0;
  for (let i = 0; i < histogram.length - 1; i++) {
    sum += histogram[i] as number;
    out.push(total > 0 ? sum / total : 0);
  }
  return out;
}

/**
 * Add a weight to a histogram of bins one step wide, shared linearly between the two bins nearest to
 * it: the cumulative distribution then changes continuously with the value, so a shape whose
 * distances sit on bin edges (a block's lattice of points) does not jump when it is turned.
 */
function addSoft(histogram: Float64Array, steps: number, weight: number) {
  const u = Math.max(0, steps - 0.5);
  const last = histogram.length - 1;
  const k = Math.floor(u);
  if (k >= last) {
    histogram[last] = (histogram[last] as number) + weight;
    return;
  }
  const f = u - k;
  histogram[k] = (histogram[k] as number) + weight * (1 - f);
  histogram[k + 1] = (histogram[k + 1] as number) + weight * f;
}

/** The distributions of distances over the surface: from the centroid (D1) and between points (D2). */
function distances(samples: Samples, rms: number) {
  const { points, weights, count } = samples;
  const d1 = new Float64Array(D1_EDGES.length + 1);
  for (let i = 0; i < count; i++) {
    const r = Math.hypot(points[i * 3] as number, points[i * 3 + 1] as number, points[i * 3 + 2] as number) / rms;
    addSoft(d1, r / (D1_EDGES[0] as number), weights[i] as number);
  }
  const d2 = new Float64Array(D2_EDGES.length + 1);
  const step = D2_EDGES[0] as number;
  const scale = 1 / (rms * step);
  let total = 0;
  for (let i = 0; i < count; i++) {
    const xi = points[i * 3] as number;
    const yi = points[i * 3 + 1] as number;
    const zi = points[i * 3 + 2] as number;
    const wi = weights[i] as number;
    for (let j = i + 1; j < count; j++) {
      const dx = xi - (points[j * 3] as number);
      const dy = yi - (points[j * 3 + 1] as number);
      const dz = zi - (points[j * 3 + 2] as number);
      const w = wi * (weights[j] as number);
      addSoft(d2, Math.sqrt(dx * dx + dy * dy + dz * dz) * scale, w);
      total += w;
    }
  }
  return { d1: cumulative(d1, 1), d2: cumulative(d2, total) };
}

/**
 * The total mean curvature of the surface, its convex and its concave part: over every edge of the
 * mesh (welded across faces), half its length times the angle the surface turns there. Unlike counts
 * of faces or edges it does not change when an exporter splits a face, and it hardly changes when a
 * sharp edge is filleted (the fillet turns by the same angle). Triangles face outward (the kernel
 * orients them with their face).
 */
function meanCurvature(mesh: FaceMesh): { convex: number; concave: number } {
  const p = mesh.positions;
  const ix = mesh.indices;
  const vertexCount = p.length / 3;
  const welded = new Uint32Array(vertexCount);
  const ids = new Map<string, number>();
  for (let v = 0; v < vertexCount; v++) {
    const key = `${p[v * 3]},${p[v * 3 + 1]},${p[v * 3 + 2]}`;
    let id = ids.get(key);
    if (id === undefined) {
      id = ids.size;
      ids.set(key, id);
    }
    welded[v] = id;
  }
  const triangleCount = ix.length / 3;
  const normals = new Float64Array(triangleCount * 3);
  for (let t = 0; t < triangleCount; t++) {
    const [a, b, c] = [ix[t * 3] as number, ix[t * 3 + 1] as number, ix[t * 3 + 2] as number].map((v) => v * 3) as [
      number,
      number,
      number,
    ];
    const u = [0, 1, 2].map((d) => (p[b + d] as number) - (p[a + d] as number)) as [number, number, number];
    const w = [0, 1, 2].map((d) => (p[c + d] as number) - (p[a + d] as number)) as [number, number, number];
    const n = [u[1] * w[2] - u[2] * w[1], u[2] * w[0] - u[0] * w[2], u[0] * w[1] - u[1] * w[0]];
    const l = Math.hypot(n[0] as number, n[1] as number, n[2] as number) || 1;
    for (let d = 0; d < 3; d++) normals[t * 3 + d] = (n[d] as number) / l;
  }
  // each undirected edge: the first triangle seen on it (and which corner is opposite)
  const first = new Map<number, number>();
  const out = { convex: 0, concave: 0 };
  for (let t = 0; t < triangleCount; t++)
    for (let k = 0; k < 3; k++) {
      const a = ix[t * 3 + k] as number;
      const b = ix[t * 3 + ((k + 1) % 3)] as number;
      const [wa, wb] = [welded[a] as number, welded[b] as number];
      if (wa === wb) continue;
      const key = wa < wb ? wa * ids.size + wb : wb * ids.size + wa;
      const seen = first.get(key);
      if (seen === undefined) {
        first.set(key, t * 3 + k);
        continue;
      }
      first.delete(key);
      const s = Math.floor(seen / 3);
      const opposite = (ix[s * 3 + (((seen % 3) + 2) % 3)] as number) * 3;
      let cos = 0;
      let sx = 0;
      let sy = 0;
      let sz = 0;
      let side = 0;
      for (let d = 0; d < 3; d++) {
        cos += (normals[t * 3 + d] as number) * (normals[s * 3 + d] as number);
        side += (normals[t * 3 + d] as number) * ((p[opposite + d] as number) - (p[a * 3 + d] as number));
      }
      sx =
        (normals[t * 3 + 1] as number) * (normals[s * 3 + 2] as number) -
        (normals[t * 3 + 2] as number) * (normals[s * 3 + 1] as number);
      sy =
        (normals[t * 3 + 2] as number) * (normals[s * 3] as number) -
        (normals[t * 3] as number) * (normals[s * 3 + 2] as number);
      sz =
        (normals[t * 3] as number) * (normals[s * 3 + 1] as number) -
        (normals[t * 3 + 1] as number) * (normals[s * 3] as number);
      const angle = Math.atan2(Math.hypot(sx, sy, sz), cos);
      const length = Math.hypot(
        (p[a * 3] as number) - (p[b * 3] as number),
        (p[a * 3 + 1] as number) - (p[b * 3 + 1] as number),
        (p[a * 3 + 2] as number) - (p[b * 3 + 2] as number),
      );
      if (angle < FLAT) continue;
      if (side < 0) out.convex += (length * angle) / 2;
      else out.concave += (length * angle) / 2;
    }
  return out;
}

/** The blocks of the fingerprint before weighting (exported for calibration scripts and tests). */
export function descriptorBlocks(doc: FacesDocument, mesh: FaceMesh) {
  const surface = surfaceOf(mesh);
  const faceArea = doc.faces.reduce((s, f) => s + f.area, 0) || 1;
  const shares = SURFACE_ORDER.map(
    (type) => doc.faces.filter((f) => f.surface === type).reduce((s, f) => s + f.area, 0) / faceArea,
  );
  if (!surface) {
    return {
      surfaces: shares,
      extents: [0, 0, 0],
      d2: D2_EDGES.map(() => 0),
      d1: D1_EDGES.map(() => 0),
      radii: RADIUS_EDGES.map(() => 0),
      curvature: [0, 0],
      compactness: [0],
    };
  }
  const eigen = symmetricEigenvalues(surface.moments).map((l) => Math.max(0, l)) as [number, number, number];
  const trace = eigen[0] + eigen[1] + eigen[2];
  const rms = Math.sqrt(trace);
  const { d1, d2 } = distances(surface.samples, rms);
  const curvature = meanCurvature(mesh);
  const radii = RADIUS_EDGES.map(
    (edge) =>
      doc.faces
        .filter((f) => f.surface === "cylinder" && f.radius !== null && f.radius / rms <= edge)
        .reduce((s, f) => s + f.area, 0) / faceArea,
  );
  return {
    surfaces: shares,
    extents: eigen.map((l) => Math.sqrt(l / trace)),
    d2,
    d1,
    radii,
    curvature: [Math.log1p(curvature.convex / rms), Math.log1p(curvature.concave / rms)],
    compactness: [Math.log(surface.area / trace)],
  };
}

/**
 * The fingerprint of a shape: its faces document and mesh (as the tessellator makes them, or as
 * read back from faces.json and mesh.glb). 47 numbers; compare with Euclidean distance.
 */
export function shapeDescriptor(doc: FacesDocument, mesh: FaceMesh): number[] {
  const blocks = descriptorBlocks(doc, mesh);
  const out: number[] = [];
  for (const [name, values] of Object.entries(blocks)) {
    const w = DESCRIPTOR_WEIGHTS[name as keyof typeof DESCRIPTOR_WEIGHTS];
    for (const x of values) out.push(Math.round(x * w * 1e6) / 1e6);
  }
  return out;
}

/** Euclidean distance between two fingerprints. */
export function descriptorDistance(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < Math.max(a.length, b.length); i++) sum += ((a[i] ?? 0) - (b[i] ?? 0)) ** 2;
  return Math.sqrt(sum);
}
