import { describe, expect, it } from "vitest";
import { labelCounts, nextUnlabelled, unlabelledFaces } from "./label-progress";
import type { LabelState } from "./label-state";

const state = (labels: (string | null)[]): LabelState => ({ labels, instances: [] });

describe("labelCounts", () => {
  it("counts faces per feature, unlabelled faces not at all", () => {
    expect([...labelCounts(state(["stock", null, "chamfer", "stock", null]))]).toEqual([
      ["stock", 2],
      ["chamfer", 1],
    ]);
    expect(labelCounts(state([null, null])).size).toBe(0);
  });
});

describe("unlabelledFaces", () => {
  it("lists the faces without a label, ascending", () => {
    expect(unlabelledFaces(state(["stock", null, "chamfer", null]))).toEqual([1, 3]);
    expect(unlabelledFaces(state(["stock"]))).toEqual([]);
  });
});

describe("nextUnlabelled", () => {
  const s = state([null, "stock", null, "stock", "stock"]);

  it("finds the next unlabelled face after the given one, wrapping around", () => {
    expect(nextUnlabelled(s, null)).toBe(0);
    expect(nextUnlabelled(s, 0)).toBe(2);
    expect(nextUnlabelled(s, 1)).toBe(2);
    expect(nextUnlabelled(s, 2)).toBe(0);
    expect(nextUnlabelled(s, 4)).toBe(0);
  });

  it("comes back to the face itself when it is the only unlabelled one", () => {
    expect(nextUnlabelled(state(["stock", null, "stock"]), 1)).toBe(1);
  });

  it("starts from the beginning for a face that does not exist", () => {
    expect(nextUnlabelled(s, 99)).toBe(0);
    expect(nextUnlabelled(s, -3)).toBe(0);
  });

  it("is null when every face is labelled, or there are none", () => {
    expect(nextUnlabelled(state(["stock", "stock"]), 0)).toBeNull();
    expect(nextUnlabelled(state(["stock", "stock"]), null)).toBeNull();
    expect(nextUnlabelled(state([]), null)).toBeNull();
  });
});
