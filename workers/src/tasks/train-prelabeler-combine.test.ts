/**
 * How the learned pre-labeler's answer (in the dataset's classes) and the rules' (in the default
 * taxonomy's) are put in one class space before they are averaged (tasks/prelabel.ts inDatasetClasses).
 */
import { DEFAULT_TAXONOMY, type PrelabelTranslation, type Taxonomy } from "@facet/core";
import { combinePrelabels, type PrelabelResult } from "@facet/prelabel";
import { describe, expect, it } from "vitest";
import { inDatasetClasses } from "./prelabel";

const taxonomy = (keys: string[]): Taxonomy => ({
  crosswalks: {},
  featureTypes: keys.map((key) => ({ ...(DEFAULT_TAXONOMY.featureTypes[0] as Taxonomy["featureTypes"][number]), key })),
});

const rules: PrelabelResult = {
  model: { id: "facet-rules", version: "1" },
  classes: ["stock", "through_hole", "chamfer"],
  // face 0: stock; face 1: through_hole; face 2: chamfer, a little stock
  probabilities: [
    [0.8, 0.1, 0.1],
    [0.1, 0.9, 0],
    [0.3, 0, 0.7],
  ],
  instances: [{ feature: "through_hole", faces: [1], confidence: 0.9, params: {} }],
};
const learned: PrelabelResult = {
  model: { id: "facet-learned", version: "v1-abcdef12" },
  classes: ["stock", "acme_bore"],
  probabilities: [
    [0.6, 0.4],
    [0.2, 0.8],
    [0.5, 0.5],
  ],
  instances: [],
};

describe("inDatasetClasses", () => {
  it("leaves the faces whose class the dataset lacks to the learned model; averages where both speak", () => {
    const own = taxonomy(["stock", "acme_bore"]);
    const { results, abstained } = inDatasetClasses([rules, learned], learned, null, own);
    expect(results.map((r) => r.classes)).toEqual([
      ["stock", "acme_bore"],
      ["stock", "acme_bore"],
    ]);
    // face 0: the rules' stock (its other classes dropped, renormalised); faces 1, 2: the learned model's rows
    expect(results[0]?.probabilities).toEqual([
      [1, 0],
      [0.2, 0.8],
      [0.5, 0.5],
    ]);
    expect(results[1]?.probabilities).toEqual(learned.probabilities);
    expect([...abstained]).toEqual([["facet-rules", [1, 2]]]);
    // the rules' instance of a class the dataset lacks is gone
    expect(results[0]?.instances).toEqual([]);
    const combined = combinePrelabels(results, {
      faceSignature: "s",
      faceCount: 3,
      featureKeys: ["stock", "acme_bore"],
    });
    expect(combined.document.labels).toEqual(["stock", "acme_bore", "stock"]);
    expect(combined.document.prelabel?.confidence?.[0]).toBeCloseTo(0.8, 6);
    expect(combined.document.prelabel?.confidence?.[1]).toBeCloseTo(0.8, 6);
  });

  it("carries the rules' classes through the schema's mappings into the dataset's", () => {
    const own = taxonomy(["stock", "hole", "bevel"]);
    const translation: PrelabelTranslation = {
      mappings: [{ through_hole: ["hole"] }, { chamfer: ["bevel"] }],
      keys: new Set(["stock", "hole", "bevel"]),
      schema: "Default v3",
    };
    const holes: PrelabelResult = { ...learned, classes: ["stock", "hole"] };
    const { results, abstained } = inDatasetClasses([rules, holes], holes, translation, own);
    expect(results[0]?.classes).toEqual(["stock", "hole", "bevel"]);
    expect(results[0]?.probabilities).toEqual([
      [0.8, 0.1, 0.1],
      [0.1, 0.9, 0],
      [0.3, 0, 0.7],
    ]);
    expect(results[0]?.instances.map((i) => i.feature)).toEqual(["hole"]);
    expect(abstained.size).toBe(0);
  });
});
