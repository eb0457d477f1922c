import { readdirSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { expectPrelabelError } from "../expect-error";
import { CORPUS, mfcadPart } from "../testing";
import { FEATURE_COUNT, faceGraphFeatures, INPUT_COUNT } from "./features";
import {
  assignFolds,
  crossValidate,
  decodeModel,
  encodeModel,
  holdOut,
  type LabelledPart,
  learnedPrelabeler,
  predictLabels,
  trainModel,
} from "./index";

/**
 * The learned pre-labeler on real MFCAD parts: it learns the sixteen families from a few dozen
 * approved parts, the same data and seed give the same model bit for bit, and a damaged model file
 * is refused.
 */
const names = readdirSync(path.join(CORPUS, "mfcad"))
  .filter((f) => f.endsWith(".step"))
  .map((f) => f.slice(0, -".step".length))
  .sort();

let parts: LabelledPart[];
beforeAll(async () => {
  parts = [];
  for (const name of names) {
    const { input, truth } = await mfcadPart(name);
    parts.push({ name, input, labels: truth });
  }
}, 120_000);

describe("learned pre-labeler", () => {
  it("computes finite, renumbering-invariant features from the face graph", () => {
    const part = parts[0] as LabelledPart;
    const g = faceGraphFeatures(part.input);
    expect(g.x.length).toBe(part.input.faces.length * FEATURE_COUNT);
    expect(g.x.every(Number.isFinite)).toBe(true);
    // renumber the faces backwards: each face keeps its numbers
    const n = part.input.faces.length;
    const back = (i: number) => n - 1 - i;
    const reversed = faceGraphFeatures({
      ...part.input,
      faces: [...part.input.faces].reverse(),
      edges: part.input.edges.map((e) => ({ ...e, faces: [back(e.faces[0]), back(e.faces[1])] as [number, number] })),
    });
    for (let i = 0; i < n; i++) {
      expect(Array.from(reversed.x.subarray(back(i) * FEATURE_COUNT, (back(i) + 1) * FEATURE_COUNT))).toEqual(
        Array.from(g.x.subarray(i * FEATURE_COUNT, (i + 1) * FEATURE_COUNT)),
      );
    }
  });

  it("trained on 48 MFCAD parts, labels the 12 it never saw (well above chance); same seed, same bits", async () => {
    const fold = assignFolds(names, 5, 0);
    const train = parts.filter((p) => fold.get(p.name) !== 0);
    const test = parts.filter((p) => fold.get(p.name) === 0);
    expect(test.length).toBe(12);
    const a = await trainModel(train, { seed: 7, steps: 300 });
    const b = await trainModel([...train].reverse(), { seed: 7, steps: 300 });
    const bytes = encodeModel(a.model);
    expect(Buffer.from(encodeModel(b.model)).equals(Buffer.from(bytes))).toBe(true);
    expect(a.model.trainedOn).toEqual({ parts: 48, faces: a.faces });
    let correct = 0;
    let total = 0;
    for (const p of test) {
      const predicted = predictLabels(a.model, p.input);
      predicted.forEach((c, i) => {
        total++;
        if (c === p.labels[i]) correct++;
      });
    }
    // 16 classes: chance is about 1/16 (the commonest class, stock, about 0.28)
    expect(correct / total).toBeGreaterThan(0.85);
    // a different seed gives a different model
    const c = await trainModel(train, { seed: 8, steps: 300 });
    expect(Buffer.from(encodeModel(c.model)).equals(Buffer.from(bytes))).toBe(false);
  }, 300_000);

  it("reads its file back exactly and refuses a damaged or foreign one", async () => {
    const { model } = await trainModel(parts.slice(0, 10), { seed: 1, steps: 20, classes: ["stock", "chamfer"] });
    const bytes = encodeModel(model);
    const back = decodeModel(bytes);
    expect(back.classes).toEqual(["stock", "chamfer"]);
    expect(Buffer.from(encodeModel(back)).equals(Buffer.from(bytes))).toBe(true);
    const input = (parts[3] as LabelledPart).input;
    const p1 = await learnedPrelabeler(model, "v1-test").predict(input);
    const p2 = await learnedPrelabeler(back, "v1-test").predict(input);
    expect(p2).toEqual(p1);
    expect(p1.model).toEqual({ id: "facet-learned", version: "v1-test" });
    for (const row of p1.probabilities) expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);

    const flipped = bytes.slice();
    flipped[flipped.length - 3] = (flipped[flipped.length - 3] as number) ^ 0x40;
    expectPrelabelError(() => decodeModel(flipped), "INVALID_INPUT", /checksum/);
    expectPrelabelError(() => decodeModel(bytes.slice(0, bytes.length - 4)), "INVALID_INPUT", /bytes of weights/);
    expectPrelabelError(() => decodeModel(new TextEncoder().encode("ISO-10303-21;")), "INVALID_INPUT", /FACETLM1/);
    // a header that lies about the features it was trained on
    const text = new TextDecoder().decode(bytes.subarray(12, 12 + new DataView(bytes.buffer).getUint32(8, true)));
    const other = new TextEncoder().encode(
      text.replace(`"featureCount":${INPUT_COUNT}`, `"featureCount":${INPUT_COUNT + 1}`),
    );
    const forged = new Uint8Array(12 + other.length + (bytes.length - 12 - text.length));
    forged.set(bytes.subarray(0, 8));
    new DataView(forged.buffer).setUint32(8, other.length, true);
    forged.set(other, 12);
    forged.set(bytes.subarray(12 + text.length), 12 + other.length);
    expectPrelabelError(
      () => decodeModel(forged),
      "INVALID_INPUT",
      new RegExp(`features v3 \\(${INPUT_COUNT + 1} inputs\\); this Facet computes v3 \\(${INPUT_COUNT} inputs\\)`),
    );
  }, 120_000);

  it("holds back the same parts whatever else comes and goes; folds are nearly equal", () => {
    const ids = Array.from({ length: 100 }, (_, i) => `part-${i}`);
    const held = holdOut(ids, 0.2);
    expect(held.size).toBeGreaterThan(8);
    expect(held.size).toBeLessThan(35);
    const fewer = holdOut(ids.slice(0, 50), 0.2);
    for (const id of ids.slice(0, 50)) expect(fewer.has(id)).toBe(held.has(id));
    expect(holdOut(ids.slice(0, 5), 0.000001).size).toBe(1);
    const folds = [...assignFolds(ids, 3).values()];
    expect([0, 1, 2].map((f) => folds.filter((x) => x === f).length)).toEqual([34, 33, 33]);
  });

  it("cross-validates by part: every part is predicted by a model that never saw it", async () => {
    const few = parts.slice(0, 15);
    const r = await crossValidate(few, { folds: 3, seed: 1, steps: 60 });
    expect(r.folds).toBe(3);
    expect(r.evaluation.parts).toBe(15);
    expect(r.evaluation.faces).toBe(few.reduce((a, p) => a + p.labels.length, 0));
    expect(r.trainingMs).toBeGreaterThan(0);
  }, 120_000);
});
