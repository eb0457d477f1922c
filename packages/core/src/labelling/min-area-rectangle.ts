/** Convex hull of 2D points (flat xy array), counter-clockwise, without collinear points (Andrew's monotone chain). */
export function convexHull(xy: ArrayLike<number>): Array<[number, number]> {
  const pts: Array<[number, number]> = [];
  for (let i = 0; i + 1 < xy.length; i += 2) pts.push([xy[i] as number, xy[i + 1] as number]);
  pts.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const unique = pts.filter((p, i) => i === 0 || p[0] !== pts[i - 1]?.[0] || p[1] !== pts[i - 1]?.[1]);
  if (unique.length < 3) return unique;
  const cross = (o: [number, number], a: [number, number], b: [number, number]) =>
    (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const half = (list: Array<[number, number]>) => {
    const out: Array<[number, number]> = [];
    for (const p of list) {
      while (out.length >= 2 && cross(out[out.length - 2]!, out[out.length - 1]!, p) <= 0) out.pop();
      out.push(p);
    }
    out.pop();
    return out;
  };
  return [...half(unique), ...half([...unique].reverse())];
}

/**
 * The minimum-area rectangle enclosing 2D points (flat xy array): width = shorter side, length =
 * longer side; null without points. One side of the optimal rectangle lies on a hull edge (Freeman &
 * Shapira), so every hull edge's direction is tried, as rotating calipers do.
 */
export function minAreaRectangle(xy: ArrayLike<number>): { width: number; length: number } | null {
  const hull = convexHull(xy);
  if (hull.length === 0) return null;
  if (hull.length === 1) return { width: 0, length: 0 };
  let best: { area: number; a: number; b: number } | null = null;
  for (let i = 0; i < hull.length; i++) {
    const p = hull[i]!;
    const q = hull[(i + 1) % hull.length]!;
    const len = Math.hypot(q[0] - p[0], q[1] - p[1]);
    if (len === 0) continue;
    const ux = (q[0] - p[0]) / len;
    const uy = (q[1] - p[1]) / len;
    let minU = Infinity;
    let maxU = -Infinity;
    let minV = Infinity;
    let maxV = -Infinity;
    for (const [x, y] of hull) {
      const u = x * ux + y * uy;
      const v = -x * uy + y * ux;
      minU = Math.min(minU, u);
      maxU = Math.max(maxU, u);
      minV = Math.min(minV, v);
      maxV = Math.max(maxV, v);
    }
    const a = maxU - minU;
    const b = maxV - minV;
    if (!best || a * b < best.area) best = { area: a * b, a, b };
  }
  if (!best) return { width: 0, length: 0 };
  return { width: Math.min(best.a, best.b), length: Math.max(best.a, best.b) };
}
