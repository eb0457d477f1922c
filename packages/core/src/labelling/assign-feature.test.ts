import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { assignFeature } from "./assign-feature";
import { emptyLabelState, type LabelState } from "./label-state";
import { BLOCK_FACES, blockContext, CHAMFER, deepFreeze, HOLE, POCKET } from "./testing";

const ctx = blockContext();
const empty = () => deepFreeze(emptyLabelState(BLOCK_FACES.length));
const POCKET_PARAMS = { width: 20, length: 40, depth: 10 };

/** Apply assignments one after the other, freezing every intermediate state. */
function apply(...steps: Array<[number[], string | null]>): LabelState {
  return steps.reduce((s, [faces, feature]) => deepFreeze(assignFeature(s, ctx, faces, feature)), empty());
}

describe("assignFeature", () => {
  it("labels faces and makes the touching ones of a non-stock feature one instance, measured", () => {
    const s = apply([POCKET, "rectangular_pocket"]);
    expect(s.labels.filter((l) => l === "rectangular_pocket")).toHaveLength(5);
    expect(s.instances).toEqual([{ id: "i1", feature: "rectangular_pocket", faces: POCKET, params: POCKET_PARAMS }]);
  });

  it("lets newly labelled faces join the adjacent instance of their feature, re-measuring it", () => {
    const s1 = apply([[6], "rectangular_pocket"]);
    expect(s1.instances).toEqual([
      { id: "i1", feature: "rectangular_pocket", faces: [6], params: { width: 20, length: 40, depth: 0 } },
    ]);
    const s2 = apply([[6], "rectangular_pocket"], [[7], "rectangular_pocket"], [[8, 9, 10], "rectangular_pocket"]);
    expect(s2.instances).toEqual([{ id: "i1", feature: "rectangular_pocket", faces: POCKET, params: POCKET_PARAMS }]);
  });

  it("makes one instance per connected group of new faces", () => {
    const s = apply([[7, 8, 11, 12], "rectangular_pocket"]);
    expect(s.instances.map((i) => [i.id, i.faces])).toEqual([
      ["i1", [7]],
      ["i2", [8]],
      ["i3", [11, 12]],
    ]);
  });

  it("merges the instances new faces bridge into the one with the lowest id", () => {
    const s = apply([[8], "rectangular_pocket"], [[7], "rectangular_pocket"], [[6], "rectangular_pocket"]);
    expect(s.instances.map((i) => [i.id, i.faces])).toEqual([["i1", [6, 7, 8]]]);
    expect(s.instances[0]?.params).toEqual({ width: 20, length: 40, depth: 10 });
  });

  it("compares ids by number when choosing the survivor (i9 before i10)", () => {
    const start: LabelState = deepFreeze({
      labels: BLOCK_FACES.map((_, i) => (i === 7 || i === 8 ? "rectangular_pocket" : null)),
      instances: [
        { id: "i10", feature: "rectangular_pocket", faces: [7], params: {} },
        { id: "i9", feature: "rectangular_pocket", faces: [8], params: {} },
      ],
    });
    const s = assignFeature(start, ctx, [6], "rectangular_pocket");
    expect(s.instances.map((i) => [i.id, i.faces])).toEqual([["i9", [6, 7, 8]]]);
  });

  it("does not group faces of different features, nor faces that do not touch", () => {
    const s = apply([[6], "rectangular_pocket"], [[7], "rectangular_blind_slot"], [[13], "rectangular_pocket"]);
    expect(s.instances.map((i) => [i.id, i.feature, i.faces])).toEqual([
      ["i1", "rectangular_pocket", [6]],
      ["i2", "rectangular_blind_slot", [7]],
      ["i3", "rectangular_pocket", [13]],
    ]);
  });

  it("gives new instances the id after the largest numeric suffix in use", () => {
    const start: LabelState = deepFreeze({
      labels: BLOCK_FACES.map((_, i) => (i === CHAMFER ? "chamfer" : null)),
      instances: [{ id: "chamfer-7", feature: "chamfer", faces: [CHAMFER], params: {} }],
    });
    expect(assignFeature(start, ctx, HOLE, "through_hole").instances.map((i) => i.id)).toEqual(["chamfer-7", "i8"]);
  });

  it("keeps stock faces out of instances, and takes relabelled faces out of theirs", () => {
    const s = apply([POCKET, "rectangular_pocket"], [[7, 9], "stock"]);
    expect(s.labels[7]).toBe("stock");
    expect(s.instances).toEqual([
      { id: "i1", feature: "rectangular_pocket", faces: [6, 8, 10], params: { width: 20, length: 40, depth: 10 } },
    ]);
  });

  it("moves faces from one feature's instance into the other's", () => {
    const s = apply([POCKET, "rectangular_pocket"], [[7, 9], "rectangular_blind_slot"]);
    expect(s.instances.map((i) => [i.id, i.feature, i.faces])).toEqual([
      ["i1", "rectangular_pocket", [6, 8, 10]],
      ["i2", "rectangular_blind_slot", [7, 9]],
    ]);
    // walls 9 and 10 face each other across the pocket: they do not touch, so they are two slots
    const apart = apply([POCKET, "rectangular_pocket"], [[9, 10], "rectangular_blind_slot"]);
    expect(apart.instances.map((i) => [i.id, i.feature, i.faces])).toEqual([
      ["i1", "rectangular_pocket", [6, 7, 8]],
      ["i2", "rectangular_blind_slot", [9]],
      ["i3", "rectangular_blind_slot", [10]],
    ]);
  });

  it("drops an instance whose last face leaves, and clears labels with null", () => {
    const s = apply([HOLE, "through_hole"], [HOLE, null]);
    expect(s.labels.every((l) => l === null)).toBe(true);
    expect(s.instances).toEqual([]);
    expect(apply([HOLE, "through_hole"], [HOLE, "stock"]).instances).toEqual([]);
  });

  it("cleans bottom faces and keeps manual parameters when faces leave", () => {
    const start: LabelState = deepFreeze({
      labels: BLOCK_FACES.map((_, i) => (POCKET.includes(i) ? "rectangular_pocket" : null)),
      instances: [
        {
          id: "i1",
          feature: "rectangular_pocket",
          faces: POCKET,
          params: { width: 20, length: 40, depth: 33 },
          bottomFaces: [6, 7],
          manualParams: ["depth", "gone"],
        },
      ],
    });
    const s = assignFeature(start, ctx, [7], "stock");
    expect(s.instances).toEqual([
      {
        id: "i1",
        feature: "rectangular_pocket",
        faces: [6, 8, 9, 10],
        params: { width: 20, length: 40, depth: 33 },
        bottomFaces: [6],
        manualParams: ["depth"],
      },
    ]);
    const none = assignFeature(s, ctx, [6], null);
    expect(none.instances[0]).not.toHaveProperty("bottomFaces");
  });

  it("leaves a face that already has the feature where it is (same instance object)", () => {
    const s = apply([POCKET, "rectangular_pocket"]);
    const again = assignFeature(s, ctx, [6], "rectangular_pocket");
    expect(again.instances[0]).toBe(s.instances[0]);
    expect(again).toEqual(s);
  });

  it("gathers faces labelled without an instance (an import) into the group they touch", () => {
    const imported: LabelState = deepFreeze({
      labels: BLOCK_FACES.map((_, i) => (POCKET.includes(i) ? "rectangular_pocket" : null)),
      instances: [],
    });
    const s = assignFeature(imported, ctx, [7], "rectangular_pocket");
    expect(s.instances).toEqual([{ id: "i1", feature: "rectangular_pocket", faces: POCKET, params: POCKET_PARAMS }]);
  });

  it("drops a model's confidence from an instance a person changed, and keeps it on the others", () => {
    const start: LabelState = deepFreeze({
      labels: BLOCK_FACES.map((_, i) =>
        POCKET.includes(i) ? "rectangular_pocket" : HOLE.includes(i) ? "through_hole" : null,
      ),
      instances: [
        { id: "i1", feature: "rectangular_pocket", faces: POCKET, params: {}, confidence: 0.7 },
        { id: "i2", feature: "through_hole", faces: HOLE, params: {}, confidence: 0.9 },
      ],
    });
    const s = assignFeature(start, ctx, [10], "stock");
    expect(s.instances[0]).not.toHaveProperty("confidence");
    expect(s.instances[1]).toBe(start.instances[1]);
  });

  it("never mutates its input (frozen states throughout)", () => {
    const s = apply([POCKET, "rectangular_pocket"]);
    const copy = structuredClone(s);
    assignFeature(s, ctx, [6, 7, 13], "chamfer");
    expect(s).toEqual(copy);
  });

  it("refuses an unknown feature or face", () => {
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof AppError ? e.code : String(e);
      }
      return "no error";
    };
    expect(err(() => assignFeature(empty(), ctx, [1], "groove"))).toBe("VALIDATION_FAILED");
    expect(err(() => assignFeature(empty(), ctx, [14], "stock"))).toBe("VALIDATION_FAILED");
    expect(err(() => assignFeature(empty(), ctx, [-1], null))).toBe("VALIDATION_FAILED");
  });

  it("does nothing to instances for an empty selection", () => {
    const s = apply([HOLE, "through_hole"]);
    expect(assignFeature(s, ctx, [], "chamfer")).toEqual(s);
  });
});
