import {
  buildFaceGraph,
  cross,
  DEFAULT_TAXONOMY,
  dot,
  type FaceGraph,
  length,
  measureInstance,
  sub,
  type Taxonomy,
  unit,
  type Vec3,
} from "@facet/core";
import type { Prelabeler, PrelabelFace, PrelabelInput, PrelabelInstance, PrelabelResult } from "../types";
import {
  extentAlong,
  isOpposite,
  isParallel,
  isPerpendicular,
  isSameDirection,
  NO_DIRECTION,
  principalAxis,
} from "./vectors";

/**
 * The built-in rule-based recogniser. It reasons the way a machinist reads a part:
 *
 * 1. Stock: planar faces lying on the part's bounding box (the raw block before machining).
 * 2. Cylinders, cones, tori: coaxial cylinders of one radius are one surface; concave and wrapping
 *    most of the way round their axis they are a hole (blind when a face closes its end), meeting
 *    their neighbours tangentially and spanning a fraction of a turn they are a fillet or round.
 * 3. Machined planar features: a cut that removes a convex volume leaves faces that meet each other
 *    along concave edges, and meet the rest of the part along convex ones. So the planar faces left
 *    after 1 and 2, joined by concave edges, fall into one group per feature. Each group's planes
 *    are sorted into a floor (perpendicular to all the others) and walls; the feature follows from
 *    the walls: how many, whether they close a ring, face each other, meet at right angles, and
 *    whether the floor's ends run out through the part or stop at a corner.
 *
 * Confidence says how cleanly a face matched its rule; the rest of each face's probability is spread
 * over the classes the rule could be confused with, then over all classes.
 */
export const RULES_MODEL = { id: "facet-rules", version: "1.0.0" } as const;

export const RULE_CLASSES = [
  "stock",
  "through_hole",
  "blind_hole",
  "chamfer",
  "fillet",
  "rectangular_through_slot",
  "triangular_through_slot",
  "rectangular_passage",
  "triangular_passage",
  "six_sided_passage",
  "rectangular_through_step",
  "two_sided_through_step",
  "slanted_through_step",
  "rectangular_blind_step",
  "triangular_blind_step",
  "rectangular_blind_slot",
  "rectangular_pocket",
  "triangular_pocket",
  "six_sided_pocket",
] as const;
export type RuleClass = (typeof RULE_CLASSES)[number];

/** A rule's verdict on some faces. */
export interface Verdict {
  feature: RuleClass;
  confidence: number;
  /** What the rule could be mistaken for, most likely first. */
  alternatives: readonly RuleClass[];
  /** Which rule decided (shown in evaluations and debugging). */
  rule: string;
  bottomFaces?: number[];
}

export interface RecogniseOptions {
  /** The taxonomy whose parameter definitions instances are measured with. */
  taxonomy?: Taxonomy;
}

export interface Recognition extends PrelabelResult {
  /** The rule that decided each face. */
  rules: string[];
}

const PASSAGES: RuleClass[] = ["triangular_passage", "rectangular_passage", "six_sided_passage"];
const POCKETS: RuleClass[] = ["triangular_pocket", "rectangular_pocket", "six_sided_pocket"];
const THROUGH_STEPS: RuleClass[] = ["rectangular_through_step", "slanted_through_step", "triangular_blind_step"];
const BY_WALLS = (family: RuleClass[], walls: number) => family[walls <= 3 ? 0 : walls <= 5 ? 1 : 2] as RuleClass;

/** The most common feature with this many distinct planes, for groups no rule explains. */
const FALLBACK: Record<number, RuleClass> = {
  1: "chamfer",
  2: "rectangular_through_step",
  3: "rectangular_through_slot",
  4: "rectangular_blind_slot",
  5: "rectangular_pocket",
  6: "six_sided_passage",
  7: "six_sided_pocket",
};

interface Part {
  graph: FaceGraph;
  faces: readonly PrelabelFace[];
  bbox: { min: Vec3; max: Vec3 };
  /** Length tolerance: a ten-thousandth of the part's diagonal. */
  tol: number;
}

interface PlaneGroup {
  normal: Vec3;
  offset: number;
  faces: number[];
  area: number;
}

