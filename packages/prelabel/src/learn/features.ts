import { dot, type LabelEdge, type Vec3 } from "@facet/core";
import { extentAlong, isParallel, isPerpendicular } from "../rules/vectors";
import type { PrelabelFace, PrelabelInput } from "../types";

/**
 * What the learned pre-labeler sees of each face: numbers computed from what the geometry pipeline
 * already produces (the face's kind, size and orientation, how it meets its neighbours, and the
 * shape of the group of faces it is joined to by concave or smooth edges). Every number is
 * invariant to moving the part, scaling it uniformly and renumbering its faces; none names a
 * class of any taxonomy. The graph network (model.ts) then mixes each face's numbers with its
 * neighbours', edge kind by edge kind.
 *
 * A change to these numbers is a new FEATURE_VERSION: a model is only used with the features it
 * was trained on.
 */
export const FEATURE_VERSION = 3;

const SURFACES = ["plane", "cylinder", "cone", "sphere", "torus", "bspline", "other"] as const;
export const EDGE_KINDS = ["convex", "concave", "smooth"] as const;
export type EdgeKind = (typeof EDGE_KINDS)[number];

export const FEATURE_NAMES = [
  ...SURFACES.map((s) => `surface:${s}`),
  "reversed",
  "log area share",
  "area share",
  "has radius",
  "log radius / diagonal",
  "extent 1 / diagonal",
  "extent 2 / diagonal",
  "extent 3 / diagonal",
  "on bounding box",
  "axis-aligned",
  "max |direction component|",
  "depth below box along outward normal",
  "log1p convex edges",
  "log1p concave edges",
  "log1p smooth edges",
  "share convex",
  "share concave",
  "share smooth",
  "concave at 90°",
  "concave acute",
  "concave obtuse",
  "convex at 90°",
  "convex acute",
  "convex obtuse",
  "log1p neighbours on box",
  "share neighbours on box",
  "log1p convex neighbours off box",
  "concave group: log1p faces",
  "concave group: log1p edges",
  "concave group: log1p cycle rank",
  "concave group: log1p parallel to face",
  "concave group: log1p perpendicular to face",
  "concave group: share planes",
  "concave group: share cylinders",
  "concave group: box sides touched / 6",
  "concave group: log1p faces on box",
  "concave group: share 90° edges",
  "concave group: share acute edges",
  "concave group: share obtuse edges",
  "concave group: face perpendicular to all others",
  "concave group: log1p area share",
  "smooth group: log1p faces",
  "smooth group: share curved",
  "neighbours: share curved",
  "neighbours: log1p parallel",
  "neighbours: log1p perpendicular",
  "outward normal towards the part's centre",
  "distance from the part's centre / diagonal",
  "log1p curved neighbours whose axis runs along this face's direction",
  "log1p plane neighbours whose normal runs along this face's axis",
] as const;
export const FEATURE_COUNT = FEATURE_NAMES.length;

/** A part as the network takes it: a row of numbers per face and its edges, kind by kind. */
export interface FaceGraphFeatures {
  faceCount: number;
  /** faceCount × FEATURE_COUNT, row-major. */
  x: Float32Array;
  /** Per edge kind: both directions of every edge of that kind, as [from, to] pairs. */
  edges: Record<EdgeKind, { from: Int32Array; to: Int32Array }>;
}

const log1p = Math.log1p;
const ANGLE_TOLERANCE = 5; // degrees either side of 90
const angleBucket = (angle: number) => (Math.abs(angle - 90) <= ANGLE_TOLERANCE ? 0 : angle < 90 ? 1 : 2);

/** The outward normal of a plane face (its surface's normal, turned when the face is reversed). */
function outwardNormal(f: PrelabelFace): Vec3 | null {
  if (f.surface !== "plane" || !f.direction) return null;
  const d = f.direction;
  return f.reversed ? [-d[0], -d[1], -d[2]] : d;
}

const centre = (b: { min: Vec3; max: Vec3 }): Vec3 => [
  (b.min[0] + b.max[0]) / 2,
  (b.min[1] + b.max[1]) / 2,
  (b.min[2] + b.max[2]) / 2,
];

