import { describe, expect, it } from "vitest";
import type { LabelState } from "./label-state";
import { splitInstance } from "./split-instance";
import { BLOCK_FACES, blockContext, deepFreeze, errorCode, HOLE, POCKET } from "./testing";

const ctx = blockContext();
const state = deepFreeze<LabelState>({
  labels: BLOCK_FACES.map((_, i) =>
    POCKET.includes(i) ? "rectangular_pocket" : HOLE.includes(i) ? "through_hole" : "stock",
  ),
  instances: [
    {
      id: "i1",
      feature: "rectangular_pocket",
      faces: POCKET,
      params: { width: 20, length: 40, depth: 12 },
      bottomFaces: [6, 7],
      manualParams: ["depth"],
      confidence: 0.5,
    },
    { id: "i4", feature: "through_hole", faces: HOLE, params: { diameter: 10, depth: 20 } },
  ],
});

describe("splitInstance", () => {
  it("moves the faces into a new instance of the same feature; both are re-measured", () => {
    const s = splitInstance(state, ctx, "i1", [7, 9]);
    expect(s.labels).toEqual(state.labels);
    expect(s.instances).toEqual([
      {
        id: "i1",
        feature: "rectangular_pocket",
        faces: [6, 8, 10],
        params: { width: 20, length: 40, depth: 12 },
        bottomFaces: [6],
        manualParams: ["depth"],
      },
      state.instances[1],
      {
        id: "i5",
        feature: "rectangular_pocket",
        faces: [7, 9],
        // bottom face 7 (normal x) went along: depth along x, rectangle in yz = y 20..40 by z 10..20
        params: { width: 10, length: 20, depth: 40 },
        bottomFaces: [7],
      },
    ]);
  });

  it("splits a hole in halves", () => {
    const s = splitInstance(state, ctx, "i4", [12]);
    expect(s.instances.slice(1).map((i) => [i.id, i.faces, i.params])).toEqual([
      ["i4", [11], { diameter: 10, depth: 20 }],
      ["i5", [12], { diameter: 10, depth: 20 }],
    ]);
  });

  it("refuses an unknown instance, faces outside it, all of it, or nothing", () => {
    expect(errorCode(() => splitInstance(state, ctx, "i9", [6]))).toBe("NOT_FOUND");
    expect(errorCode(() => splitInstance(state, ctx, "i1", [6, 11]))).toBe("VALIDATION_FAILED");
    expect(errorCode(() => splitInstance(state, ctx, "i1", POCKET))).toBe("VALIDATION_FAILED");
    expect(errorCode(() => splitInstance(state, ctx, "i1", []))).toBe("VALIDATION_FAILED");
    expect(errorCode(() => splitInstance(state, ctx, "i1", [99]))).toBe("VALIDATION_FAILED");
    expect(() => splitInstance(state, ctx, "i1", [6, 11])).toThrow(/face 11 is not in instance i1/);
  });

  it("never mutates its input", () => {
    const copy = structuredClone(state);
    splitInstance(state, ctx, "i1", [7]);
    expect(state).toEqual(copy);
  });
});