export function recognise(input: PrelabelInput, options: RecogniseOptions = {}): Recognition {
  const graph = buildFaceGraph(input);
  const diagonal = length(sub(input.bbox.max, input.bbox.min));
  const part: Part = { graph, faces: input.faces, bbox: input.bbox, tol: Math.max(1e-7, diagonal * 1e-4) };
  const n = graph.faceCount;
  const verdicts: (Verdict | undefined)[] = new Array(n);
  const groups: { faces: number[]; verdict: Verdict }[] = [];
  const decide = (faces: number[], verdict: Verdict, instance = true) => {
    for (const f of faces) verdicts[f] = verdict;
    if (instance) groups.push({ faces, verdict });
  };

  for (let i = 0; i < n; i++) {
    if (isStockPlane(part, i))
      decide([i], { feature: "stock", confidence: 0.97, alternatives: [], rule: "on-box" }, false);
  }
  recogniseCurved(part, verdicts, decide);
  for (const comp of concaveComponents(part, verdicts)) {
    const verdict = classifyPlanar(part, comp);
    decide(comp, verdict, verdict.feature !== "stock");
  }
  for (let i = 0; i < n; i++) {
    if (!verdicts[i]) {
      decide(
        [i],
        { feature: "stock", confidence: 0.3, alternatives: ["fillet", "chamfer"], rule: "unexplained" },
        false,
      );
    }
  }

  const taxonomy = options.taxonomy ?? DEFAULT_TAXONOMY;
  const known = new Set(taxonomy.featureTypes.map((t) => t.key));
  const instances: PrelabelInstance[] = groups.map(({ faces, verdict }) => ({
    feature: verdict.feature,
    faces: [...faces].sort((a, b) => a - b),
    confidence: verdict.confidence,
    params: known.has(verdict.feature) ? measure(graph, taxonomy, verdict.feature, faces, verdict.bottomFaces) : {},
    ...(verdict.bottomFaces?.length ? { bottomFaces: verdict.bottomFaces } : {}),
  }));
  const classes = [...RULE_CLASSES];
  return {
    model: { ...RULES_MODEL },
    classes,
    probabilities: verdicts.map((v) => distribution(v as Verdict)),
    instances,
    rules: verdicts.map((v) => (v as Verdict).rule),
  };
}

/** The recogniser behind the `Prelabeler` interface (synchronous work, so it never needs aborting). */
export function createRulePrelabeler(options: RecogniseOptions = {}): Prelabeler {
  return {
    id: RULES_MODEL.id,
    version: RULES_MODEL.version,
    predict: async (input) => {
      const { rules: _rules, ...result } = recognise(input, options);
      return result;
    },
  };
}

function measure(graph: FaceGraph, taxonomy: Taxonomy, feature: string, faces: number[], bottom?: number[]) {
  try {
    return measureInstance({ graph, taxonomy }, feature, faces, bottom);
  } catch {
    return {};
  }
}

/** Confidence on the verdict; two thirds of the rest on its alternatives, a third on every class. */
function distribution(v: Verdict): number[] {
  const rest = 1 - v.confidence;
  const spread = v.alternatives.length > 0 ? rest / 3 : rest;
  const row = RULE_CLASSES.map(() => spread / RULE_CLASSES.length);
  const at = (c: RuleClass) => RULE_CLASSES.indexOf(c);
  row[at(v.feature)] = (row[at(v.feature)] ?? 0) + v.confidence;
  for (const alt of v.alternatives) row[at(alt)] = (row[at(alt)] ?? 0) + (rest - spread) / v.alternatives.length;
  return row;
}

/** A plane lying on the bounding box, facing out of it: a face of the raw block. */
function isStockPlane(part: Part, i: number): boolean {
  const f = part.faces[i] as PrelabelFace;
  if (f.surface !== "plane" || !f.direction) return false;
  const axis = principalAxis(f.direction);
  if (axis === null) return false;
  const bound = f.direction[axis] > 0 ? part.bbox.max[axis] : part.bbox.min[axis];
  return Math.abs(f.bbox.min[axis] - bound) < part.tol && Math.abs(f.bbox.max[axis] - bound) < part.tol;
}