/** Which side of the part's box a plane face lies on (0..5), or -1. */
function boxSide(f: PrelabelFace, box: { min: Vec3; max: Vec3 }, tolerance: number): number {
  if (f.surface !== "plane") return -1;
  for (let axis = 0; axis < 3; axis++) {
    const lo = f.bbox.min[axis] as number;
    const hi = f.bbox.max[axis] as number;
    if (hi - lo > tolerance) continue;
    if (Math.abs(hi - (box.min[axis] as number)) <= tolerance) return axis * 2;
    if (Math.abs(lo - (box.max[axis] as number)) <= tolerance) return axis * 2 + 1;
  }
  return -1;
}

/** Connected groups of faces joined by edges of one kind: a group id per face. */
function groups(faceCount: number, edges: readonly LabelEdge[], kind: EdgeKind): Int32Array {
  const parent = Int32Array.from({ length: faceCount }, (_, i) => i);
  const find = (i: number): number => {
    let r = i;
    while (parent[r] !== r) r = parent[r] as number;
    while (parent[i] !== r) {
      const next = parent[i] as number;
      parent[i] = r;
      i = next;
    }
    return r;
  };
  for (const e of edges) {
    if (e.convexity !== kind) continue;
    const a = find(e.faces[0]);
    const b = find(e.faces[1]);
    if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
  }
  return Int32Array.from({ length: faceCount }, (_, i) => find(i));
}

