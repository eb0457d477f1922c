import { readFileSync } from "node:fs";
import path from "node:path";
import { DEFAULT_TAXONOMY } from "@facet/core";
import { beforeAll, describe, expect, it } from "vitest";
import { CORPUS, corpusInput, mfcadFeaturesInName, mfcadPart } from "../testing";
import type { PrelabelInput } from "../types";
import { createRulePrelabeler, type Recognition, RULE_CLASSES, recognise } from "./recognise";

const top = (r: Recognition) => r.probabilities.map((row) => r.classes[row.indexOf(Math.max(...row))] as string);
const facesOf = (labels: readonly string[], feature: string) => labels.flatMap((l, i) => (l === feature ? [i] : []));

/**
 * One rule at a time, on MFCAD parts whose file names list a feature of that class: every face
 * labelled with it is recognised as it, no other face is, and there is one instance per feature
 * the file name lists.
 */
const CASES: Array<[feature: string, rule: string, parts: string[]]> = [
  ["stock", "on-box", ["0-0-0-0-0-23", "1-11-14-19"]],
  ["chamfer", "inclined-face", ["0-0-0-0-0-23", "0-0-8-8-11-23"]],
  ["triangular_passage", "walls-ring", ["0-1-2-3-19", "0-1-5-5-13-23"]],
  ["rectangular_passage", "walls-ring", ["0-2-6-8-9-23", "0-1-2-3-19"]],
  ["six_sided_passage", "walls-ring", ["0-3-3-9-11-23", "0-1-2-3-19"]],
  ["triangular_through_slot", "v-groove", ["0-0-4-11-13-23", "0-4-6-10-12-23"]],
  ["rectangular_through_slot", "floor-and-facing-walls", ["0-1-5-5-13-23", "0-5-5-6-8-23"]],
  ["rectangular_through_step", "step", ["0-2-6-8-9-23", "0-6-6-12-13-23"]],
  ["two_sided_through_step", "v-walls", ["0-7-8-10-19", "1-2-7-7-9-23"]],
  ["slanted_through_step", "slanted-step", ["0-0-8-8-11-23", "0-2-6-8-9-23"]],
  ["triangular_pocket", "floor-and-ring", ["0-2-6-8-9-23", "0-9-9-9-12-23"]],
  ["rectangular_pocket", "floor-and-ring", ["0-0-10-10-12-23", "0-4-6-10-12-23"]],
  ["six_sided_pocket", "floor-and-ring", ["0-0-4-11-13-23", "0-3-8-11-13-23"]],
  ["rectangular_blind_slot", "floor-and-u-walls", ["0-0-10-10-12-23", "0-6-6-12-13-23"]],
  ["triangular_blind_step", "corner-step", ["0-0-4-11-13-23", "0-1-5-5-13-23"]],
  ["rectangular_blind_step", "corner-walls", ["0-10-14-14-14-23", "1-11-14-19"]],
];

// loading the geometry kernel: once, before the first test's clock starts
beforeAll(() => corpusInput("mfcad/0-0-0-0-0-23.step"), 60_000);

describe("rule-based recogniser on MFCAD parts", () => {
  for (const [feature, rule, parts] of CASES) {
    it(`${feature}: rule "${rule}"`, async () => {
      for (const name of parts) {
        const { input, truth } = await mfcadPart(name);
        const result = recognise(input);
        const predicted = top(result);
        const expected = facesOf(truth, feature);
        expect(expected.length, `${name} has ${feature} faces`).toBeGreaterThan(0);
        expect(facesOf(predicted, feature), name).toEqual(expected);
        for (const f of expected) expect(result.rules[f], `${name} face ${f}`).toBe(rule);
        if (feature !== "stock") {
          const listed = mfcadFeaturesInName(name).filter((x) => x === feature).length;
          expect(result.instances.filter((i) => i.feature === feature).length, `${name} instances`).toBe(listed);
        }
      }
    });
  }

  it("pockets and slots carry their floor as the bottom face and are measured", async () => {
    const { input, truth } = await mfcadPart("0-0-10-10-12-23");
    const result = recognise(input);
    const pocket = result.instances.find((i) => i.feature === "rectangular_pocket");
    expect(pocket?.faces).toHaveLength(5);
    const floor = pocket?.bottomFaces ?? [];
    expect(floor).toHaveLength(1);
    // the floor is perpendicular to the four walls
    const n = input.faces[floor[0] as number]?.direction as number[];
    for (const w of pocket?.faces.filter((f) => f !== floor[0]) ?? []) {
      const d = input.faces[w]?.direction as number[];
      expect(Math.abs(n[0]! * d[0]! + n[1]! * d[1]! + n[2]! * d[2]!)).toBeLessThan(1e-6);
    }
    // depth is the walls' extent along the floor normal; the part is a 10 mm block
    expect(pocket?.params.depth).toBeGreaterThan(0);
    expect(pocket?.params.depth).toBeLessThan(10);
    expect(pocket?.params.width).toBeGreaterThan(0);
    expect(truth.filter((t) => t === "rectangular_pocket")).toHaveLength(10);
  });

  it("gives every face a probability row over its classes, with the verdict's confidence on top", async () => {
    const { input } = await mfcadPart("1-3-9-11-14-23");
    const result = recognise(input);
    expect(result.classes).toEqual([...RULE_CLASSES]);
    expect(result.probabilities).toHaveLength(input.faces.length);
    for (const row of result.probabilities) {
      expect(row).toHaveLength(RULE_CLASSES.length);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      expect(Math.min(...row)).toBeGreaterThan(0);
    }
    const stock = result.classes.indexOf("stock");
    const face = top(result).indexOf("stock");
    expect(result.probabilities[face]?.[stock]).toBeCloseTo(0.97 + 0.03 / RULE_CLASSES.length, 6);
  });
});

