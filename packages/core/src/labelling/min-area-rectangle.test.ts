import { describe, expect, it } from "vitest";
import { convexHull, minAreaRectangle } from "./min-area-rectangle";

/** Corners of a w x l rectangle centred at (cx, cy), turned by `deg`, as a flat xy array. */
function rectangle(w: number, l: number, deg: number, cx = 3, cy = -2): number[] {
  const a = (deg * Math.PI) / 180;
  const out: number[] = [];
  for (const [x, y] of [
    [-l / 2, -w / 2],
    [l / 2, -w / 2],
    [l / 2, w / 2],
    [-l / 2, w / 2],
  ] as const) {
    out.push(cx + x * Math.cos(a) - y * Math.sin(a), cy + x * Math.sin(a) + y * Math.cos(a));
  }
  return out;
}

describe("convexHull", () => {
  it("keeps the corners counter-clockwise and drops inner, duplicate and collinear points", () => {
    const xy = [0, 0, 2, 0, 1, 0, 2, 2, 0, 2, 1, 1, 0, 0, 2, 1];
    expect(convexHull(xy)).toEqual([
      [0, 0],
      [2, 0],
      [2, 2],
      [0, 2],
    ]);
  });

  it("handles fewer than three distinct points, and points on a line", () => {
    expect(convexHull([])).toEqual([]);
    expect(convexHull([1, 1, 1, 1])).toEqual([[1, 1]]);
    expect(convexHull([0, 0, 1, 1, 2, 2, 3, 3])).toEqual([
      [0, 0],
      [3, 3],
    ]);
  });
});

describe("minAreaRectangle", () => {
  it.each([0, 17, 30, 45, 90, 123.4])("finds a 3 x 8 rectangle turned by %f°, with points inside it", (deg) => {
    const xy = [...rectangle(3, 8, deg), ...rectangle(1, 2, deg + 10), ...rectangle(2.9, 7.9, deg)];
    const r = minAreaRectangle(xy);
    expect(r?.width).toBeCloseTo(3, 9);
    expect(r?.length).toBeCloseTo(8, 9);
  });

  it("is not the axis-aligned box: a square turned by 45° stays a square", () => {
    const r = minAreaRectangle(rectangle(2, 2, 45));
    expect(r?.width).toBeCloseTo(2, 9);
    expect(r?.length).toBeCloseTo(2, 9);
  });

  it("encloses a circle in its square", () => {
    const xy: number[] = [];
    for (let k = 0; k < 360; k++) xy.push(5 * Math.cos((k * Math.PI) / 180), 5 * Math.sin((k * Math.PI) / 180));
    const r = minAreaRectangle(xy);
    expect(r?.width).toBeCloseTo(10, 2);
    expect(r?.length).toBeCloseTo(10, 2);
  });

  it("degenerates gracefully: no points, one point, a segment", () => {
    expect(minAreaRectangle([])).toBeNull();
    expect(minAreaRectangle([4, 4, 4, 4])).toEqual({ width: 0, length: 0 });
    const r = minAreaRectangle([0, 0, 3, 4, 6, 8]);
    expect(r?.width).toBeCloseTo(0, 12);
    expect(r?.length).toBeCloseTo(10, 12);
  });
});
