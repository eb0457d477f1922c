import { describe, expect, it } from "vitest";
import type { LabelState } from "./label-state";
import { regroupInstances } from "./regroup-instances";
import { submissionProblems } from "./submission-problems";
import { BLOCK_FACES, blockContext, CHAMFER, HOLE, POCKET } from "./testing";

const ctx = blockContext();
const labels = BLOCK_FACES.map((_, i) =>
  POCKET.includes(i) ? "rectangular_pocket" : HOLE.includes(i) ? "through_hole" : i === CHAMFER ? "chamfer" : "stock",
);
const ready = regroupInstances(labels, ctx);
const edit = (f: (s: LabelState) => void): LabelState => {
  const s = structuredClone(ready);
  f(s);
  return s;
};

describe("submissionProblems", () => {
  it("has nothing to say about a fully labelled, consistently grouped part", () => {
    expect(submissionProblems(ready, ctx)).toEqual([]);
  });

  it("counts unlabelled faces and names the first few", () => {
    expect(
      submissionProblems(
        edit((s) => (s.labels[1] = null)),
        ctx,
      ),
    ).toEqual(["1 face is not labelled: 1"]);
    const many = edit((s) => {
      for (const f of [0, 1, 2, 3, 4, 5, 13]) s.labels[f] = null;
      s.instances = s.instances.filter((i) => i.feature !== "chamfer");
    });
    expect(submissionProblems(many, ctx)).toEqual(["7 faces are not labelled: 0, 1, 2, 3, 4 and 2 more"]);
  });

  it("finds labelled faces in no instance, and faces in two", () => {
    const orphan = edit((s) => {
      s.instances = s.instances.filter((i) => i.feature !== "through_hole");
    });
    expect(submissionProblems(orphan, ctx)).toEqual(["2 labelled faces are in no instance: 11, 12"]);
    const twice = edit((s) => {
      s.instances.push({ id: "i9", feature: "through_hole", faces: [12], params: {} });
    });
    expect(submissionProblems(twice, ctx)).toEqual(["1 face is in more than one instance: 12 (face 12 is in i2, i9)"]);
  });

  it("finds instances whose faces carry another label, and bottom faces outside their instance", () => {
    const other = edit((s) => {
      s.labels[7] = "stock";
    });
    expect(submissionProblems(other, ctx)).toEqual([
      "instance i1 (Rectangular pocket) has 1 face labelled otherwise: 7",
    ]);
    const bottom = edit((s) => {
      s.instances[1]!.bottomFaces = [6];
    });
    expect(submissionProblems(bottom, ctx)).toEqual(["instance i2 (Through hole) has bottom faces outside it: 6"]);
  });

  it("finds features that are not in the taxonomy, on faces or instances", () => {
    const unknown = edit((s) => {
      s.labels[0] = "groove";
      s.labels[1] = "groove";
      s.instances.push({ id: "i7", feature: "boss", faces: [2], params: {} });
      s.labels[2] = "boss";
    });
    expect(submissionProblems(unknown, ctx)).toEqual([
      "groove is not a feature of the taxonomy (2 faces)",
      "boss is not a feature of the taxonomy (1 face)",
    ]);
  });

  it("finds stock instances, missing faces, duplicate ids and a label count that is not the part's", () => {
    const s = edit((st) => {
      st.instances.push({ id: "i1", feature: "stock", faces: [0, 40], params: {} });
      st.labels.push("stock");
    });
    expect(submissionProblems(s, ctx)).toEqual([
      "the labels cover 15 faces but the part has 14",
      "2 instances share the id i1",
      "instance i1 (Stock) has faces that do not exist: 40",
      "instance i1 (Stock) is stock, which forms no instances",
    ]);
  });
});
