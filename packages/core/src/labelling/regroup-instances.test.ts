import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { regroupInstances } from "./regroup-instances";
import { BLOCK_FACES, blockContext, CHAMFER, deepFreeze, HOLE, POCKET } from "./testing";

const ctx = blockContext();

describe("regroupInstances", () => {
  it("makes one measured instance per connected group of a non-stock feature, ids by lowest face", () => {
    const labels = deepFreeze(
      BLOCK_FACES.map((_, i) =>
        POCKET.includes(i)
          ? "rectangular_pocket"
          : HOLE.includes(i)
            ? "through_hole"
            : i === CHAMFER
              ? "chamfer"
              : "stock",
      ),
    );
    const s = regroupInstances(labels, ctx);
    expect(s.labels).toEqual(labels);
    expect(s.labels).not.toBe(labels);
    expect(s.instances).toEqual([
      { id: "i1", feature: "rectangular_pocket", faces: POCKET, params: { width: 20, length: 40, depth: 10 } },
      { id: "i2", feature: "through_hole", faces: HOLE, params: { diameter: 10, depth: 20 } },
      { id: "i3", feature: "chamfer", faces: [CHAMFER], params: { angle: 45 } },
    ]);
  });

  it("splits a feature's faces that do not touch, and leaves unlabelled faces out", () => {
    const labels = BLOCK_FACES.map((_, i) => (i === 9 || i === 10 || i === 11 ? "rectangular_blind_slot" : null));
    expect(regroupInstances(labels, ctx).instances.map((i) => [i.id, i.faces])).toEqual([
      ["i1", [9]],
      ["i2", [10]],
      ["i3", [11]],
    ]);
    expect(
      regroupInstances(
        BLOCK_FACES.map(() => null),
        ctx,
      ).instances,
    ).toEqual([]);
  });

  it("groups across faces of the same feature only", () => {
    // walls 9 and 10 both touch the floor: with the floor they are one; as pocket + slot they are not
    const labels = BLOCK_FACES.map((_, i) =>
      i === 9 || i === 10 ? "rectangular_blind_slot" : i === 6 ? "rectangular_pocket" : null,
    );
    expect(regroupInstances(labels, ctx).instances.map((i) => [i.id, i.feature, i.faces])).toEqual([
      ["i1", "rectangular_pocket", [6]],
      ["i2", "rectangular_blind_slot", [9]],
      ["i3", "rectangular_blind_slot", [10]],
    ]);
  });

  it("refuses labels of another part (wrong count) or an unknown feature", () => {
    expect(() => regroupInstances(["stock"], ctx)).toThrow(AppError);
    expect(() =>
      regroupInstances(
        BLOCK_FACES.map(() => "groove"),
        ctx,
      ),
    ).toThrow(/groove is not a feature type/);
  });
});