const touchesBox = (part: Part, f: PrelabelFace) =>
  [0, 1, 2].some(
    (a) =>
      Math.abs((f.bbox.min[a] as number) - (part.bbox.min[a] as number)) < part.tol ||
      Math.abs((f.bbox.max[a] as number) - (part.bbox.max[a] as number)) < part.tol,
  );

function neighboursOf(part: Part, faces: readonly number[]): Map<number, "convex" | "concave" | "smooth"> {
  const inside = new Set(faces);
  const out = new Map<number, "convex" | "concave" | "smooth">();
  for (const f of faces) {
    for (const g of part.graph.neighbours(f)) {
      if (inside.has(g)) continue;
      const e = part.graph.edgeBetween(f, g);
      if (e && (!out.has(g) || out.get(g) === "smooth")) out.set(g, e.convexity);
    }
  }
  return out;
}

/** Holes, fillets and rounds, countersinks: everything not planar. */
function recogniseCurved(
  part: Part,
  verdicts: (Verdict | undefined)[],
  decide: (faces: number[], v: Verdict, instance?: boolean) => void,
) {
  const { faces, tol } = part;
  const cylinders = faces.map((_, i) => i).filter((i) => !verdicts[i] && faces[i]?.surface === "cylinder");
  // coaxial cylinders of one radius are one surface, split by seams or by other features
  const surfaces: number[][] = [];
  for (const i of cylinders) {
    const f = faces[i] as PrelabelFace;
    const same = surfaces.find((s) => coaxial(faces[s[0] as number] as PrelabelFace, f, tol));
    if (same) same.push(i);
    else surfaces.push([i]);
  }
  for (const surface of surfaces) {
    const first = faces[surface[0] as number] as PrelabelFace;
    const axis = unit(first.direction ?? [0, 0, 0], NO_DIRECTION);
    const radius = first.radius ?? 0;
    if (!axis || radius <= 0) continue;
    let lo = Infinity;
    let hi = -Infinity;
    let area = 0;
    for (const i of surface) {
      const f = faces[i] as PrelabelFace;
      const [a, b] = extentAlong(f.bbox, axis);
      lo = Math.min(lo, a);
      hi = Math.max(hi, b);
      area += f.area;
    }
    const span = hi - lo > tol ? area / (radius * (hi - lo)) : 0; // radians around the axis
    const around = neighboursOf(part, surface);
    const tangent = [...around.values()].filter((c) => c === "smooth").length;
    const concave = first.reversed ?? span > Math.PI;
    if (tangent >= 1 && span < 0.75 * Math.PI) {
      decide(surface, { feature: "fillet", confidence: 0.85, alternatives: ["stock"], rule: "tangent-cylinder" });
    } else if (concave) {
      const bottom = [...around]
        .filter(([g, c]) => c === "concave" && !verdicts[g] && closesHole(faces[g] as PrelabelFace, axis, first, tol))
        .map(([g]) => g);
      if (bottom.length > 0) {
        decide([...surface, ...bottom], {
          feature: "blind_hole",
          confidence: 0.85,
          alternatives: ["through_hole"],
          rule: "hole-with-bottom",
          bottomFaces: bottom,
        });
      } else {
        decide(surface, {
          feature: "through_hole",
          confidence: span > 1.5 * Math.PI ? 0.9 : 0.7,
          alternatives: ["blind_hole", "fillet"],
          rule: "open-hole",
        });
      }
    } else if (touchesBox(part, first)) {
      decide(surface, { feature: "stock", confidence: 0.7, alternatives: ["fillet"], rule: "outer-cylinder" }, false);
    }
  }
  for (let i = 0; i < faces.length; i++) {
    const f = faces[i] as PrelabelFace;
    if (verdicts[i] || f.surface === "plane" || f.surface === "cylinder") continue;
    const around = neighboursOf(part, [i]);
    const tangent = [...around.values()].filter((c) => c === "smooth").length;
    if (f.surface === "cone" && tangent === 0) {
      decide([i], { feature: "chamfer", confidence: 0.7, alternatives: ["blind_hole"], rule: "cone-chamfer" });
    } else if (tangent >= 1) {
      decide([i], { feature: "fillet", confidence: 0.75, alternatives: ["stock"], rule: "tangent-surface" });
    }
  }
}

