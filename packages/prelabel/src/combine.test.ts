import {
  annotationDocumentSchema,
  buildFaceGraph,
  DEFAULT_TAXONOMY,
  type LabelFace,
  labelStateFromDocument,
  submissionProblems,
} from "@facet/core";
import { describe, expect, it } from "vitest";
import { combinePrelabels } from "./combine";
import { validationError } from "./expect-error";
import type { PrelabelInstance, PrelabelResult } from "./types";

const result = (
  id: string,
  classes: string[],
  probabilities: number[][],
  instances: PrelabelInstance[] = [],
): PrelabelResult => ({ model: { id, version: `${id}-v1` }, classes, probabilities, instances });

/** Element-wise closeness (the means are sums of halves: not always exact in floating point). */
const expectClose = (actual: readonly number[] | undefined, expected: readonly number[]) => {
  expect(actual).toHaveLength(expected.length);
  for (const [i, v] of expected.entries()) expect(actual?.[i], `index ${i}`).toBeCloseTo(v, 10);
};

describe("combinePrelabels with one model", () => {
  // classes: stock, chamfer, fillet
  //   face 0: 0.7 0.2 0.1 → stock 0.7
  //   face 1: 0.1 0.6 0.3 → chamfer 0.6
  //   face 2: 0.2 0.3 0.5 → fillet 0.5
  // mean confidence (0.7 + 0.6 + 0.5) / 3 = 0.6
  const only = result(
    "solo",
    ["stock", "chamfer", "fillet"],
    [
      [0.7, 0.2, 0.1],
      [0.1, 0.6, 0.3],
      [0.2, 0.3, 0.5],
    ],
  );
  const combined = combinePrelabels([only], {
    faceSignature: "sig-1",
    faceCount: 3,
    featureKeys: ["stock", "chamfer", "fillet"],
  });

  it("labels each face with its most probable class and records that probability", () => {
    const { document } = combined;
    expect(document.labels).toEqual(["stock", "chamfer", "fillet"]);
    expectClose(document.prelabel?.confidence, [0.7, 0.6, 0.5]);
    expect(combined.meanConfidence).toBeCloseTo(0.6, 10);
  });

  it("keeps the model and no per-model predictions or disagreement", () => {
    const { document } = combined;
    expect(document.schemaVersion).toBe(1);
    expect(document.faceSignature).toBe("sig-1");
    expect(document.faceCount).toBe(3);
    expect(document.instances).toEqual([]);
    expect(document.prelabel?.models).toEqual([{ id: "solo", version: "solo-v1" }]);
    expect(document.prelabel?.failed).toEqual([]);
    expect(document.prelabel).not.toHaveProperty("disagreement");
    expect(document.prelabel).not.toHaveProperty("predictions");
    expect(combined.disagreeingFaces).toEqual([]);
  });

  it("returns a document the annotation schema accepts", () => {
    expect(annotationDocumentSchema.safeParse(combined.document).success).toBe(true);
  });
});

describe("combinePrelabels with two models", () => {
  // Model a knows stock, chamfer; model b knows chamfer, fillet. Columns of the mean: stock, chamfer, fillet,
  // with 0 for a class a model does not know.
  //   face 0: a 0.6 0.4 (top stock);    b 0.7 0.3 (top chamfer)
  //           mean stock 0.3, chamfer (0.4 + 0.7) / 2 = 0.55, fillet 0.15 → chamfer 0.55; a differs → 0.5
  //           (averaging stock over a alone would give 0.6 and the wrong label)
  //   face 1: a 0.2 0.8 (top chamfer);  b 0.9 0.1 (top chamfer)
  //           mean stock 0.1, chamfer 0.85, fillet 0.05 → chamfer 0.85; both agree → 0
  //   face 2: a 0.55 0.45 (top stock);  b 0.45 0.55 (top fillet)
  //           mean stock 0.275, chamfer 0.45, fillet 0.275 → chamfer 0.45; both differ → 1
  // mean confidence (0.55 + 0.85 + 0.45) / 3 = 1.85 / 3
  const a = result(
    "a",
    ["stock", "chamfer"],
    [
      [0.6, 0.4],
      [0.2, 0.8],
      [0.55, 0.45],
    ],
  );
  const b = result(
    "b",
    ["chamfer", "fillet"],
    [
      [0.7, 0.3],
      [0.9, 0.1],
      [0.45, 0.55],
    ],
  );
  const combined = combinePrelabels([a, b], {
    faceSignature: "sig-2",
    faceCount: 3,
    featureKeys: ["stock", "chamfer", "fillet"],
  });

  it("averages the probabilities, counting a class a model lacks as 0", () => {
    expect(combined.document.labels).toEqual(["chamfer", "chamfer", "chamfer"]);
    expectClose(combined.document.prelabel?.confidence, [0.55, 0.85, 0.45]);
    expect(combined.meanConfidence).toBeCloseTo(1.85 / 3, 10);
  });

  it("records each model's top class and the share of models disagreeing with the label", () => {
    const prelabel = combined.document.prelabel;
    expect(prelabel?.models).toEqual([
      { id: "a", version: "a-v1" },
      { id: "b", version: "b-v1" },
    ]);
    expect(prelabel?.predictions).toEqual({
      a: ["stock", "chamfer", "stock"],
      b: ["chamfer", "chamfer", "fillet"],
    });
    expectClose(prelabel?.disagreement, [0.5, 0, 1]);
    expect(combined.disagreeingFaces).toEqual([0, 2]);
  });

  it("returns a document the annotation schema accepts", () => {
    expect(annotationDocumentSchema.safeParse(combined.document).success).toBe(true);
  });
});

