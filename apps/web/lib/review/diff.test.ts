import { DEFAULT_TAXONOMY, type FaceChange, type FeatureType } from "@facet/core";
import { describe, expect, it } from "vitest";
import { DIFF_COLOURS, describeChange, diffColours, diffFor, diffModeOptions, featureName, fitLabels } from "./diff";

const features = new Map<string, FeatureType>(DEFAULT_TAXONOMY.featureTypes.map((f) => [f.key, f]));
const rgbOf = (bytes: Uint8Array, f: number) => [...bytes.slice(f * 3, f * 3 + 3)];

describe("diff colours", () => {
  it("colours added faces green, removed red, changed amber and unchanged light grey", () => {
    const diff: FaceChange[] = ["added", "removed", "changed", "same"];
    const out = diffColours(diff);
    expect(out).toHaveLength(12);
    expect(rgbOf(out, 0)).toEqual([...DIFF_COLOURS.added]);
    expect(rgbOf(out, 1)).toEqual([...DIFF_COLOURS.removed]);
    expect(rgbOf(out, 2)).toEqual([...DIFF_COLOURS.changed]);
    const [ar, ag, ab] = DIFF_COLOURS.added;
    expect(ag).toBeGreaterThan(ar + 60);
    expect(ag).toBeGreaterThan(ab + 60);
    const [rr, rg, rb] = DIFF_COLOURS.removed;
    expect(rr).toBeGreaterThan(rg + 100);
    expect(rr).toBeGreaterThan(rb + 100);
    const [cr, cg, cb] = DIFF_COLOURS.changed;
    expect(cr).toBeGreaterThan(cg);
    expect(cg).toBeGreaterThan(cb + 100);
    const [r, g, b] = rgbOf(out, 3) as [number, number, number];
    expect(Math.min(r, g, b)).toBeGreaterThan(190);
    expect(Math.max(r, g, b) - Math.min(r, g, b)).toBeLessThan(16);
  });

  it("sizes the colours to the face count and treats faces beyond the diff as unchanged", () => {
    const out = diffColours(["changed"], 3);
    expect(out).toHaveLength(9);
    expect(rgbOf(out, 0)).toEqual([...DIFF_COLOURS.changed]);
    for (const f of [1, 2]) {
      const [r, g, b] = rgbOf(out, f) as [number, number, number];
      expect(Math.min(r, g, b)).toBeGreaterThan(190);
      expect(r === DIFF_COLOURS.changed[0] && g === DIFF_COLOURS.changed[1]).toBe(false);
    }
  });

  it("varies unchanged faces slightly from face to face so neighbours stay readable", () => {
    const out = diffColours(["same", "same", "same"]);
    expect(rgbOf(out, 0)).not.toEqual(rgbOf(out, 1));
  });
});

describe("diff modes", () => {
  const sig = "sig-a";
  it("offers the comparisons only with labels of the same face numbering, saying why not", () => {
    const none = diffModeOptions({ faceSignature: sig, prelabel: null, previous: null });
    expect(none.map((o) => o.label)).toEqual(["Labels", "Changes vs pre-label", "Changes vs previous submission"]);
    expect(none[0]?.disabledReason).toBeNull();
    expect(none[1]?.disabledReason).toMatch(/no pre-label/);
    expect(none[2]?.disabledReason).toMatch(/no previous submission/);

    const other = diffModeOptions({
      faceSignature: sig,
      prelabel: { revisionNo: 1, faceSignature: "sig-b", labels: [] },
      previous: { revisionNo: 3, faceSignature: sig, labels: [] },
    });
    expect(other[1]?.disabledReason).toMatch(/another face numbering/);
    expect(other[2]?.disabledReason).toBeNull();
    expect(other[2]?.base?.revisionNo).toBe(3);
  });

  it("diffs the labels against the chosen base, and nothing for the plain labels or a disabled mode", () => {
    const options = diffModeOptions({
      faceSignature: sig,
      prelabel: { revisionNo: 1, faceSignature: sig, labels: ["stock", "through_hole", null, "chamfer"] },
      previous: { revisionNo: 2, faceSignature: "old", labels: ["stock"] },
    });
    const current = ["stock", "blind_hole", "fillet", null];
    expect(diffFor(options[0], current)).toBeNull();
    expect(diffFor(options[1], current)).toEqual(["same", "changed", "added", "removed"]);
    expect(diffFor(options[2], current)).toBeNull();
  });

  it("fits a base shorter or longer than the part to its face count", () => {
    expect(fitLabels(["a"], 3)).toEqual(["a", null, null]);
    expect(fitLabels(["a", "b", "c"], 2)).toEqual(["a", "b"]);
  });
});

describe("change descriptions", () => {
  it("names the feature now and before", () => {
    expect(describeChange(12, "blind_hole", "through_hole", features)).toBe("face 12: Blind hole ← Through hole");
    expect(describeChange(4, "chamfer", null, features)).toBe("face 4: Chamfer ← unlabelled");
    expect(describeChange(5, null, "fillet", features)).toBe("face 5: unlabelled ← Fillet / round");
    expect(describeChange(3, "stock", "stock", features)).toBe("face 3: Stock (unchanged)");
  });

  it("shows the key of a feature the schema does not know", () => {
    expect(featureName("mystery", features)).toBe("mystery");
    expect(featureName(undefined, features)).toBe("unlabelled");
  });
});