function coaxial(a: PrelabelFace, b: PrelabelFace, tol: number): boolean {
  if (!a.direction || !b.direction || !a.origin || !b.origin || !a.radius || !b.radius) return false;
  if (Math.abs(a.radius - b.radius) > tol || !isParallel(a.direction, b.direction)) return false;
  const d = sub(b.origin, a.origin);
  return length(cross(d, a.direction)) < tol * 10;
}

/** A face that closes a hole's end: a plane across the axis, or a coaxial cone (a drill point). */
function closesHole(f: PrelabelFace, axis: Vec3, hole: PrelabelFace, tol: number): boolean {
  if (f.surface === "plane" && f.direction) return isParallel(f.direction, axis);
  if (f.surface === "cone" && f.direction && f.origin && hole.origin) {
    return isParallel(f.direction, axis) && length(cross(sub(f.origin, hole.origin), axis)) < tol * 10;
  }
  return false;
}

/** Undecided planar faces, grouped by the concave edges between them: one group per cut. */
function concaveComponents(part: Part, verdicts: (Verdict | undefined)[]): number[][] {
  const { graph, faces } = part;
  const open = (i: number) => !verdicts[i] && faces[i]?.surface === "plane" && faces[i]?.direction;
  const seen = new Set<number>();
  const out: number[][] = [];
  for (let s = 0; s < graph.faceCount; s++) {
    if (!open(s) || seen.has(s)) continue;
    const comp: number[] = [];
    const stack = [s];
    seen.add(s);
    while (stack.length > 0) {
      const f = stack.pop() as number;
      comp.push(f);
      for (const g of graph.neighbours(f)) {
        if (seen.has(g) || !open(g) || graph.edgeBetween(f, g)?.convexity !== "concave") continue;
        seen.add(g);
        stack.push(g);
      }
    }
    out.push(comp.sort((a, b) => a - b));
  }
  return out;
}

/** Faces on one plane (a wall split in two by another feature is still one wall). */
function planeGroups(part: Part, comp: number[]): PlaneGroup[] {
  const groups: PlaneGroup[] = [];
  for (const i of comp) {
    const f = part.faces[i] as PrelabelFace;
    const normal = f.direction as Vec3;
    const offset = dot(normal, f.origin ?? f.bbox.min);
    const g = groups.find((x) => isSameDirection(x.normal, normal) && Math.abs(x.offset - offset) < part.tol * 10);
    if (g) {
      g.faces.push(i);
      g.area += f.area;
    } else groups.push({ normal, offset, faces: [i], area: f.area });
  }
  return groups;
}

function groupsMeet(part: Part, a: PlaneGroup, b: PlaneGroup): boolean {
  return a.faces.some((f) => b.faces.some((g) => part.graph.edgeBetween(f, g)?.convexity === "concave"));
}

/** Walls that close on themselves: each meets exactly two others and all are connected. */
function isRing(part: Part, walls: PlaneGroup[]): boolean {
  if (walls.length < 3) return false;
  const meets = walls.map((w) => walls.filter((v) => v !== w && groupsMeet(part, w, v)));
  if (meets.some((m) => m.length !== 2)) return false;
  const seen = new Set<PlaneGroup>([walls[0] as PlaneGroup]);
  const stack = [0];
  while (stack.length > 0) {
    for (const v of meets[stack.pop() as number] ?? []) {
      if (!seen.has(v)) {
        seen.add(v);
        stack.push(walls.indexOf(v));
      }
    }
  }
  return seen.size === walls.length;
}

/**
 * Whether a step's wall runs out through the part (its two ends meet faces that face each other)
 * or cuts a corner (its ends meet faces at an angle).
 */
function wallEnds(part: Part, wall: PlaneGroup, floor: PlaneGroup, comp: number[]): "through" | "corner" | "unknown" {
  const ends = [...neighboursOf(part, comp).keys()]
    .filter((g) => wall.faces.some((f) => part.graph.edgeBetween(f, g)))
    .map((g) => part.faces[g]?.direction)
    .filter((d): d is Vec3 => !!d && isPerpendicular(d, floor.normal) && !isParallel(d, wall.normal));
  if (ends.some((a) => ends.some((b) => isOpposite(a, b)))) return "through";
  if (ends.length >= 2) return "corner";
  return "unknown";
}

