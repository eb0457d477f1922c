import { cross, unit, type Vec3 } from "../vec3";
import { assertFaces, featureType } from "./checks";
import type { LabelFace } from "./face-graph";
import type { LabelContext } from "./label-state";
import { minAreaRectangle } from "./min-area-rectangle";

const BOX_KEYS = new Set(["width", "length", "depth"]);

const round4 = (x: number) => Math.round(x * 1e4) / 1e4 + 0; // + 0 turns -0 into 0
/** The dot product of the point at `i` of a flat xyz array with `b`. */
const dotAt = (a: ArrayLike<number>, i: number, b: Vec3) =>
  (a[i] as number) * b[0] + (a[i + 1] as number) * b[1] + (a[i + 2] as number) * b[2];

/** The face of largest area among `faces` that passes `keep` (lowest index on a tie). */
function largest(ctx: LabelContext, faces: readonly number[], keep: (f: LabelFace) => boolean): number | null {
  let best: number | null = null;
  for (const i of faces) {
    const f = ctx.graph.faces[i];
    if (f && keep(f) && (best === null || f.area > (ctx.graph.faces[best]?.area ?? 0))) best = i;
  }
  return best;
}

const hasRadius = (f: LabelFace) => f.radius !== null && f.radius > 0;
const isPlane = (f: LabelFace) => f.surface === "plane" && f.direction !== null;

/** The points of the faces as one flat xyz array: mesh vertices when known, else bounding-box corners. */
function pointsOf(ctx: LabelContext, faces: readonly number[]): number[] {
  const out: number[] = [];
  for (const i of faces) {
    const mesh = ctx.pointsOf?.(i);
    if (mesh && mesh.length >= 3) {
      for (let k = 0; k + 2 < mesh.length; k += 3) {
        const x = mesh[k] as number;
        const y = mesh[k + 1] as number;
        const z = mesh[k + 2] as number;
        if (Number.isFinite(x) && Number.isFinite(y) && Number.isFinite(z)) out.push(x, y, z);
      }
      continue;
    }
    const box = ctx.graph.faces[i]?.bbox;
    if (!box || ![...box.min, ...box.max].every(Number.isFinite)) continue;
    for (const x of [box.min[0], box.max[0]])
      for (const y of [box.min[1], box.max[1]]) for (const z of [box.min[2], box.max[2]]) out.push(x, y, z);
  }
  return out;
}

function extentAlong(points: readonly number[], axis: Vec3): number | null {
  if (points.length === 0) return null;
  let min = Infinity;
  let max = -Infinity;
  for (let k = 0; k < points.length; k += 3) {
    const d = dotAt(points, k, axis);
    min = Math.min(min, d);
    max = Math.max(max, d);
  }
  return max - min;
}

/** width × length (minimum-area rectangle across the axis) and depth (extent along it). */
function boxAlong(points: readonly number[], axis: Vec3): { width: number; length: number; depth: number } | null {
  const helper: Vec3 =
    Math.abs(axis[0]) <= Math.abs(axis[1]) && Math.abs(axis[0]) <= Math.abs(axis[2])
      ? [1, 0, 0]
      : Math.abs(axis[1]) <= Math.abs(axis[2])
        ? [0, 1, 0]
        : [0, 0, 1];
  const u = unit(cross(axis, helper));
  if (!u) return null;
  const v = cross(axis, u);
  const xy: number[] = [];
  for (let k = 0; k < points.length; k += 3) xy.push(dotAt(points, k, u), dotAt(points, k, v));
  const rect = minAreaRectangle(xy);
  const depth = extentAlong(points, axis);
  return rect && depth !== null ? { ...rect, depth } : null;
}

/**
 * The measurable parameters of an instance of `feature` made of `faces` (mm, degrees, rounded to
 * 1e-4); parameters measured by hand, and those that cannot be measured here, are left out.
 * - cylinder_radius / cylinder_diameter: the largest cylinder face's radius (a torus's when there is no cylinder);
 * - axis_extent: the extent of the instance's points along that face's axis;
 * - bbox (width, length, depth): depth along the normal of the largest bottom face if any are marked,
 *   else of the largest planar face; width and length = the minimum-area rectangle across it;
 * - angle: the edge angle between the largest planar face and its largest neighbour outside the instance.
 */
export function measureInstance(
  ctx: LabelContext,
  feature: string,
  faces: readonly number[],
  bottomFaces?: readonly number[],
): Record<string, number> {
  const type = featureType(ctx.taxonomy, feature);
  assertFaces(ctx.graph.faceCount, faces);
  assertFaces(ctx.graph.faceCount, bottomFaces ?? []);
  const members = new Set(faces);
  const faceOf = (i: number | null) => (i === null ? undefined : ctx.graph.faces[i]);
  const axial = faceOf(
    largest(ctx, faces, (f) => f.surface === "cylinder" && hasRadius(f)) ??
      largest(ctx, faces, (f) => f.surface === "torus" && hasRadius(f)),
  );
  const plane = largest(ctx, faces, isPlane);
  let points: number[] | undefined;
  const allPoints = () => {
    points ??= pointsOf(ctx, faces);
    return points;
  };
  let box: ReturnType<typeof boxAlong> | undefined;
  const theBox = () => {
    if (box !== undefined) return box;
    const bottom = faceOf(largest(ctx, bottomFaces ?? [], (f) => f.direction !== null));
    const axis = unit(bottom?.direction ?? faceOf(plane)?.direction ?? [0, 0, 0]);
    box = axis ? boxAlong(allPoints(), axis) : null;
    return box;
  };

  const out: Record<string, number> = {};
  for (const p of type.parameters) {
    let value: number | null = null;
    switch (p.measuredFrom) {
      case "cylinder_radius":
        value = axial?.radius ?? null;
        break;
      case "cylinder_diameter":
        value = axial?.radius ? 2 * axial.radius : null;
        break;
      case "axis_extent": {
        const axis = axial?.direction ? unit(axial.direction) : null;
        value = axis ? extentAlong(allPoints(), axis) : null;
        break;
      }
      case "bbox":
        value = BOX_KEYS.has(p.key) ? (theBox()?.[p.key as "width" | "length" | "depth"] ?? null) : null;
        break;
      case "angle": {
        if (plane === null) break;
        const outside = ctx.graph.neighbours(plane).filter((n) => !members.has(n));
        const neighbour = largest(ctx, outside, () => true);
        value = neighbour === null ? null : (ctx.graph.edgeBetween(plane, neighbour)?.angle ?? null);
        break;
      }
      case "manual":
        break;
    }
    if (value !== null && Number.isFinite(value)) out[p.key] = round4(value);
  }
  return out;
}
