/** A point or a direction in 3D space: [x, y, z]. */
export type Vec3 = [number, number, number];

export const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

/** a − b */
export const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];

/** a × b (right-handed). */
export const cross = (a: Vec3, b: Vec3): Vec3 => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];

/** Euclidean length. */
export const length = (a: Vec3): number => Math.hypot(a[0], a[1], a[2]);

/**
 * `a` scaled to length 1, or null when it has no direction: its length is `minLength` or less
 * (0 by default: only the zero vector), or not finite.
 */
export function unit(a: Vec3, minLength = 0): Vec3 | null {
  const n = length(a);
  return n > minLength && Number.isFinite(n) ? [a[0] / n, a[1] / n, a[2] / n] : null;
}
