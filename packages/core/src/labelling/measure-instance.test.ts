import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { DEFAULT_TAXONOMY } from "../taxonomy";
import { measureInstance } from "./measure-instance";
import { BLOCK_FACES, blockContext, CHAMFER, HOLE, POCKET } from "./testing";

const ctx = blockContext();

describe("the default taxonomy's measured parameters", () => {
  it("measures hole and o-ring diameters as diameters, fillet radii as radii", () => {
    const from = (feature: string) =>
      Object.fromEntries(
        DEFAULT_TAXONOMY.featureTypes.find((f) => f.key === feature)?.parameters.map((p) => [p.key, p.measuredFrom]) ??
          [],
      );
    expect(from("through_hole")).toEqual({ diameter: "cylinder_diameter", depth: "axis_extent" });
    expect(from("blind_hole")).toEqual({ diameter: "cylinder_diameter", depth: "axis_extent" });
    expect(from("o_ring")).toEqual({ diameter: "cylinder_diameter", width: "manual" });
    expect(from("fillet")).toEqual({ radius: "cylinder_radius" });
    expect(from("chamfer")).toEqual({ width: "manual", angle: "angle" });
  });
});

describe("measureInstance", () => {
  it("measures a hole: diameter = 2 x radius, depth = extent along the axis", () => {
    expect(measureInstance(ctx, "through_hole", HOLE)).toEqual({ diameter: 10, depth: 20 });
    expect(measureInstance(ctx, "blind_hole", [11])).toEqual({ diameter: 10, depth: 20 });
  });

  it("measures a fillet's radius from its cylinder", () => {
    expect(measureInstance(ctx, "fillet", HOLE)).toEqual({ radius: 5 });
  });

  it("uses a torus's radius when there is no cylinder, the largest cylinder otherwise", () => {
    const torus = { ...(BLOCK_FACES[11] as (typeof BLOCK_FACES)[number]), surface: "torus", radius: 7, area: 1000 };
    const big = { ...(BLOCK_FACES[12] as (typeof BLOCK_FACES)[number]), radius: 3, area: 400 };
    const faces = BLOCK_FACES.map((f, i) => (i === 11 ? torus : i === 12 ? big : f));
    const c = blockContext({ graph: { ...ctx.graph, faces } });
    expect(measureInstance(c, "o_ring", [11])).toEqual({ diameter: 14 });
    expect(measureInstance(c, "o_ring", [11, 12])).toEqual({ diameter: 6 });
  });

  it("measures a pocket's box along its largest planar face (the floor)", () => {
    expect(measureInstance(ctx, "rectangular_pocket", POCKET)).toEqual({ width: 20, length: 40, depth: 10 });
  });

  it("turns the box to the normal of the largest bottom face when bottoms are marked", () => {
    // the wall at x = 10 as bottom: depth runs along x (40), the rectangle is y 20..40 by z 10..20
    expect(measureInstance(ctx, "rectangular_pocket", POCKET, [7])).toEqual({ width: 10, length: 20, depth: 40 });
    expect(measureInstance(ctx, "rectangular_pocket", POCKET, [7, 9])).toEqual({ width: 10, length: 40, depth: 20 });
  });

  it("measures a chamfer's angle to its largest outside neighbour, and leaves its manual width out", () => {
    expect(measureInstance(ctx, "chamfer", [CHAMFER])).toEqual({ angle: 45 });
    // with the top inside the instance, the chamfer face's largest outside neighbour is a side at 90°
    expect(measureInstance(ctx, "chamfer", [0, CHAMFER])).toEqual({ angle: 90 });
  });

  it("uses the mesh points when given: a rotated slot is measured across its own axes", () => {
    const a = (30 * Math.PI) / 180;
    const rotated = (x: number, y: number, z: number) => [
      x * Math.cos(a) - y * Math.sin(a),
      x * Math.sin(a) + y * Math.cos(a),
      z,
    ];
    const floor = [rotated(0, 0, 0), rotated(12, 0, 0), rotated(12, 4, 0), rotated(0, 4, 0)].flat();
    const wall = [rotated(0, 0, 0), rotated(12, 0, 0), rotated(12, 0, 5), rotated(0, 0, 5)].flat();
    const c = blockContext({ pointsOf: (f) => (f === 6 ? floor : f === 9 ? wall : []) });
    expect(measureInstance(c, "rectangular_blind_slot", [6, 9])).toEqual({ width: 4, length: 12, depth: 5 });
    // without points the bounding-box corners are used: the axis-aligned box of the same faces
    expect(measureInstance(ctx, "rectangular_blind_slot", [6, 9])).toEqual({ width: 20, length: 40, depth: 10 });
  });

  it("rounds to 1e-4 mm", () => {
    const faces = BLOCK_FACES.map((f, i) => (i === 11 ? { ...f, radius: 1.234567 } : f));
    expect(measureInstance(blockContext({ graph: { ...ctx.graph, faces } }), "fillet", [11])).toEqual({
      radius: 1.2346,
    });
  });

  it("omits what cannot be measured", () => {
    expect(measureInstance(ctx, "through_hole", POCKET)).toEqual({});
    expect(measureInstance(ctx, "rectangular_pocket", HOLE)).toEqual({});
    expect(measureInstance(ctx, "chamfer", HOLE)).toEqual({});
    expect(measureInstance(ctx, "stock", POCKET)).toEqual({});
    expect(measureInstance(ctx, "rectangular_pocket", [])).toEqual({});
    const all = BLOCK_FACES.map((_, i) => i);
    expect(measureInstance(ctx, "chamfer", all)).toEqual({}); // no face outside
  });

  it("skips faces without triangles (infinite bounding boxes) and uses the others", () => {
    const faces = BLOCK_FACES.map((f, i) =>
      i === 7 ? { ...f, bbox: { min: [Infinity, Infinity, Infinity], max: [-Infinity, -Infinity, -Infinity] } } : f,
    ) as typeof BLOCK_FACES;
    const c = blockContext({ graph: { ...ctx.graph, faces } });
    expect(measureInstance(c, "rectangular_pocket", POCKET)).toEqual({ width: 20, length: 40, depth: 10 });
  });

  it("refuses an unknown feature or face", () => {
    expect(() => measureInstance(ctx, "groove", POCKET)).toThrow(AppError);
    expect(() => measureInstance(ctx, "rectangular_pocket", [99])).toThrow(/face 99 does not exist/);
    expect(() => measureInstance(ctx, "rectangular_pocket", POCKET, [-1])).toThrow(/face -1 does not exist/);
  });
});
