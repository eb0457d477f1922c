import { dot, type Vec3 } from "@facet/core";

/** A vector this short (or shorter) has no direction the rules trust: see `unit(v, NO_DIRECTION)`. */
export const NO_DIRECTION = 1e-12;

/** Half a degree: |cos| below PERPENDICULAR is perpendicular, above 1 − PARALLEL is parallel. */
const PERPENDICULAR = Math.sin((0.5 * Math.PI) / 180);
const PARALLEL = 1 - Math.cos((0.5 * Math.PI) / 180);
export const isPerpendicular = (a: Vec3, b: Vec3) => Math.abs(dot(a, b)) < PERPENDICULAR;
export const isParallel = (a: Vec3, b: Vec3) => Math.abs(dot(a, b)) > 1 - PARALLEL;
/** Parallel and pointing the same way. */
export const isSameDirection = (a: Vec3, b: Vec3) => dot(a, b) > 1 - PARALLEL;
export const isOpposite = (a: Vec3, b: Vec3) => dot(a, b) < -(1 - PARALLEL);

/** The coordinate axis a direction lies along (0, 1, 2), or null when it is inclined. */
export function principalAxis(d: Vec3): 0 | 1 | 2 | null {
  for (const axis of [0, 1, 2] as const) if (Math.abs(d[axis]) > 1 - PARALLEL) return axis;
  return null;
}

/** How far the corners of a box reach along a direction: [min, max] of their projections. */
export function extentAlong(box: { min: Vec3; max: Vec3 }, d: Vec3): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of [box.min[0], box.max[0]])
    for (const y of [box.min[1], box.max[1]])
      for (const z of [box.min[2], box.max[2]]) {
        const t = x * d[0] + y * d[1] + z * d[2];
        if (t < lo) lo = t;
        if (t > hi) hi = t;
      }
  return [lo, hi];
}