/** The numbers of every face of a part, and its edges by kind. */
export function faceGraphFeatures(input: PrelabelInput): FaceGraphFeatures {
  const faces = input.faces;
  const n = faces.length;
  const box = input.bbox;
  const size: Vec3 = [box.max[0] - box.min[0], box.max[1] - box.min[1], box.max[2] - box.min[2]];
  const diagonal = Math.hypot(...size) || 1;
  const tolerance = diagonal * 1e-6;
  const totalArea = faces.reduce((a, f) => a + Math.max(0, f.area), 0) || 1;
  const side = faces.map((f) => boxSide(f, box, tolerance));
  const normal = faces.map(outwardNormal);
  const middle = centre(box);

  // each pair of faces once, the first sharp description winning as in buildFaceGraph
  const seen = new Map<number, LabelEdge>();
  for (const e of input.edges) {
    const [a, b] = e.faces;
    if (a === b || a < 0 || b < 0 || a >= n || b >= n) continue;
    const key = a < b ? a * n + b : b * n + a;
    const prior = seen.get(key);
    if (!prior || (prior.convexity === "smooth" && e.convexity !== "smooth")) seen.set(key, e);
  }
  const edges = [...seen.values()];
  const adjacency: { other: number; edge: LabelEdge }[][] = Array.from({ length: n }, () => []);
  for (const e of edges) {
    adjacency[e.faces[0]]?.push({ other: e.faces[1], edge: e });
    adjacency[e.faces[1]]?.push({ other: e.faces[0], edge: e });
  }

  const concave = groups(n, edges, "concave");
  const smooth = groups(n, edges, "smooth");
  const concaveMembers = new Map<number, number[]>();
  concave.forEach((g, i) => {
    concaveMembers.set(g, [...(concaveMembers.get(g) ?? []), i]);
  });
  const smoothSize = new Map<number, { faces: number; curved: number }>();
  smooth.forEach((g, i) => {
    const s = smoothSize.get(g) ?? { faces: 0, curved: 0 };
    s.faces++;
    if (faces[i]?.surface !== "plane") s.curved++;
    smoothSize.set(g, s);
  });
  // per concave group: its edges (concave ones inside), angle buckets, box sides it touches
  const groupInfo = new Map<
    number,
    { edges: number; buckets: number[]; sides: Set<number>; onBox: number; area: number }
  >();
  for (const [g, members] of concaveMembers) {
    const info = { edges: 0, buckets: [0, 0, 0], sides: new Set<number>(), onBox: 0, area: 0 };
    for (const i of members) {
      info.area += Math.max(0, faces[i]?.area ?? 0);
      if ((side[i] as number) >= 0) info.onBox++;
      for (const { other, edge } of adjacency[i] ?? []) {
        if ((side[other] as number) >= 0) info.sides.add(side[other] as number);
        if (edge.convexity === "concave" && concave[other] === g && other > i) {
          info.edges++;
          (info.buckets[angleBucket(edge.angle)] as number)++;
        }
      }
    }
    groupInfo.set(g, info);
  }

  const x = new Float32Array(n * FEATURE_COUNT);
  faces.forEach((f, i) => {
    const row: number[] = [];
    for (const s of SURFACES)
      row.push(f.surface === s || (s === "other" && !SURFACES.includes(f.surface as never)) ? 1 : 0);
    row.push(f.reversed ? 1 : 0);
    const share = Math.max(0, f.area) / totalArea;
    row.push(Math.log(share + 1e-9), share);
    const r = f.radius !== null && f.radius > 0 ? f.radius : null;
    row.push(r === null ? 0 : 1, r === null ? 0 : Math.log(r / diagonal));
    const extents = [0, 1, 2].map((k) => ((f.bbox.max[k] as number) - (f.bbox.min[k] as number)) / diagonal);
    extents.sort((a, b) => b - a);
    row.push(...extents);
    row.push((side[i] as number) >= 0 ? 1 : 0);
    const d = f.direction;
    const maxComponent = d ? Math.max(Math.abs(d[0]), Math.abs(d[1]), Math.abs(d[2])) : 0;
    row.push(maxComponent > 0.9999 ? 1 : 0, maxComponent);
    const out = normal[i];
    if (out) {
      const [lo, hi] = extentAlong(box, out);
      row.push((hi - dot(centre(f.bbox), out)) / Math.max(hi - lo, tolerance));
    } else row.push(0);
    const byKind = [0, 0, 0];
    const concaveBuckets = [0, 0, 0];
    const convexBuckets = [0, 0, 0];
    let neighboursOnBox = 0;
    let convexOffBox = 0;
    let curved = 0;
    let parallel = 0;
    let perpendicular = 0;
    const adj = adjacency[i] ?? [];
    for (const { other, edge } of adj) {
      const k = EDGE_KINDS.indexOf(edge.convexity);
      (byKind[k] as number)++;
      if (edge.convexity === "concave") (concaveBuckets[angleBucket(edge.angle)] as number)++;
      if (edge.convexity === "convex") (convexBuckets[angleBucket(edge.angle)] as number)++;
      const o = faces[other];
      if ((side[other] as number) >= 0) neighboursOnBox++;
      else if (edge.convexity === "convex") convexOffBox++;
      if (o && o.surface !== "plane") curved++;
      const on = normal[other];
      if (out && on) {
        if (isParallel(out, on)) parallel++;
        else if (isPerpendicular(out, on)) perpendicular++;
      }
    }
    const degree = adj.length || 1;
    row.push(...byKind.map(log1p), ...byKind.map((v) => v / degree));
    row.push(...concaveBuckets.map(log1p), ...convexBuckets.map(log1p));
    row.push(log1p(neighboursOnBox), neighboursOnBox / degree, log1p(convexOffBox));

    const g = concave[i] as number;
    const members = concaveMembers.get(g) ?? [i];
    const info = groupInfo.get(g) ?? { edges: 0, buckets: [0, 0, 0], sides: new Set(), onBox: 0, area: 0 };
    let groupParallel = 0;
    let groupPerpendicular = 0;
    let planes = 0;
    let cylinders = 0;
    let perpendicularToAll = out !== null && members.length > 1;
    for (const m of members) {
      const fm = faces[m];
      if (fm?.surface === "plane") planes++;
      if (fm?.surface === "cylinder") cylinders++;
      if (m === i) continue;
      const nm = normal[m];
      if (out && nm) {
        if (isParallel(out, nm)) groupParallel++;
        else if (isPerpendicular(out, nm)) groupPerpendicular++;
        if (!isPerpendicular(out, nm)) perpendicularToAll = false;
      } else perpendicularToAll = false;
    }
    const groupEdges = info.edges || 0;
    const bucketTotal = Math.max(1, groupEdges);
    row.push(
      log1p(members.length),
      log1p(groupEdges),
      log1p(Math.max(0, groupEdges - members.length + 1)),
      log1p(groupParallel),
      log1p(groupPerpendicular),
      planes / members.length,
      cylinders / members.length,
      info.sides.size / 6,
      log1p(info.onBox),
      (info.buckets[0] as number) / bucketTotal,
      (info.buckets[1] as number) / bucketTotal,
      (info.buckets[2] as number) / bucketTotal,
      perpendicularToAll ? 1 : 0,
      Math.log(info.area / totalArea + 1e-9) / 10,
    );
    const s = smoothSize.get(smooth[i] as number) ?? { faces: 1, curved: 0 };
    row.push(log1p(s.faces), s.curved / s.faces);
    row.push(curved / degree, log1p(parallel), log1p(perpendicular));
    // ends and sides of extrusions and revolutions: a cap's normal runs along its neighbours' axes
    const c = centre(f.bbox);
    const toCentre: Vec3 = [middle[0] - c[0], middle[1] - c[1], middle[2] - c[2]];
    const distance = Math.hypot(...toCentre);
    row.push(out && distance > tolerance ? dot(out, toCentre) / distance : 0, distance / diagonal);
    let alongAxis = 0;
    let caps = 0;
    if (d) {
      for (const { other } of adj) {
        const o = faces[other];
        if (!o?.direction) continue;
        if (o.surface !== "plane" && isParallel(d, o.direction)) alongAxis++;
        if (f.surface !== "plane" && o.surface === "plane" && isParallel(d, o.direction)) caps++;
      }
    }
    row.push(log1p(alongAxis), log1p(caps));
    for (let k = 0; k < FEATURE_COUNT; k++) {
      const v = row[k] as number;
      x[i * FEATURE_COUNT + k] = Number.isFinite(v) ? v : 0;
    }
  });

  const byKind = {} as FaceGraphFeatures["edges"];
  for (const kind of EDGE_KINDS) {
    const from: number[] = [];
    const to: number[] = [];
    for (const e of edges) {
      if (e.convexity !== kind) continue;
      from.push(e.faces[0], e.faces[1]);
      to.push(e.faces[1], e.faces[0]);
    }
    byKind[kind] = { from: Int32Array.from(from), to: Int32Array.from(to) };
  }
  return { faceCount: n, x, edges: byKind };
}

