import { DEFAULT_TAXONOMY } from "@facet/core";
import { describe, expect, it } from "vitest";
import { faceColours, hexToRgb } from "./colours";

describe("face colours", () => {
  it("gives labelled faces their feature's colour and unlabelled faces a light, low-saturation grey", () => {
    const features = DEFAULT_TAXONOMY.featureTypes;
    const out = faceColours(["through_hole", null, "chamfer", "no_such_feature"], features);
    expect([...out.slice(0, 3)]).toEqual(hexToRgb("#e6194b"));
    expect([...out.slice(6, 9)]).toEqual(hexToRgb("#ffe119"));
    for (const f of [1, 3]) {
      const [r, g, b] = [...out.slice(f * 3, f * 3 + 3)] as [number, number, number];
      expect(Math.min(r, g, b)).toBeGreaterThan(190);
      expect(Math.max(r, g, b) - Math.min(r, g, b)).toBeLessThan(24);
    }
  });
});