function classifyPlanar(part: Part, comp: number[]): Verdict {
  const groups = planeGroups(part, comp);
  const verdict = (
    feature: RuleClass,
    confidence: number,
    rule: string,
    alternatives: readonly RuleClass[] = [],
    bottom?: PlaneGroup,
  ): Verdict => ({ feature, confidence, rule, alternatives, ...(bottom ? { bottomFaces: bottom.faces } : {}) });

  if (groups.length === 1) {
    const g = groups[0] as PlaneGroup;
    const inclined = [...neighboursOf(part, comp)].some(([h, c]) => {
      const d = part.faces[h]?.direction;
      return c === "convex" && d && !isPerpendicular(d, g.normal) && !isParallel(d, g.normal);
    });
    // a face standing proud of its cut neighbours at right angles: material left standing (a ledge, a boss top)
    return inclined
      ? verdict("chamfer", 0.85, "inclined-face", ["stock"])
      : verdict("stock", 0.4, "lone-face", ["chamfer"]);
  }

  // the floor: perpendicular to every other plane; prefer one parallel to a face of the block
  const floors = groups.filter((g) => groups.every((h) => h === g || isPerpendicular(g.normal, h.normal)));
  const aligned = floors.filter(isAligned);
  const floor = (aligned.length > 0 ? aligned : floors).sort((a, b) => b.area - a.area)[0];
  if (floor) {
    const walls = groups.filter((g) => g !== floor);
    const k = walls.length;
    if (isRing(part, walls)) {
      const exact = k === 3 || k === 4 || k === 6;
      return verdict(BY_WALLS(POCKETS, k), exact ? 0.95 : 0.5, "floor-and-ring", POCKETS, floor);
    }
    if (k === 1) {
      const wall = walls[0] as PlaneGroup;
      const ends = wallEnds(part, wall, floor, comp);
      if (ends === "corner") return verdict("triangular_blind_step", 0.85, "corner-step", THROUGH_STEPS, floor);
      const slanted = principalAxis(wall.normal) === null;
      const c = ends === "through" ? 0.85 : 0.6;
      return slanted
        ? verdict("slanted_through_step", c, "slanted-step", THROUGH_STEPS, floor)
        : verdict("rectangular_through_step", c, "step", THROUGH_STEPS, floor);
    }
    if (k === 2) {
      const [a, b] = walls as [PlaneGroup, PlaneGroup];
      if (isOpposite(a.normal, b.normal)) {
        return verdict("rectangular_through_slot", 0.9, "floor-and-facing-walls", ["rectangular_blind_slot"], floor);
      }
      if (groupsMeet(part, a, b)) {
        return isPerpendicular(a.normal, b.normal)
          ? verdict("rectangular_blind_step", 0.85, "corner-walls", ["two_sided_through_step"], floor)
          : verdict("two_sided_through_step", 0.85, "v-walls", ["rectangular_blind_step"], floor);
      }
    }
    if (k === 3) {
      const facing = walls.some((a) => walls.some((b) => isOpposite(a.normal, b.normal)));
      if (facing) return verdict("rectangular_blind_slot", 0.9, "floor-and-u-walls", ["rectangular_pocket"], floor);
    }
  } else if (isRing(part, groups) && commonAxis(groups)) {
    const k = groups.length;
    const exact = k === 3 || k === 4 || k === 6;
    return verdict(BY_WALLS(PASSAGES, k), exact ? 0.95 : 0.5, "walls-ring", PASSAGES);
  } else if (groups.length === 2 && groupsMeet(part, groups[0] as PlaneGroup, groups[1] as PlaneGroup)) {
    return verdict("triangular_through_slot", 0.85, "v-groove", ["two_sided_through_step"]);
  }
  return verdict(FALLBACK[Math.min(groups.length, 7)] as RuleClass, 0.35, "fallback");
}

const isAligned = (g: PlaneGroup) => principalAxis(g.normal) !== null;

/** A direction every plane's normal is perpendicular to: the groups are walls of one prism. */
function commonAxis(groups: PlaneGroup[]): Vec3 | null {
  for (const a of groups) {
    for (const b of groups) {
      const axis = unit(cross(a.normal, b.normal), NO_DIRECTION);
      if (axis) return groups.every((g) => isPerpendicular(g.normal, axis)) ? axis : null;
    }
  }
  return null;
}
