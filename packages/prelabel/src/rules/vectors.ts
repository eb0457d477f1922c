export type Vec3 = [number, number, number];

export const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
export const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
export const cross = (a: Vec3, b: Vec3): Vec3 => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];
export const length = (a: Vec3) => Math.hypot(a[0], a[1], a[2]);
export const unit = (a: Vec3): Vec3 | null => {
  const n = length(a);
  return n > 1e-12 && Number.isFinite(n) ? [a[0] / n, a[1] / n, a[2] / n] : null;
};

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
