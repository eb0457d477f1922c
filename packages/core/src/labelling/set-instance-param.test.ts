import { describe, expect, it } from "vitest";
import { assignFeature } from "./assign-feature";
import { emptyLabelState } from "./label-state";
import { setInstanceParam } from "./set-instance-param";
import { BLOCK_FACES, blockContext, CHAMFER, deepFreeze, errorCode } from "./testing";

const ctx = blockContext();
const hole = deepFreeze(assignFeature(emptyLabelState(BLOCK_FACES.length), ctx, [11], "through_hole"));

describe("setInstanceParam", () => {
  it("sets a value by hand and marks it manual", () => {
    const s = setInstanceParam(hole, ctx, "i1", "diameter", 10.5);
    expect(s.instances).toEqual([
      {
        id: "i1",
        feature: "through_hole",
        faces: [11],
        params: { diameter: 10.5, depth: 20 },
        manualParams: ["diameter"],
      },
    ]);
    expect(setInstanceParam(s, ctx, "i1", "diameter", 0).instances[0]?.params.diameter).toBe(0);
  });

  it("keeps the manual value when the instance is re-measured", () => {
    const manual = deepFreeze(setInstanceParam(hole, ctx, "i1", "depth", 19));
    const grown = assignFeature(manual, ctx, [12], "through_hole");
    expect(grown.instances).toEqual([
      {
        id: "i1",
        feature: "through_hole",
        faces: [11, 12],
        params: { diameter: 10, depth: 19 },
        manualParams: ["depth"],
      },
    ]);
  });

  it("null removes the override and measures again", () => {
    const manual = deepFreeze(setInstanceParam(hole, ctx, "i1", "diameter", 3));
    expect(setInstanceParam(manual, ctx, "i1", "diameter", null)).toEqual(hole);
    // a parameter that cannot be measured simply goes
    const chamfer = deepFreeze(assignFeature(hole, ctx, [CHAMFER], "chamfer"));
    const width = deepFreeze(setInstanceParam(chamfer, ctx, "i2", "width", 2));
    expect(width.instances[1]).toEqual({
      id: "i2",
      feature: "chamfer",
      faces: [CHAMFER],
      params: { angle: 45, width: 2 },
      manualParams: ["width"],
    });
    expect(setInstanceParam(width, ctx, "i2", "width", null).instances[1]).toEqual(chamfer.instances[1]);
  });

  it("refuses an unknown instance or parameter, and values that are not finite non-negative numbers", () => {
    expect(errorCode(() => setInstanceParam(hole, ctx, "i9", "diameter", 1))).toBe("NOT_FOUND");
    expect(errorCode(() => setInstanceParam(hole, ctx, "i1", "radius", 1))).toBe("VALIDATION_FAILED");
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(errorCode(() => setInstanceParam(hole, ctx, "i1", "diameter", bad))).toBe("VALIDATION_FAILED");
    }
  });

  it("leaves other instances alone and never mutates its input", () => {
    const two = deepFreeze(assignFeature(hole, ctx, [CHAMFER], "chamfer"));
    const s = setInstanceParam(two, ctx, "i1", "diameter", 4);
    expect(s.instances[1]).toBe(two.instances[1]);
  });
});