describe("combinePrelabels with a class outside the label schema", () => {
  // featureKeys lack "boss". Columns of the mean: stock, boss, chamfer.
  //   face 0: a (stock, boss) 0.1 0.9 (top boss); b (stock, chamfer) 0.2 0.8 (top chamfer)
  //           mean stock 0.15, boss 0.45, chamfer 0.4 → boss: no label, confidence 0.45; b differs → 0.5
  //   face 1: a 0.8 0.2 (top stock); b 0.7 0.3 (top stock)
  //           mean stock 0.75, boss 0.1, chamfer 0.15 → stock 0.75; 0
  const a = result(
    "a",
    ["stock", "boss"],
    [
      [0.1, 0.9],
      [0.8, 0.2],
    ],
  );
  const b = result(
    "b",
    ["stock", "chamfer"],
    [
      [0.2, 0.8],
      [0.7, 0.3],
    ],
  );
  const combined = combinePrelabels([a, b], {
    faceSignature: "sig-3",
    faceCount: 2,
    featureKeys: ["stock", "chamfer"],
  });

  it("leaves the face unlabelled but still records the confidence", () => {
    expect(combined.document.labels).toEqual([null, "stock"]);
    expectClose(combined.document.prelabel?.confidence, [0.45, 0.75]);
    expect(combined.meanConfidence).toBeCloseTo(0.6, 10);
  });

  it("records the unknown class as null in that model's predictions", () => {
    const prelabel = combined.document.prelabel;
    expect(prelabel?.predictions).toEqual({ a: [null, "stock"], b: ["chamfer", "stock"] });
    expectClose(prelabel?.disagreement, [0.5, 0]);
    expect(combined.disagreeingFaces).toEqual([0]);
    expect(annotationDocumentSchema.safeParse(combined.document).success).toBe(true);
  });
});

describe("combinePrelabels instances", () => {
  // One-hot rows over (stock, blind_hole, chamfer): faces 0 stock, 1-2 blind_hole, 3-4 chamfer.
  const rows = [
    [1, 0, 0],
    [0, 1, 0],
    [0, 1, 0],
    [0, 0, 1],
    [0, 0, 1],
  ];
  const classes = ["stock", "blind_hole", "chamfer"];
  const hole: PrelabelInstance = {
    feature: "blind_hole",
    faces: [1, 2],
    confidence: 0.9,
    params: { diameter: 5, depth: 8 },
    bottomFaces: [2],
  };
  /** The most confident of all, but face 3 is a chamfer: dropped (else it would take face 3). */
  const straddling: PrelabelInstance = { feature: "blind_hole", faces: [1, 3], confidence: 0.99, params: {} };
  /** A feature the schema knows, on a face labelled otherwise: dropped. */
  const wrongFace: PrelabelInstance = { feature: "fillet", faces: [0], confidence: 0.8, params: {} };
  const chamfer3: PrelabelInstance = { feature: "chamfer", faces: [3], confidence: 0.6, params: { width: 1 } };
  /** More confident than chamfer4, but face 3 is already chamfer3's: dropped. */
  const chamfer34: PrelabelInstance = { feature: "chamfer", faces: [3, 4], confidence: 0.5, params: {} };
  /** An empty bottomFaces list is not carried over. */
  const chamfer4: PrelabelInstance = { feature: "chamfer", faces: [4], confidence: 0.4, params: {}, bottomFaces: [] };

  const combined = combinePrelabels(
    [
      result("a", classes, rows, [chamfer34, chamfer4, straddling]),
      result("b", classes, rows, [hole, wrongFace, chamfer3]),
    ],
    { faceSignature: "sig-4", faceCount: 5, featureKeys: ["stock", "blind_hole", "chamfer", "fillet"] },
  );

  it("keeps only instances whose every face got their feature, most confident first, one per face", () => {
    expect(combined.document.labels).toEqual(["stock", "blind_hole", "blind_hole", "chamfer", "chamfer"]);
    expect(combined.document.instances).toEqual([
      {
        id: "pre-1",
        feature: "blind_hole",
        faces: [1, 2],
        params: { diameter: 5, depth: 8 },
        confidence: 0.9,
        bottomFaces: [2],
      },
      { id: "pre-2", feature: "chamfer", faces: [3], params: { width: 1 }, confidence: 0.6 },
      { id: "pre-3", feature: "chamfer", faces: [4], params: {}, confidence: 0.4 },
    ]);
    expect(combined.document.instances[2]).not.toHaveProperty("bottomFaces");
  });

  it("returns a document the annotation schema accepts", () => {
    expect(annotationDocumentSchema.safeParse(combined.document).success).toBe(true);
  });
});

