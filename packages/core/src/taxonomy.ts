import { z } from "zod";

export const parameterDefinitionSchema = z.object({
  key: z.string().regex(/^[a-z][a-z0-9_]*$/),
  name: z.string().min(1),
  unit: z.enum(["mm", "deg", "count"]),
  /** How the workbench measures it from the B-rep when it can. */
  measuredFrom: z
    .enum(["cylinder_radius", "cylinder_diameter", "axis_extent", "bbox", "angle", "manual"])
    .default("manual"),
});

export const featureTypeSchema = z.object({
  key: z.string().regex(/^[a-z][a-z0-9_]*$/, "feature keys are snake_case"),
  name: z.string().min(1, "a class needs a name").max(80),
  colour: z.string().regex(/^#[0-9a-f]{6}$/i, "colours are written #rrggbb (six hex digits)"),
  hotkey: z
    .string()
    .regex(/^[1-9]$/, "hotkeys are the digits 1 to 9")
    .nullable(),
  /**
   * The coarser class this one refines (coarse/fine hierarchy: `hole` > `through_hole`), by key; null
   * or absent at the top. Must name another class of the same taxonomy, without cycles.
   */
  parent: z
    .string()
    .regex(/^[a-z][a-z0-9_]*$/, "a parent is a class key")
    .nullable()
    .optional(),
  /** Faces that are not part of any feature (the raw stock). */
  isStock: z.boolean().default(false),
  parameters: z.array(parameterDefinitionSchema).default([]),
});

export const crosswalkSchema = z.object({
  /** External class index or name -> Facet feature key; null when the class has no Facet counterpart. */
  classes: z.array(
    z.object({ id: z.union([z.number().int(), z.string()]), name: z.string(), feature: z.string().nullable() }),
  ),
  source: z.string(),
});

/**
 * What is wrong with the classes' parent links: a parent that is not a class of the taxonomy, a
 * class its own parent, or a cycle (each cycle named once, by its keys in order).
 */
export function hierarchyProblems(types: ReadonlyArray<{ key: string; parent?: string | null }>): string[] {
  const parentOf = new Map(types.map((f) => [f.key, f.parent ?? null]));
  const problems: string[] = [];
  for (const f of types) {
    if (!f.parent) continue;
    if (f.parent === f.key) problems.push(`class ${f.key} cannot be its own parent`);
    else if (!parentOf.has(f.parent)) problems.push(`class ${f.key} has parent ${f.parent}, which is not a class here`);
  }
  const reported = new Set<string>();
  for (const f of types) {
    const path: string[] = [];
    let at: string | null = f.key;
    while (at !== null && !path.includes(at)) {
      path.push(at);
      const next: string | null = parentOf.get(at) ?? null;
      at = next !== null && parentOf.has(next) && next !== at ? next : null;
    }
    if (at === null) continue;
    const cycle = path.slice(path.indexOf(at));
    if (cycle.length < 2 || cycle.some((k) => reported.has(k))) continue;
    for (const k of cycle) reported.add(k);
    problems.push(`classes ${[...cycle, at].join(" → ")} form a cycle of parents`);
  }
  return problems;
}

export const taxonomySchema = z
  .object({
    featureTypes: z.array(featureTypeSchema).min(1, "a label schema needs at least one class"),
    crosswalks: z.record(z.string(), crosswalkSchema).default({}),
  })
  .superRefine((t, ctx) => {
    const keys = new Set<string>();
    const hotkeys = new Set<string>();
    for (const f of t.featureTypes) {
      if (keys.has(f.key)) ctx.addIssue({ code: "custom", message: `duplicate feature key ${f.key}` });
      keys.add(f.key);
      if (f.hotkey) {
        if (hotkeys.has(f.hotkey)) ctx.addIssue({ code: "custom", message: `hotkey ${f.hotkey} used twice` });
        hotkeys.add(f.hotkey);
      }
    }
    for (const problem of hierarchyProblems(t.featureTypes)) ctx.addIssue({ code: "custom", message: problem });
    for (const [name, cw] of Object.entries(t.crosswalks)) {
      for (const c of cw.classes) {
        if (c.feature !== null && !keys.has(c.feature)) {
          ctx.addIssue({ code: "custom", message: `crosswalk ${name} maps ${c.name} to unknown feature ${c.feature}` });
        }
      }
    }
  });

export type Taxonomy = z.infer<typeof taxonomySchema>;
export type FeatureType = z.infer<typeof featureTypeSchema>;
export type ParameterDefinition = z.infer<typeof parameterDefinitionSchema>;
export type Crosswalk = z.infer<typeof crosswalkSchema>;

const mm = (key: string, name: string, measuredFrom: ParameterDefinition["measuredFrom"]) => ({
  key,
  name,
  unit: "mm" as const,
  measuredFrom,
});
const HOLE = [mm("diameter", "Diameter", "cylinder_diameter"), mm("depth", "Depth", "axis_extent")];
const BOX = [mm("width", "Width", "bbox"), mm("length", "Length", "bbox"), mm("depth", "Depth", "bbox")];

type Row = [key: string, name: string, colour: string, hotkey: string | null, params?: FeatureType["parameters"]];
const rows: Row[] = [
  ["stock", "Stock", "#b8bcc4", "1"],
  ["through_hole", "Through hole", "#e6194b", "2", HOLE],
  ["blind_hole", "Blind hole", "#f58231", "3", HOLE],
  [
    "chamfer",
    "Chamfer",
    "#ffe119",
    "4",
    [mm("width", "Width", "manual"), { key: "angle", name: "Angle", unit: "deg", measuredFrom: "angle" }],
  ],
  ["fillet", "Fillet / round", "#3cb44b", "5", [mm("radius", "Radius", "cylinder_radius")]],
  ["rectangular_pocket", "Rectangular pocket", "#4363d8", "6", BOX],
  ["rectangular_through_slot", "Rectangular through slot", "#911eb4", "7", BOX],
  ["rectangular_blind_slot", "Rectangular blind slot", "#42d4f4", "8", BOX],
  ["rectangular_through_step", "Rectangular through step", "#f032e6", "9", BOX],
  ["triangular_through_slot", "Triangular through slot", "#bfef45", null, BOX],
  ["circular_through_slot", "Circular through slot", "#fabed4", null, BOX],
  ["rectangular_passage", "Rectangular passage", "#469990", null, BOX],
  ["triangular_passage", "Triangular passage", "#dcbeff", null, BOX],
  ["six_sided_passage", "Six-sided passage", "#9a6324", null, BOX],
  ["two_sided_through_step", "Two-sided through step", "#fffac8", null, BOX],
  ["slanted_through_step", "Slanted through step", "#800000", null, BOX],
  ["rectangular_blind_step", "Rectangular blind step", "#aaffc3", null, BOX],
  ["triangular_blind_step", "Triangular blind step", "#808000", null, BOX],
  ["circular_blind_step", "Circular blind step", "#ffd8b1", null, BOX],
  ["vertical_circular_end_blind_slot", "Vertical circular-end blind slot", "#000075", null, BOX],
  ["horizontal_circular_end_blind_slot", "Horizontal circular-end blind slot", "#a9a9a9", null, BOX],
  ["triangular_pocket", "Triangular pocket", "#e6beff", null, BOX],
  ["six_sided_pocket", "Six-sided pocket", "#aa6e28", null, BOX],
  ["circular_end_pocket", "Circular-end pocket", "#008080", null, BOX],
  [
    "o_ring",
    "O-ring groove",
    "#ff6f61",
    null,
    [mm("diameter", "Diameter", "cylinder_diameter"), mm("width", "Width", "manual")],
  ],
];

const list = (names: Array<[string, string | null]>) => names.map(([name, feature], id) => ({ id, name, feature }));

/** The taxonomy every new workspace starts from. It covers MFCAD (16), MFCAD++ (25) and Fusion 360 Gallery (8). */
export const DEFAULT_TAXONOMY: Taxonomy = taxonomySchema.parse({
  featureTypes: rows.map(([key, name, colour, hotkey, parameters]) => ({
    key,
    name,
    colour,
    hotkey,
    isStock: key === "stock",
    parameters: parameters ?? [],
  })),
  crosswalks: {
    mfcad: {
      // Not the FEAT_NAMES order of hducg/MFCAD's visualiser: the labelled faces say otherwise (each file
      // name lists its features' classes; class 0 features have one face each, a chamfer; class 11 has
      // seven, a six-sided pocket; ...). The labels follow MFCAD++'s order without its curved classes.
      source: "MFCAD (Cao et al. 2020) labels as the data holds them: MFCAD++ order without curved classes",
      classes: list([
        ["chamfer", "chamfer"],
        ["triangular_passage", "triangular_passage"],
        ["rectangular_passage", "rectangular_passage"],
        ["6sides_passage", "six_sided_passage"],
        ["triangular_through_slot", "triangular_through_slot"],
        ["rectangular_through_slot", "rectangular_through_slot"],
        ["rectangular_through_step", "rectangular_through_step"],
        ["2sides_through_step", "two_sided_through_step"],
        ["slanted_through_step", "slanted_through_step"],
        ["triangular_pocket", "triangular_pocket"],
        ["rectangular_pocket", "rectangular_pocket"],
        ["6sides_pocket", "six_sided_pocket"],
        ["rectangular_blind_slot", "rectangular_blind_slot"],
        ["triangular_blind_step", "triangular_blind_step"],
        ["rectangular_blind_step", "rectangular_blind_step"],
        ["stock", "stock"],
      ]),
    },
    mfcadpp: {
      source: "MFCAD++ (Colligan et al. 2022), class order used by AAGNet's MFInstSeg",
      classes: list([
        ["chamfer", "chamfer"],
        ["through_hole", "through_hole"],
        ["triangular_passage", "triangular_passage"],
        ["rectangular_passage", "rectangular_passage"],
        ["6sides_passage", "six_sided_passage"],
        ["triangular_through_slot", "triangular_through_slot"],
        ["rectangular_through_slot", "rectangular_through_slot"],
        ["circular_through_slot", "circular_through_slot"],
        ["rectangular_through_step", "rectangular_through_step"],
        ["2sides_through_step", "two_sided_through_step"],
        ["slanted_through_step", "slanted_through_step"],
        ["Oring", "o_ring"],
        ["blind_hole", "blind_hole"],
        ["triangular_pocket", "triangular_pocket"],
        ["rectangular_pocket", "rectangular_pocket"],
        ["6sides_pocket", "six_sided_pocket"],
        ["circular_end_pocket", "circular_end_pocket"],
        ["rectangular_blind_slot", "rectangular_blind_slot"],
        ["v_circular_end_blind_slot", "vertical_circular_end_blind_slot"],
        ["h_circular_end_blind_slot", "horizontal_circular_end_blind_slot"],
        ["triangular_blind_step", "triangular_blind_step"],
        ["circular_blind_step", "circular_blind_step"],
        ["rectangular_blind_step", "rectangular_blind_step"],
        ["round", "fillet"],
        ["stock", "stock"],
      ]),
    },
    fusion360_segmentation: {
      source:
        "Fusion 360 Gallery segmentation dataset: modelling operations, not machining features; only fillet and chamfer have a counterpart",
      classes: list([
        ["ExtrudeSide", null],
        ["ExtrudeEnd", null],
        ["CutSide", null],
        ["CutEnd", null],
        ["Fillet", "fillet"],
        ["Chamfer", "chamfer"],
        ["RevolveSide", null],
        ["RevolveEnd", null],
      ]),
    },
  },
});

/**
 * Facet feature keys for a part's faces from an external dataset's labels indexed by face id, the
 * id being each face's STEP entity name (MFCAD writes `ADVANCED_FACE('<id>', …)`; face order in the
 * file is not the id order). A face without a usable id, a label or a counterpart gets null.
 */
export function labelsByStepName(
  crosswalk: Crosswalk,
  faces: ReadonlyArray<{ stepName?: string | null }>,
  classById: ReadonlyArray<number>,
): (string | null)[] {
  return faces.map((f) => {
    const id = f.stepName === null || f.stepName === undefined || f.stepName === "" ? Number.NaN : Number(f.stepName);
    const cls = Number.isInteger(id) ? classById[id] : undefined;
    return cls === undefined ? null : (crosswalk.classes[cls]?.feature ?? null);
  });
}