/**
 * What the network takes per face: its own numbers beside the means of its neighbours' numbers
 * along convex, concave and smooth edges, the means two steps away (over any edge, over convex edges
 * only, over concave edges only), and the mean over the whole part. Fixed neighbourhood averages feeding a learned network (as SIGN, Frasca et al.
 * 2020): the graph enters through them, and training is a dense network's (see docs/decisions.md).
 */
export const BLOCKS = [
  "face",
  "convex neighbours",
  "concave neighbours",
  "smooth neighbours",
  "two steps away",
  "two convex steps",
  "two concave steps",
  "whole part",
] as const;
export const INPUT_COUNT = FEATURE_COUNT * BLOCKS.length;

/** Mean over each face's neighbours (rows of width `w`); 0 for a face without any. */
function neighbourMean(x: Float32Array, n: number, w: number, edges: readonly { from: Int32Array; to: Int32Array }[]) {
  const out = new Float32Array(n * w);
  const degree = new Float32Array(n);
  for (const e of edges) {
    for (let j = 0; j < e.from.length; j++) {
      const from = (e.from[j] as number) * w;
      const to = e.to[j] as number;
      degree[to] = (degree[to] as number) + 1;
      for (let k = 0; k < w; k++) out[to * w + k] = (out[to * w + k] as number) + (x[from + k] as number);
    }
  }
  for (let i = 0; i < n; i++) {
    const d = degree[i] as number;
    if (d > 1) for (let k = 0; k < w; k++) out[i * w + k] = (out[i * w + k] as number) / d;
  }
  return out;
}

/** faceCount × INPUT_COUNT, row-major: the network's input. */
export function networkInputs(g: FaceGraphFeatures): Float32Array {
  const n = g.faceCount;
  const F = FEATURE_COUNT;
  const all = EDGE_KINDS.map((k) => g.edges[k]);
  const blocks = [
    g.x,
    ...EDGE_KINDS.map((k) => neighbourMean(g.x, n, F, [g.edges[k]])),
    neighbourMean(neighbourMean(g.x, n, F, all), n, F, all),
    neighbourMean(neighbourMean(g.x, n, F, [g.edges.convex]), n, F, [g.edges.convex]),
    neighbourMean(neighbourMean(g.x, n, F, [g.edges.concave]), n, F, [g.edges.concave]),
  ];
  const part = new Float32Array(F);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < F; k++) part[k] = (part[k] as number) + (g.x[i * F + k] as number) / n;
  const out = new Float32Array(n * INPUT_COUNT);
  for (let i = 0; i < n; i++) {
    blocks.forEach((b, j) => {
      out.set(b.subarray(i * F, (i + 1) * F), i * INPUT_COUNT + j * F);
    });
    out.set(part, i * INPUT_COUNT + blocks.length * F);
  }
  return out;
}