describe("combinePrelabels bookkeeping and errors", () => {
  const ok = result("rules", ["stock"], [[1], [1]]);

  it("stores the pre-labelers that failed, and why", () => {
    const failed = [
      { id: "aagnet", reason: "did not answer within 30 s" },
      { id: "brepmfr", reason: "rejected the part" },
    ];
    const { document } = combinePrelabels([ok], { faceSignature: "s", faceCount: 2, featureKeys: ["stock"], failed });
    expect(document.prelabel?.failed).toEqual(failed);
    expect(document.prelabel?.models).toEqual([{ id: "rules", version: "rules-v1" }]);
    expect(annotationDocumentSchema.safeParse(document).success).toBe(true);
  });

  it("refuses to combine nothing", () => {
    validationError(() => combinePrelabels([], { faceSignature: "s", faceCount: 2, featureKeys: ["stock"] }));
  });

  it("refuses an answer with the wrong number of rows, naming its model", () => {
    const short = result("brepmfr", ["stock"], [[1]]);
    const e = validationError(() =>
      combinePrelabels([ok, short], { faceSignature: "s", faceCount: 2, featureKeys: ["stock"] }),
    );
    expect(e.message).toContain("brepmfr");
    expect(e.message).not.toContain("rules");
    expect(e.message).toMatch(/\b1 faces\b.*\b2\b/);
  });
});

describe("combinePrelabels with the part's face graph", () => {
  // four faces in a row: 0–1–2–3; a model that labels them but proposes no instance
  const face = {
    surface: "plane",
    area: 1,
    direction: null,
    origin: null,
    radius: null,
    bbox: { min: [0, 0, 0], max: [1, 1, 1] },
  } as const;
  const graph = buildFaceGraph({
    faces: [face, face, face, face] as unknown as LabelFace[],
    edges: [
      { faces: [0, 1], convexity: "concave", angle: 90 },
      { faces: [1, 2], convexity: "concave", angle: 90 },
      { faces: [2, 3], convexity: "convex", angle: 45 },
    ],
  });
  const context = { graph, taxonomy: DEFAULT_TAXONOMY };
  const options = { faceSignature: "sig", faceCount: 4, featureKeys: DEFAULT_TAXONOMY.featureTypes.map((t) => t.key) };
  const labelsOnly = result(
    "bare",
    ["stock", "rectangular_pocket", "chamfer"],
    [
      [1, 0, 0],
      [0, 0.8, 0.2],
      [0, 0.6, 0.4],
      [0, 0.1, 0.9],
    ],
  );

  it("groups labelled faces no model's instance covers into instances, so the pre-label can be submitted", () => {
    const { document } = combinePrelabels([labelsOnly], { ...options, context });
    expect(document.instances.map((i) => [i.id, i.feature, i.faces])).toEqual([
      ["pre-1", "rectangular_pocket", [1, 2]],
      ["pre-2", "chamfer", [3]],
    ]);
    // an instance's confidence is its faces' mean
    expect(document.instances[0]?.confidence).toBeCloseTo(0.7, 9);
    expect(document.instances[1]?.confidence).toBeCloseTo(0.9, 9);
    expect(submissionProblems(labelStateFromDocument(document), context)).toEqual([]);
  });

  it("without the graph such faces stay in no instance, and submitting says so", () => {
    const { document } = combinePrelabels([labelsOnly], options);
    expect(document.instances).toEqual([]);
    expect(submissionProblems(labelStateFromDocument(document), context)).toEqual([
      "3 labelled faces are in no instance: 1, 2, 3",
    ]);
  });
});
