import { describe, expect, it } from "vitest";
import { DEFAULT_TAXONOMY, hierarchyProblems, type Taxonomy, taxonomySchema } from "./taxonomy";

/**
 * MFCAD's 16 classes in the order its labels use. Not FEAT_NAMES of hducg/MFCAD's visualiser (which
 * the corpus README copies): the data contradicts it (packages/geometry/src/labelling.test.ts,
 * "MFCAD class order"). Hard-coded on purpose: the .face_truth labels index into exactly this list.
 */
const MFCAD_CLASSES = [
  "chamfer",
  "triangular_passage",
  "rectangular_passage",
  "6sides_passage",
  "triangular_through_slot",
  "rectangular_through_slot",
  "rectangular_through_step",
  "2sides_through_step",
  "slanted_through_step",
  "triangular_pocket",
  "rectangular_pocket",
  "6sides_pocket",
  "rectangular_blind_slot",
  "triangular_blind_step",
  "rectangular_blind_step",
  "stock",
];

/** MFCAD++ as AAGNet's MFInstSeg orders it (feat_names in whjdark/AAGNet), which the crosswalk cites. */
const MFCADPP_CLASSES = [
  "chamfer",
  "through_hole",
  "triangular_passage",
  "rectangular_passage",
  "6sides_passage",
  "triangular_through_slot",
  "rectangular_through_slot",
  "circular_through_slot",
  "rectangular_through_step",
  "2sides_through_step",
  "slanted_through_step",
  "Oring",
  "blind_hole",
  "triangular_pocket",
  "rectangular_pocket",
  "6sides_pocket",
  "circular_end_pocket",
  "rectangular_blind_slot",
  "v_circular_end_blind_slot",
  "h_circular_end_blind_slot",
  "triangular_blind_step",
  "circular_blind_step",
  "rectangular_blind_step",
  "round",
  "stock",
];

/** Fusion 360 Gallery segmentation dataset, label order of its .seg files. */
const FUSION360_CLASSES = [
  "ExtrudeSide",
  "ExtrudeEnd",
  "CutSide",
  "CutEnd",
  "Fillet",
  "Chamfer",
  "RevolveSide",
  "RevolveEnd",
];

const keys = DEFAULT_TAXONOMY.featureTypes.map((f) => f.key);
const keySet = new Set(keys);

/** A small valid taxonomy to mutate in the rejection tests. */
function small(): Taxonomy {
  return {
    featureTypes: [
      { key: "stock", name: "Stock", colour: "#b8bcc4", hotkey: "1", isStock: true, parameters: [] },
      { key: "hole", name: "Hole", colour: "#e6194b", hotkey: "2", isStock: false, parameters: [] },
      { key: "slot", name: "Slot", colour: "#f58231", hotkey: null, isStock: false, parameters: [] },
    ],
    crosswalks: {
      ext: {
        source: "test",
        classes: [
          { id: 0, name: "Hole", feature: "hole" },
          { id: 1, name: "Other", feature: null },
        ],
      },
    },
  };
}

function issues(input: unknown): string[] {
  const r = taxonomySchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => i.message);
}

