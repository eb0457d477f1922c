import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import {
  assignFeature,
  buildFaceGraph,
  DEFAULT_TAXONOMY,
  type FaceGraph,
  growSelection,
  type LabelContext,
  type LabelState,
  regroupInstances,
  splitInstance,
  submissionProblems,
  toggleBottomFace,
} from "@facet/core";
import { beforeAll, describe, expect, it } from "vitest";
import type { GeometryKernel } from "./kernel";
import { tessellateStep } from "./tessellate";
import { CORPUS, kernelForNode } from "./testing";
import type { FaceMesh, FacesDocument } from "./types";

/** Each face's mesh vertices (the tessellator appends them face by face, never shared). */
function pointsOfMesh(mesh: FaceMesh, faceCount: number): (face: number) => Float32Array {
  const start = new Array<number>(faceCount).fill(-1);
  const end = new Array<number>(faceCount).fill(-1);
  mesh.vertexFaceIds.forEach((f, v) => {
    if (start[f] === -1) start[f] = v;
    else if (end[f] !== v) throw new Error(`the vertices of face ${f} are not contiguous`);
    end[f] = v + 1;
  });
  return (face) => mesh.positions.subarray((start[face] ?? 0) * 3, Math.max(0, end[face] ?? 0) * 3);
}

/**
 * What the STEP text itself says, read without OCCT: the faces of the (single) shell in order, each
 * with its surface entity's type and, for cylinders, its radius in millimetres (the file's length
 * unit applied), plus the file's length unit in mm.
 */
