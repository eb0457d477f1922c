import { readFile } from "node:fs/promises";
import path from "node:path";
import { tessellateStep } from "@facet/geometry";
import { CORPUS, kernelForNode } from "@facet/geometry/testing";
import { createRulePrelabeler, inputFromFacesDocument } from "@facet/prelabel";
import { describe, expect, it } from "vitest";
import { predictionAnswer } from "./prediction";

describe("predictionAnswer", () => {
  it("names each face's most probable class with its probability and the face's STEP name", async () => {
    const kernel = await kernelForNode();
    const bytes = await readFile(path.join(CORPUS, "mfcad/0-0-0-0-0-23.step"));
    const { document } = tessellateStep(kernel, new Uint8Array(bytes));
    const input = inputFromFacesDocument(document);
    const result = await createRulePrelabeler().predict(input);
    const answer = predictionAnswer(result, input, { tessellation: 12, prediction: 3 });

    expect(answer.model).toEqual(result.model);
    expect(answer.faceSignature).toBe(document.signature);
    expect(answer.faces).toHaveLength(document.faceCount);
    for (const f of answer.faces) {
      const row = result.probabilities[f.index] as number[];
      const top = Math.max(...row);
      expect(f.confidence).toBeCloseTo(top, 4);
      expect(row[result.classes.indexOf(f.label)]).toBe(top);
      expect(f.stepName).toBe(document.faces[f.index]?.stepName ?? null);
    }
    // MFCAD names every face by its id: the STEP names are there to find the face in a CAD tool
    expect(answer.faces.every((f) => typeof f.stepName === "string")).toBe(true);
    expect(answer.instances.map((i) => i.feature)).toEqual(result.instances.map((i) => i.feature));
    expect(answer.ms).toEqual({ tessellation: 12, prediction: 3 });
  });
});