describe("DEFAULT_TAXONOMY", () => {
  it("parses, and survives a JSON round trip unchanged (it is stored as jsonb)", () => {
    expect(taxonomySchema.safeParse(DEFAULT_TAXONOMY).success).toBe(true);
    const copy = JSON.parse(JSON.stringify(DEFAULT_TAXONOMY));
    expect(taxonomySchema.parse(copy)).toEqual(DEFAULT_TAXONOMY);
  });

  it("has 25 feature types with unique keys, names and colours", () => {
    expect(DEFAULT_TAXONOMY.featureTypes).toHaveLength(25);
    expect(keySet.size).toBe(25);
    expect(new Set(DEFAULT_TAXONOMY.featureTypes.map((f) => f.name)).size).toBe(25);
    expect(new Set(DEFAULT_TAXONOMY.featureTypes.map((f) => f.colour.toLowerCase())).size).toBe(25);
  });

  it("has exactly one stock type, keyed stock", () => {
    expect(DEFAULT_TAXONOMY.featureTypes.filter((f) => f.isStock).map((f) => f.key)).toEqual(["stock"]);
  });

  it("uses hotkeys 1 to 9, each exactly once", () => {
    const hotkeys = DEFAULT_TAXONOMY.featureTypes.map((f) => f.hotkey).filter((h): h is string => h !== null);
    expect(hotkeys).toHaveLength(9);
    expect([...hotkeys].sort()).toEqual(["1", "2", "3", "4", "5", "6", "7", "8", "9"]);
  });

  it("gives each feature type distinct parameter keys", () => {
    for (const f of DEFAULT_TAXONOMY.featureTypes) {
      const p = f.parameters.map((x) => x.key);
      expect(new Set(p).size, f.key).toBe(p.length);
    }
  });

  it("has exactly the three documented crosswalks", () => {
    expect(Object.keys(DEFAULT_TAXONOMY.crosswalks).sort()).toEqual(["fusion360_segmentation", "mfcad", "mfcadpp"]);
  });

  it.each([
    ["mfcad", 16],
    ["mfcadpp", 25],
    ["fusion360_segmentation", 8],
  ])("crosswalk %s has %i classes with ids 0..n-1 in order, each mapped to an existing feature or null", (name, n) => {
    const cw = DEFAULT_TAXONOMY.crosswalks[name];
    expect(cw).toBeDefined();
    expect(cw?.source.trim()).not.toBe("");
    const classes = cw?.classes ?? [];
    expect(classes).toHaveLength(n);
    expect(classes.map((c) => c.id)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(new Set(classes.map((c) => c.name)).size).toBe(n);
    for (const c of classes) {
      if (c.feature !== null) expect(keySet.has(c.feature), `${name}: ${c.name} -> ${c.feature}`).toBe(true);
    }
  });

  it("mfcad classes are MFCAD++'s in its order, without the curved ones (what MFCAD's labels hold)", () => {
    const curved = new Set([
      "through_hole",
      "circular_through_slot",
      "Oring",
      "blind_hole",
      "circular_end_pocket",
      "v_circular_end_blind_slot",
      "h_circular_end_blind_slot",
      "circular_blind_step",
      "round",
    ]);
    expect(MFCADPP_CLASSES.filter((c) => !curved.has(c))).toEqual(MFCAD_CLASSES);
  });

  it("mfcad class names, in order", () => {
    expect(DEFAULT_TAXONOMY.crosswalks.mfcad?.classes.map((c) => c.name)).toEqual(MFCAD_CLASSES);
  });

  it("mfcad maps every class to a distinct feature (no class is lost)", () => {
    const features = DEFAULT_TAXONOMY.crosswalks.mfcad?.classes.map((c) => c.feature) ?? [];
    expect(features).not.toContain(null);
    expect(new Set(features).size).toBe(16);
    expect(DEFAULT_TAXONOMY.crosswalks.mfcad?.classes[15]).toEqual({ id: 15, name: "stock", feature: "stock" });
  });

  it("mfcadpp class names follow AAGNet's order and cover every feature type exactly once", () => {
    const classes = DEFAULT_TAXONOMY.crosswalks.mfcadpp?.classes ?? [];
    expect(classes.map((c) => c.name)).toEqual(MFCADPP_CLASSES);
    const features = classes.map((c) => c.feature);
    expect([...features].sort()).toEqual([...keys].sort());
  });

  it("mfcad and mfcadpp agree where they share a class name", () => {
    const pp = new Map(DEFAULT_TAXONOMY.crosswalks.mfcadpp?.classes.map((c) => [c.name, c.feature]));
    for (const c of DEFAULT_TAXONOMY.crosswalks.mfcad?.classes ?? []) {
      expect(pp.get(c.name), c.name).toBe(c.feature);
    }
  });

  it("fusion360_segmentation maps only Fillet and Chamfer", () => {
    const classes = DEFAULT_TAXONOMY.crosswalks.fusion360_segmentation?.classes ?? [];
    expect(classes.map((c) => c.name)).toEqual(FUSION360_CLASSES);
    expect(classes.filter((c) => c.feature !== null).map((c) => [c.name, c.feature])).toEqual([
      ["Fillet", "fillet"],
      ["Chamfer", "chamfer"],
    ]);
  });
});

describe("taxonomySchema", () => {
  it("accepts a small valid taxonomy, with several features without hotkey and unmapped classes", () => {
    expect(issues(small())).toEqual([]);
  });

  it("fills in defaults", () => {
    const t = taxonomySchema.parse({
      featureTypes: [{ key: "stock", name: "Stock", colour: "#aabbcc", hotkey: null }],
    });
    expect(t.crosswalks).toEqual({});
    expect(t.featureTypes[0]).toMatchObject({ isStock: false, parameters: [] });
  });

  it("rejects a duplicate feature key", () => {
    const t = small();
    t.featureTypes.push({
      key: "hole",
      name: "Hole again",
      colour: "#000000",
      hotkey: null,
      isStock: false,
      parameters: [],
    });
    expect(issues(t)).toContain("duplicate feature key hole");
  });

  it("rejects a duplicate hotkey", () => {
    const t = small();
    (t.featureTypes[2] as { hotkey: string | null }).hotkey = "2";
    expect(issues(t)).toContain("hotkey 2 used twice");
  });

  it("rejects a crosswalk to an unknown feature", () => {
    const t = small();
    t.crosswalks.ext?.classes.push({ id: 2, name: "Groove", feature: "groove" });
    expect(issues(t)).toContain("crosswalk ext maps Groove to unknown feature groove");
  });

  it("rejects the default taxonomy with a feature removed that a crosswalk still uses", () => {
    const t = structuredClone(DEFAULT_TAXONOMY);
    t.featureTypes = t.featureTypes.filter((f) => f.key !== "chamfer");
    const msgs = issues(t);
    expect(msgs).toContain("crosswalk mfcad maps chamfer to unknown feature chamfer");
    expect(msgs).toContain("crosswalk fusion360_segmentation maps Chamfer to unknown feature chamfer");
  });

  it.each([
    ["no feature types", { featureTypes: [] }],
    ["a non snake_case key", { featureTypes: [{ key: "Through-Hole", name: "x", colour: "#000000", hotkey: null }] }],
    ["a bad colour", { featureTypes: [{ key: "a", name: "x", colour: "red", hotkey: null }] }],
    ["hotkey 0", { featureTypes: [{ key: "a", name: "x", colour: "#000000", hotkey: "0" }] }],
    ["hotkey 10", { featureTypes: [{ key: "a", name: "x", colour: "#000000", hotkey: "10" }] }],
    ["an empty name", { featureTypes: [{ key: "a", name: "", colour: "#000000", hotkey: null }] }],
    [
      "an unknown parameter unit",
      {
        featureTypes: [
          { key: "a", name: "x", colour: "#000000", hotkey: null, parameters: [{ key: "d", name: "D", unit: "inch" }] },
        ],
      },
    ],
  ])("rejects %s", (_what, input) => {
    expect(taxonomySchema.safeParse(input).success).toBe(false);
  });
});

describe("class hierarchy (parent)", () => {
  const cls = (key: string, parent?: string | null) => ({ key, name: key, colour: "#112233", hotkey: null, parent });

  it("accepts coarse and fine classes, and the default taxonomy without parents", () => {
    const t = taxonomySchema.parse({
      featureTypes: [cls("hole"), cls("through_hole", "hole"), cls("blind_hole", "hole")],
    });
    expect(t.featureTypes[1]?.parent).toBe("hole");
    expect(hierarchyProblems(DEFAULT_TAXONOMY.featureTypes)).toEqual([]);
  });

  it("refuses a parent that is not a class, a class its own parent, and a cycle", () => {
    expect(hierarchyProblems([cls("a", "nope")])).toEqual(["class a has parent nope, which is not a class here"]);
    expect(hierarchyProblems([cls("a", "a")])).toEqual(["class a cannot be its own parent"]);
    expect(hierarchyProblems([cls("a", "c"), cls("b", "a"), cls("c", "b"), cls("d", "a")])).toEqual([
      "classes a → c → b → a form a cycle of parents",
    ]);
    expect(taxonomySchema.safeParse({ featureTypes: [cls("a", "b"), cls("b", "a")] }).success).toBe(false);
  });
});