function readStepText(file: string) {
  const text = readFileSync(path.join(CORPUS, file), "latin1").replace(/\s+/g, " ");
  const entities = new Map<string, string>();
  for (const m of text.matchAll(/#(\d+) ?= ?(.*?);(?= ?(?:#\d+ ?=|ENDSEC))/g))
    entities.set(m[1] as string, m[2] as string);
  const inch = /CONVERSION_BASED_UNIT ?\( ?'INCH' ?, ?#(\d+)/.exec(text);
  const unit = inch ? Number(/LENGTH_MEASURE ?\( ?([-\d.E+]+)/.exec(entities.get(inch[1] as string) ?? "")?.[1]) : 1;
  const shells = [...entities.values()].filter((e) => /^(CLOSED|OPEN)_SHELL/.test(e));
  expect(shells).toHaveLength(1);
  const faces = [...(shells[0] as string).matchAll(/#(\d+)/g)].map((m) => {
    const face = entities.get(m[1] as string) as string;
    const surfaceId = /^ADVANCED_FACE ?\( ?'[^']*' ?, ?\(.*\) ?, ?#(\d+) ?, ?\.[TF]\. ?\)$/.exec(face)?.[1];
    const surface = entities.get(surfaceId ?? "") ?? "";
    const type = /^([A-Z_]+)/.exec(surface)?.[1] ?? "COMPLEX";
    const radius = type === "CYLINDRICAL_SURFACE" ? Number(/,([-\d.E+]+) ?\)$/.exec(surface)?.[1]) * unit : null;
    return { type, radius };
  });
  return { unit, faces };
}

const STEP_SURFACE: Record<string, string> = {
  PLANE: "plane",
  CYLINDRICAL_SURFACE: "cylinder",
  CONICAL_SURFACE: "cone",
  SPHERICAL_SURFACE: "sphere",
  TOROIDAL_SURFACE: "torus",
};

/** Faces grouped by instance: sorted lists, sorted by first face (to compare partitions). */
const partition = (groups: number[][]) =>
  groups.map((g) => [...g].sort((a, b) => a - b)).sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));

/**
 * Split grouped instances back into the true ones: from each grouped instance, every true instance
 * inside it except the one holding its first face moves out (grouping only ever merges).
 */
function splitToTruth(grouped: LabelState, ctx: LabelContext, truth: number[][]): LabelState {
  let state = grouped;
  for (const inst of grouped.instances) {
    for (const t of truth) {
      if (inst.faces.includes(t[0] as number) && !t.includes(inst.faces[0] as number)) {
        state = splitInstance(state, ctx, inst.id, t);
      }
    }
  }
  return state;
}

/** The axis-aligned box of some faces' bounding boxes. */
function unionBox(doc: FacesDocument, faces: readonly number[]) {
  const min = [Infinity, Infinity, Infinity];
  const max = [-Infinity, -Infinity, -Infinity];
  for (const f of faces) {
    const b = doc.faces[f]?.bbox;
    for (let k = 0; k < 3; k++) {
      min[k] = Math.min(min[k] as number, b?.min[k] as number);
      max[k] = Math.max(max[k] as number, b?.max[k] as number);
    }
  }
  return max.map((x, k) => x - (min[k] as number));
}

describe("labelling on the corpus", () => {
  let oc: GeometryKernel;
  const parts = new Map<string, { document: FacesDocument; mesh: FaceMesh; ctx: LabelContext }>();
  const load = (file: string) => {
    let part = parts.get(file);
    if (!part) {
      const { document, mesh } = tessellateStep(oc, readFileSync(path.join(CORPUS, file)));
      const ctx = {
        graph: buildFaceGraph(document),
        taxonomy: DEFAULT_TAXONOMY,
        pointsOf: pointsOfMesh(mesh, document.faceCount),
      };
      part = { document, mesh, ctx };
      parts.set(file, part);
    }
    return part;
  };

  beforeAll(async () => {
    oc = await kernelForNode();
  }, 120_000);

  describe("AAGNet dataset_test (MFInstSeg labels)", () => {
    const FILE = "aagnet/dataset_test.step";
    const [[name, truth]] = JSON.parse(readFileSync(path.join(CORPUS, "aagnet/dataset_test.json"), "utf8")) as [
      [string, { seg: Record<string, number>; inst: number[][]; bottom: Record<string, number> }],
    ];
    const crosswalk = DEFAULT_TAXONOMY.crosswalks.mfcadpp?.classes ?? [];
    const labels = Object.keys(truth.seg)
      .sort((a, b) => Number(a) - Number(b))
      .map((k) => crosswalk[truth.seg[k] as number]?.feature ?? null);
    /** Ground-truth instances: the rows of the instance matrix (stock rows are all zero). */
    const truthInstances = () => {
      const seen = new Set<string>();
      const groups: number[][] = [];
      truth.inst.forEach((row, i) => {
        const g = row.flatMap((v, j) => (v === 1 ? [j] : []));
        if (g.length > 0 && !seen.has(g.join())) {
          seen.add(g.join());
          groups.push(g);
        }
        if (g.length > 0) expect(g, `face ${i} is in its own instance`).toContain(i);
      });
      return partition(groups);
    };

    it("numbers faces as AAGNet does: the STEP shell's order (27 faces, same surfaces and radii)", () => {
      const { document } = load(FILE);
      const step = readStepText(FILE);
      expect(name).toBe("test");
      expect(document.faceCount).toBe(27);
      expect(Object.keys(truth.seg)).toHaveLength(27);
      expect(truth.inst).toHaveLength(27);
      expect(document.faces.map((f) => f.surface)).toEqual(step.faces.map((f) => STEP_SURFACE[f.type]));
      document.faces.forEach((f, i) => {
        if (f.surface === "cylinder") expect(f.radius).toBeCloseTo(step.faces[i]?.radius as number, 9);
      });
      // AAGNet's classes fit the geometry: holes and rounds are cylinders, steps are planes
      document.faces.forEach((f, i) => {
        const feature = labels[i];
        if (feature === "through_hole" || feature === "fillet") expect(f.surface, `face ${i}`).toBe("cylinder");
        if (feature === "rectangular_blind_step") expect(f.surface, `face ${i}`).toBe("plane");
      });
      expect(new Set(labels)).toEqual(new Set(["stock", "fillet", "rectangular_blind_step", "through_hole"]));
    }, 60_000);

    it("regroups the labels into instances: exactly the ground truth after splitting what touches", () => {
      const { ctx } = load(FILE);
      const grouped = regroupInstances(labels, ctx);
      // auto-grouping merges touching instances of one feature: the three blind steps touch each
      // other, and the cross hole 23 touches holes 19+24 (one hole interrupted by it) and 20
      expect(partition(grouped.instances.map((i) => i.faces))).toEqual([
        [2],
        [3, 5, 7, 8, 9, 13, 14, 15, 17, 21],
        [10],
        [16],
        [18],
        [19, 20, 23, 24],
        [22],
        [25],
        [26],
      ]);
      const expected = truthInstances();
      expect(expected).toEqual([
        [2],
        [3, 14, 17],
        [5, 7, 9, 21],
        [8, 13, 15],
        [10],
        [16],
        [18],
        [19, 24],
        [20],
        [22],
        [23],
        [25],
        [26],
      ]);
      // grouping only merges: every true instance lies inside one grouped instance
      for (const t of expected) {
        expect(
          grouped.instances.filter((i) => t.some((f) => i.faces.includes(f))),
          `${t}`,
        ).toHaveLength(1);
      }
      const state = splitToTruth(grouped, ctx, expected);
      // the ids go on from the largest in use: i1..i9 grouped, i10..i13 split off
      expect(state.instances.map((i) => i.id)).toEqual(Array.from({ length: 13 }, (_, k) => `i${k + 1}`));
      expect(partition(state.instances.map((i) => i.faces))).toEqual(expected);
      for (const i of state.instances) expect(i.faces.every((f) => labels[f] === i.feature)).toBe(true);
      expect(submissionProblems(state, ctx)).toEqual([]);
    }, 60_000);

    it("measures the blind steps along their marked bottoms, and the holes", () => {
      const { ctx, document } = load(FILE);
      let state = splitToTruth(regroupInstances(labels, ctx), ctx, truthInstances());
      const bottoms = Object.entries(truth.bottom)
        .filter(([, v]) => v === 1)
        .map(([k]) => Number(k));
      expect(bottoms).toEqual([3, 5, 8, 9]);
      for (const f of bottoms) state = toggleBottomFace(state, ctx, f);
      const steps = state.instances.filter((i) => i.feature === "rectangular_blind_step");
      expect(steps.map((i) => [i.faces, i.bottomFaces])).toEqual([
        [[3, 14, 17], [3]],
        [
          [5, 7, 9, 21],
          [5, 9],
        ],
        [[8, 13, 15], [8]],
      ]);
      // the steps are axis-aligned: their boxes are the union of their faces' boxes, the depth
      // along the largest bottom's normal (3: x; 9 and 8: z), width < length across it
      const depthAxis = [0, 2, 2];
      steps.forEach((inst, k) => {
        const box = unionBox(document, inst.faces);
        const axis = depthAxis[k] as number;
        const across = box.filter((_, j) => j !== axis).sort((a, b) => a - b);
        expect(Object.keys(inst.params).sort()).toEqual(["depth", "length", "width"]);
        expect(inst.params.depth, inst.id).toBeCloseTo(box[axis] as number, 3);
        expect(inst.params.width, inst.id).toBeCloseTo(across[0] as number, 3);
        expect(inst.params.length, inst.id).toBeCloseTo(across[1] as number, 3);
      });
      expect(steps.map((i) => i.params.depth)).toEqual([2, 6.5936, 29.8764]);
      // hole 16 (radius 1 in the STEP text) runs through the whole height of the part
      const hole = state.instances.find((i) => i.faces.join() === "16");
      expect(hole?.params.diameter).toBe(2);
      expect(hole?.params.depth).toBeCloseTo(document.bbox.max[2] - document.bbox.min[2], 3);
    }, 60_000);
  });

  describe("NIST FTC 09 (a 0.1196 in plate with through holes)", () => {
    const FILE = "nist-pmi/nist_ftc_09_asme1_rd.stp";

    it("measures each two-half through hole: diameter from the STEP radius, depth = plate thickness", () => {
      const { ctx, document } = load(FILE);
      const step = readStepText(FILE);
      expect(step.unit).toBe(25.4);
      expect(document.faces.map((f) => f.surface)).toEqual(step.faces.map((f) => STEP_SURFACE[f.type] ?? "bspline"));
      const thickness = document.bbox.max[1] - document.bbox.min[1];
      expect(thickness).toBeCloseTo(0.1196 * 25.4, 3);
      // the holes of radius 0.125 in, as the STEP text gives them
      const quarter = step.faces.flatMap((f, i) => (f.radius !== null && Math.abs(f.radius - 3.175) < 1e-9 ? [i] : []));
      expect(quarter).toEqual([
        4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 78, 80, 82, 84, 90, 91, 92, 93, 94, 95, 97, 101, 105, 109,
      ]);
      // a hole: two half cylinders of that radius meeting along smooth seams (the others are corner rounds)
      const holes = new Set<string>();
      for (const f of quarter) {
        const hole = growSelection(ctx.graph, [f], "tangent");
        if (hole.length === 2 && hole.every((h) => quarter.includes(h))) holes.add(hole.join());
      }
      expect([...holes]).toEqual(["4,5", "6,7", "8,9", "10,11", "12,13", "14,15", "16,17", "90,91", "92,93", "94,95"]);
      let state: LabelState = { labels: document.faces.map(() => null), instances: [] };
      for (const h of holes) state = assignFeature(state, ctx, h.split(",").map(Number), "through_hole");
      expect(state.instances.map((i) => i.faces)).toEqual([...holes].map((h) => h.split(",").map(Number)));
      for (const inst of state.instances) {
        expect(inst.params.diameter, inst.id).toBeCloseTo(2 * 3.175, 3);
        expect(inst.params.depth, inst.id).toBeCloseTo(thickness, 3);
      }
    }, 60_000);

    it("measures a countersunk hole by its cylinder, its depth over cylinder and cone", () => {
      const { ctx, document } = load(FILE);
      const step = readStepText(FILE);
      // faces 1 and 19: the cylinder halves (0.117 in), 2 and 18: the countersink's cone halves
      expect([1, 19].map((f) => step.faces[f]?.radius)).toEqual([0.117 * 25.4, 0.117 * 25.4]);
      expect([2, 18].map((f) => step.faces[f]?.type)).toEqual(["CONICAL_SURFACE", "CONICAL_SURFACE"]);
      const faces = growSelection(ctx.graph, [1, 2], "surface");
      expect(faces).toEqual([1, 2, 18, 19]);
      const state = assignFeature(
        { labels: document.faces.map(() => null), instances: [] },
        ctx,
        faces,
        "through_hole",
      );
      expect(state.instances).toHaveLength(1);
      expect(state.instances[0]?.params.diameter).toBeCloseTo(2 * 0.117 * 25.4, 4);
      expect(state.instances[0]?.params.depth).toBeCloseTo(document.bbox.max[1] - document.bbox.min[1], 3);
    }, 60_000);
  });

  describe("growSelection on NIST parts", () => {
    const FILES = ["nist-pmi/nist_ftc_09_asme1_rd.stp", "nist-pmi/nist_ctc_01_asme1_rd.stp"];

    it.each(FILES)(
      "%s: surface and tangent growth are closed, connected classes",
      (file) => {
        const { ctx } = load(file);
        const { graph } = ctx;
        for (const mode of ["surface", "tangent"] as const) {
          const classOf = new Map<number, string>();
          for (let seed = 0; seed < graph.faceCount; seed++) {
            const grown = growSelection(graph, [seed], mode);
            expect(grown).toContain(seed);
            // the same set from any of its faces: growth partitions the faces
            if (classOf.has(seed)) expect(grown.join()).toBe(classOf.get(seed));
            for (const f of grown) classOf.set(f, grown.join());
            const inside = new Set(grown);
            for (const f of grown) {
              if (mode === "surface") expect(graph.faces[f]?.surface).toBe(graph.faces[seed]?.surface);
              for (const n of graph.neighbours(f)) {
                if (inside.has(n)) continue;
                // closed: nothing outside could have been reached
                if (mode === "surface") expect(graph.faces[n]?.surface).not.toBe(graph.faces[seed]?.surface);
                else expect(graph.edgeBetween(f, n)?.convexity).not.toBe("smooth");
              }
            }
            expect(isConnected(graph, grown)).toBe(true);
            // concave growth crosses smooth edges too: it contains the tangent class
            if (mode === "tangent")
              expect(growSelection(graph, [seed], "concave")).toEqual(expect.arrayContaining(grown));
          }
        }
      },
      120_000,
    );

    it("gives the known answers on FTC 09", () => {
      const { graph } = load(FILES[0] as string).ctx;
      expect(growSelection(graph, [4], "surface")).toEqual([4, 5]);
      expect(growSelection(graph, [4], "tangent")).toEqual([4, 5]);
      expect(growSelection(graph, [1], "tangent")).toEqual([1, 19]);
      // cylinder and countersink meet at an angle: not tangent
      expect(growSelection(graph, [1, 2], "tangent")).toEqual([1, 2, 18, 19]);
    }, 60_000);
  });

  /**
   * MFCAD classes are used by number here, described by their geometry. Their names are those of the
   * taxonomy's mfcad crosswalk (MFCAD++ order without curved classes), which the data supports and
   * FEAT_NAMES does not (see "MFCAD class order" below): class 10 is a closed rectangular pocket (floor
   * + 4 walls, 8 concave edges); class 5 a rectangular through slot (floor + 2 walls).
   */
  describe("MFCAD class order", () => {
    // Each file name lists the classes of the features the generator made (then a seed): faces per
    // feature of a class tell what the class is. A feature made later may take faces of an earlier one,
    // so the typical (median) count is what names the class.
    const labels = JSON.parse(readFileSync(path.join(CORPUS, "mfcad/labels.json"), "utf8")) as Record<string, number[]>;
    const facesPerFeature = new Map<number, number[]>();
    for (const [name, faces] of Object.entries(labels)) {
      const made = name.split("-").slice(0, -1).map(Number);
      for (const cls of new Set(made)) {
        const count = made.filter((c) => c === cls).length;
        const n = faces.filter((c) => c === cls).length / count;
        facesPerFeature.set(cls, [...(facesPerFeature.get(cls) ?? []), n]);
      }
    }
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
    // the faces such a feature has on a block, by its geometry
    const expected: Record<string, number> = {
      chamfer: 1,
      triangular_passage: 3,
      rectangular_passage: 4,
      six_sided_passage: 6,
      triangular_through_slot: 2,
      rectangular_through_slot: 3,
      rectangular_through_step: 2,
      two_sided_through_step: 3,
      slanted_through_step: 2,
      triangular_pocket: 4,
      rectangular_pocket: 5,
      six_sided_pocket: 7,
      rectangular_blind_slot: 4,
      triangular_blind_step: 2,
      rectangular_blind_step: 3,
    };

    it("the crosswalk's class names fit the number of faces each class's features have", () => {
      const crosswalk = DEFAULT_TAXONOMY.crosswalks.mfcad?.classes ?? [];
      expect(facesPerFeature.size).toBe(15); // every class but stock is made somewhere in the sample
      for (const [cls, counts] of facesPerFeature) {
        const feature = crosswalk[cls]?.feature as string;
        expect(median(counts), `class ${cls} (${feature})`).toBe(expected[feature]);
      }
    });
  });

  describe("MFCAD pockets and slots", () => {
    const labelsOf = JSON.parse(readFileSync(path.join(CORPUS, "mfcad/labels.json"), "utf8")) as Record<
      string,
      number[]
    >;
    /** MFCAD class per face, joined through the ADVANCED_FACE name (the file's face order is not the label order). */
    const classes = (file: string) => {
      const { document } = load(file);
      const labels = labelsOf[path.basename(file, ".step")] as number[];
      return document.faces.map((f) => labels[Number(f.stepName)] as number);
    };
    const facesOfClass = (file: string, cls: number) => classes(file).flatMap((c, i) => (c === cls ? [i] : []));

    it("grows a rectangular pocket (class 10: floor + 4 walls) from its floor to exactly its faces", () => {
      const file = "mfcad/0-7-8-10-19.step";
      const { document, ctx } = load(file);
      const pocket = facesOfClass(file, 10);
      expect(pocket.map((f) => document.faces[f]?.stepName)).toEqual(["12", "13", "14", "15", "16"]);
      // the floor is the face that meets every other face of the pocket, concavely
      const floors = pocket.filter((f) =>
        pocket.every((g) => g === f || ctx.graph.edgeBetween(f, g)?.convexity === "concave"),
      );
      expect(floors).toHaveLength(1);
      const floor = floors[0] as number;
      const concave = pocket.flatMap((f) =>
        pocket.filter((g) => f < g && ctx.graph.edgeBetween(f, g)?.convexity === "concave"),
      );
      expect(concave).toHaveLength(8); // closed: 4 floor edges and 4 wall corners
      expect(growSelection(ctx.graph, [floor], "concave")).toEqual(pocket);
      // the rim is convex: the pocket's outside neighbours are not reached
      const rim = pocket.flatMap((f) => ctx.graph.neighbours(f).filter((n) => !pocket.includes(n)));
      for (const f of pocket) {
        for (const n of ctx.graph.neighbours(f)) {
          if (rim.includes(n)) expect(ctx.graph.edgeBetween(f, n)?.convexity).toBe("convex");
        }
      }
      // measured as a box. Unmarked, the depth runs along the largest planar face's normal, here a
      // wall (it is larger than the floor); marking the floor as bottom turns the depth to its normal
      const extentAlong = (axis: readonly number[]) => {
        const d = pocket.flatMap((f) => {
          const b = document.faces[f]?.bbox;
          return b
            ? [b.min, b.max].map((p) => p[0] * (axis[0] ?? 0) + p[1] * (axis[1] ?? 0) + p[2] * (axis[2] ?? 0))
            : [];
        });
        return Math.max(...d) - Math.min(...d);
      };
      const largest = [...pocket].sort((a, b) => (document.faces[b]?.area ?? 0) - (document.faces[a]?.area ?? 0))[0];
      expect(largest).not.toBe(floor);
      const floorNormal = document.faces[floor]?.direction as number[];
      expect(floorNormal.filter((x) => Math.abs(Math.abs(x) - 1) < 1e-9)).toHaveLength(1); // axis-aligned: boxes are exact
      const unmarked = assignFeature(
        { labels: classes(file).map(() => null), instances: [] },
        ctx,
        pocket,
        "rectangular_pocket",
      );
      expect(unmarked.instances[0]?.params.depth).toBeCloseTo(
        extentAlong(document.faces[largest as number]?.direction as number[]),
        3,
      );
      const marked = toggleBottomFace(unmarked, ctx, floor);
      expect(marked.instances[0]?.bottomFaces).toEqual([floor]);
      expect(marked.instances[0]?.params.depth).toBeCloseTo(extentAlong(floorNormal), 3);
      expect(marked.instances[0]?.params.depth).not.toBeCloseTo(unmarked.instances[0]?.params.depth as number, 3);
    }, 60_000);

    it("grows a rectangular through slot (class 5: floor + 2 walls) from its floor to exactly its faces", () => {
      const file = "mfcad/0-1-5-5-13-23.step";
      const { ctx } = load(file);
      const slots = facesOfClass(file, 5);
      expect(slots).toEqual([7, 8, 9, 14, 15, 16]);
      for (const slot of [
        [7, 8, 9],
        [14, 15, 16],
      ]) {
        const floor = slot.filter((f) =>
          slot.every((g) => g === f || ctx.graph.edgeBetween(f, g)?.convexity === "concave"),
        );
        expect(floor).toHaveLength(1);
        expect(growSelection(ctx.graph, floor, "concave")).toEqual(slot);
      }
    }, 60_000);

    it("on all 60 parts, grows every closed pocket and blind slot from any of its faces to exactly its faces", () => {
      const files = readdirSync(path.join(CORPUS, "mfcad"))
        .filter((f) => f.endsWith(".step"))
        .sort()
        .map((f) => `mfcad/${f}`);
      expect(files).toHaveLength(60);
      // classes 9, 10, 11, 12: triangular, rectangular and six-sided pockets, rectangular blind slots
      const perClass = new Map<number, number>();
      for (const file of files) {
        const cls = classes(file);
        const { ctx } = load(file);
        for (const c of [9, 10, 11, 12]) {
          const grouped = regroupInstances(
            cls.map((x) => (x === c ? "rectangular_pocket" : "stock")),
            ctx,
          );
          for (const inst of grouped.instances) {
            perClass.set(c, (perClass.get(c) ?? 0) + 1);
            for (const f of inst.faces)
              expect(growSelection(ctx.graph, [f], "concave"), `${file} ${f}`).toEqual(inst.faces);
          }
        }
        parts.delete(file);
      }
      expect([...perClass].sort((a, b) => a[0] - b[0])).toEqual([
        [9, 23],
        [10, 23],
        [11, 17],
        [12, 17],
      ]);
    }, 240_000);
  });
});

function isConnected(graph: FaceGraph, faces: readonly number[]): boolean {
  const inside = new Set(faces);
  const seen = new Set([faces[0]]);
  const queue = [faces[0] as number];
  for (let f = queue.pop(); f !== undefined; f = queue.pop()) {
    for (const n of graph.neighbours(f)) {
      if (inside.has(n) && !seen.has(n)) {
        seen.add(n);
        queue.push(n);
      }
    }
  }
  return seen.size === inside.size;
}