/** AAGNet's labelled sample (MFCAD++ classes, face ids in OCCT's face order). */
async function aagnetSample(): Promise<{ input: PrelabelInput; truth: string[] }> {
  const input = await corpusInput("aagnet/dataset_test.step");
  const [[, labels]] = JSON.parse(readFileSync(path.join(CORPUS, "aagnet/dataset_test.json"), "utf8")) as [
    [string, { seg: Record<string, number> }],
  ];
  const classes = DEFAULT_TAXONOMY.crosswalks.mfcadpp?.classes ?? [];
  return { input, truth: input.faces.map((_, i) => classes[labels.seg[i] as number]?.feature ?? "?") };
}

describe("rule-based recogniser on curved features", () => {
  it("through holes: concave cylinders open at both ends, measured by their radius", async () => {
    const { input, truth } = await aagnetSample();
    const result = recognise(input);
    const predicted = top(result);
    expect(facesOf(predicted, "through_hole")).toEqual(facesOf(truth, "through_hole"));
    const holes = result.instances.filter((i) => i.feature === "through_hole");
    expect(holes.length).toBeGreaterThan(0);
    for (const hole of holes) {
      const radius = input.faces[hole.faces[0] as number]?.radius as number;
      expect(hole.params.diameter).toBeCloseTo(2 * radius, 3);
      for (const f of hole.faces) expect(input.faces[f]?.surface).toBe("cylinder");
    }
  });

  it("fillets and rounds: cylinders meeting their neighbours tangentially", async () => {
    const { input, truth } = await aagnetSample();
    const result = recognise(input);
    expect(facesOf(top(result), "fillet")).toEqual(facesOf(truth, "fillet"));
    for (const f of facesOf(truth, "fillet")) expect(result.rules[f]).toBe("tangent-cylinder");
  });

  it("blind holes: a hole closed by a face across its axis takes that face as its bottom", async () => {
    const input = await corpusInput("nist-pmi/nist_ctc_01_asme1_rd.stp");
    const result = recognise(input);
    const blind = result.instances.filter((i) => i.feature === "blind_hole");
    expect(blind.length).toBeGreaterThan(0);
    for (const hole of blind) {
      const bottom = hole.bottomFaces ?? [];
      expect(bottom.length).toBeGreaterThan(0);
      const wall = input.faces.find((_, i) => hole.faces.includes(i) && !bottom.includes(i));
      expect(wall?.surface).toBe("cylinder");
      for (const b of bottom) {
        const face = input.faces[b];
        const axis = wall?.direction as number[];
        const d = face?.direction as number[];
        // a plane across the axis, or a coaxial cone (a drill point)
        expect(Math.abs(axis[0]! * d[0]! + axis[1]! * d[1]! + axis[2]! * d[2]!)).toBeGreaterThan(0.999);
      }
    }
  });

  it("a turned part: its outer cylinder is stock, its bore a through hole, tori fillets", async () => {
    const input = await corpusInput("nist-pmi/nist_ftc_11_asme1_rb.stp");
    const result = recognise(input);
    const predicted = top(result);
    input.faces.forEach((f, i) => {
      if (f.surface === "torus") expect(predicted[i]).toBe("fillet");
      if (f.surface === "cylinder" && f.reversed) expect(predicted[i]).toBe("through_hole");
      if (f.surface === "cylinder" && !f.reversed) expect(predicted[i]).toBe("stock");
    });
  });
});

describe("the rule pre-labeler", () => {
  it("answers through the Prelabeler interface with its model name, on every NIST part without failing", async () => {
    const prelabeler = createRulePrelabeler();
    for (const file of ["nist_ctc_02_asme1_ap242-e2.stp", "nist_ftc_06_asme1_rd.stp", "nist_ctc_04_asme1_rd.stp"]) {
      const input = await corpusInput(`nist-pmi/${file}`);
      const result = await prelabeler.predict(input);
      expect(result.model).toEqual({ id: "facet-rules", version: prelabeler.version });
      expect(result.probabilities).toHaveLength(input.faces.length);
      expect("rules" in result).toBe(false);
      for (const inst of result.instances) {
        expect(inst.faces.length).toBeGreaterThan(0);
        expect(inst.confidence).toBeGreaterThan(0);
        expect(inst.confidence).toBeLessThanOrEqual(1);
      }
    }
  }, 120_000);
});
