import { describe, expect, it } from "vitest";
import type { LabelState } from "./label-state";
import { mergeInstances } from "./merge-instances";
import { BLOCK_FACES, blockContext, deepFreeze, errorCode } from "./testing";

const ctx = blockContext();
const state = deepFreeze<LabelState>({
  labels: BLOCK_FACES.map((_, i) => (i === 11 || i === 12 ? "through_hole" : i === 13 ? "chamfer" : "stock")),
  instances: [
    { id: "i10", feature: "through_hole", faces: [11], params: { diameter: 8, depth: 20 }, manualParams: ["diameter"] },
    { id: "i3", feature: "chamfer", faces: [13], params: { angle: 45 } },
    {
      id: "i2",
      feature: "through_hole",
      faces: [12],
      params: { diameter: 10, depth: 25 },
      bottomFaces: [12],
      manualParams: ["depth"],
      confidence: 0.8,
    },
  ],
});

describe("mergeInstances", () => {
  it("merges into the lowest id (by number), uniting faces, bottom faces and manual parameters", () => {
    const s = mergeInstances(state, ctx, ["i10", "i2"]);
    expect(s.labels).toEqual(state.labels);
    expect(s.instances).toEqual([
      state.instances[1],
      {
        id: "i2",
        feature: "through_hole",
        faces: [11, 12],
        params: { diameter: 8, depth: 25 },
        bottomFaces: [12],
        manualParams: ["depth", "diameter"],
      },
    ]);
  });

  it("lets the survivor's manual value win over another's", () => {
    const both: LabelState = deepFreeze({
      ...state,
      instances: [
        { id: "i1", feature: "through_hole", faces: [11], params: { diameter: 7 }, manualParams: ["diameter"] },
        { id: "i2", feature: "through_hole", faces: [12], params: { diameter: 9 }, manualParams: ["diameter"] },
      ],
    });
    expect(mergeInstances(both, ctx, ["i2", "i1", "i2"]).instances).toEqual([
      {
        id: "i1",
        feature: "through_hole",
        faces: [11, 12],
        params: { diameter: 7, depth: 20 },
        manualParams: ["diameter"],
      },
    ]);
  });

  it("merges instances that do not touch", () => {
    const apart: LabelState = deepFreeze({
      labels: BLOCK_FACES.map((_, i) => (i === 9 || i === 10 ? "rectangular_blind_slot" : null)),
      instances: [
        { id: "i1", feature: "rectangular_blind_slot", faces: [9], params: {} },
        { id: "i2", feature: "rectangular_blind_slot", faces: [10], params: {} },
      ],
    });
    expect(mergeInstances(apart, ctx, ["i1", "i2"]).instances).toEqual([
      // no bottom marked: depth along the largest planar face's normal (wall 9, y): the walls are 20 apart
      { id: "i1", feature: "rectangular_blind_slot", faces: [9, 10], params: { width: 10, length: 40, depth: 20 } },
    ]);
  });

  it("refuses different features, fewer than two instances, or an unknown one", () => {
    expect(errorCode(() => mergeInstances(state, ctx, ["i2", "i3"]))).toBe("VALIDATION_FAILED");
    expect(() => mergeInstances(state, ctx, ["i2", "i3"])).toThrow(/different features/);
    expect(errorCode(() => mergeInstances(state, ctx, ["i2"]))).toBe("VALIDATION_FAILED");
    expect(errorCode(() => mergeInstances(state, ctx, ["i2", "i2"]))).toBe("VALIDATION_FAILED");
    expect(errorCode(() => mergeInstances(state, ctx, []))).toBe("VALIDATION_FAILED");
    expect(errorCode(() => mergeInstances(state, ctx, ["i2", "nope"]))).toBe("NOT_FOUND");
  });

  it("never mutates its input", () => {
    const copy = structuredClone(state);
    mergeInstances(state, ctx, ["i2", "i10"]);
    expect(state).toEqual(copy);
  });
});
