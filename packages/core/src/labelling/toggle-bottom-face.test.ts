import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { assignFeature } from "./assign-feature";
import { emptyLabelState } from "./label-state";
import { BLOCK_FACES, blockContext, deepFreeze, POCKET } from "./testing";
import { toggleBottomFace } from "./toggle-bottom-face";

const ctx = blockContext();
const pocket = deepFreeze(assignFeature(emptyLabelState(BLOCK_FACES.length), ctx, POCKET, "rectangular_pocket"));

describe("toggleBottomFace", () => {
  it("marks a bottom face and re-measures along its normal; toggling again unmarks it", () => {
    const on = deepFreeze(toggleBottomFace(pocket, ctx, 7));
    expect(on.instances).toEqual([
      {
        id: "i1",
        feature: "rectangular_pocket",
        faces: POCKET,
        params: { width: 10, length: 20, depth: 40 },
        bottomFaces: [7],
      },
    ]);
    const two = deepFreeze(toggleBottomFace(on, ctx, 6));
    expect(two.instances[0]?.bottomFaces).toEqual([6, 7]);
    // the largest bottom face (the floor, 800 mm²) decides: depth along z again
    expect(two.instances[0]?.params).toEqual({ width: 20, length: 40, depth: 10 });
    const off = toggleBottomFace(toggleBottomFace(two, ctx, 7), ctx, 6);
    expect(off).toEqual(pocket);
  });

  it("refuses a face in no instance", () => {
    const stock = assignFeature(pocket, ctx, [0], "stock");
    expect(() => toggleBottomFace(stock, ctx, 0)).toThrow(AppError);
    expect(() => toggleBottomFace(stock, ctx, 0)).toThrow(/face 0 is in no instance/);
    expect(() => toggleBottomFace(stock, ctx, 99)).toThrow(AppError);
  });

  it("keeps manual parameters and the model's confidence (the faces did not change)", () => {
    const s = deepFreeze({
      ...pocket,
      instances: [{ ...pocket.instances[0]!, params: { depth: 3 }, manualParams: ["depth"], confidence: 0.4 }],
    });
    expect(toggleBottomFace(s, ctx, 7).instances[0]).toEqual({
      id: "i1",
      feature: "rectangular_pocket",
      faces: POCKET,
      params: { width: 10, length: 20, depth: 3 },
      bottomFaces: [7],
      manualParams: ["depth"],
      confidence: 0.4,
    });
  });
});
