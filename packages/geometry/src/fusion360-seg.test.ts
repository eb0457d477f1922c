import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { FUSION360_SEG_KEYS, readSegFile } from "@facet/core";
import { beforeAll, describe, expect, it } from "vitest";
import type { GeometryKernel } from "./kernel";
import { tessellateStep } from "./tessellate";
import { kernelForNode } from "./testing";
import type { FacesDocument, SurfaceType } from "./types";

/**
 * Fusion 360 Gallery's `.seg` files give one class per face "in the order OpenCascade explores the
 * solid's faces". This proves on the real samples that Facet's face numbering is that order: Facet's
 * face i is the i-th face the STEP file's shell lists, and the labels read in Facet's numbering are
 * geometrically consistent where any shifted or reversed reading of the same files is not.
 *
 * The samples are licence-restricted and not committed (testdata/fusion360-seg/README.md): without
 * them this suite is skipped, and says so.
 */
const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../testdata/fusion360-seg");
const NAMES = existsSync(DIR)
  ? readdirSync(DIR)
      .filter((f) => f.endsWith(".seg") && existsSync(path.join(DIR, `${f.slice(0, -4)}.stp`)))
      .map((f) => f.slice(0, -4))
      .sort()
  : [];
if (NAMES.length === 0) console.warn(`skipped: no Fusion 360 Gallery samples in ${DIR} (see its README.md)`);

const SURFACE: Record<string, SurfaceType> = {
  PLANE: "plane",
  CYLINDRICAL_SURFACE: "cylinder",
  CONICAL_SURFACE: "cone",
  SPHERICAL_SURFACE: "sphere",
  TOROIDAL_SURFACE: "torus",
  B_SPLINE_SURFACE_WITH_KNOTS: "bspline",
  COMPLEX: "bspline", // ( BOUNDED_SURFACE() B_SPLINE_SURFACE(…) … RATIONAL_B_SPLINE_SURFACE(…) … )
};

/**
 * What the STEP text says, read without OpenCascade: the faces of its one shell in the order it lists
 * them, each with its surface type and, for elementary surfaces, the axis of its placement.
 */
function shellFaces(file: string): { surface: SurfaceType; axis: number[] | null }[] {
  const text = readFileSync(file, "latin1").replace(/\s+/g, " ");
  const entities = new Map<string, string>();
  for (const m of text.matchAll(/#(\d+) ?= ?(.*?);(?= ?(?:#\d+ ?=|ENDSEC))/g))
    entities.set(m[1] as string, m[2] as string);
  const shells = [...entities.values()].filter((e) => /^(CLOSED|OPEN)_SHELL/.test(e));
  expect(shells, file).toHaveLength(1);
  const ref = (e: string, k: number) => entities.get([...e.matchAll(/#(\d+)/g)][k]?.[1] ?? "") ?? "";
  return [...(shells[0] as string).matchAll(/#(\d+)/g)].map((m) => {
    const face = entities.get(m[1] as string) ?? "";
    expect(face).toMatch(/^ADVANCED_FACE/);
    const surface = entities.get(/, ?#(\d+) ?, ?\.[TF]\. ?\)$/.exec(face)?.[1] ?? "") ?? "";
    const type = surface.startsWith("(") ? "COMPLEX" : (/^([A-Z_0-9]+)/.exec(surface)?.[1] ?? "");
    const placement = type === "PLANE" || type.endsWith("AL_SURFACE") ? ref(surface, 0) : "";
    const direction = placement ? ref(placement, 1) : "";
    const axis = /DIRECTION ?\( ?'[^']*' ?, ?\(([^)]*)\)/.exec(direction)?.[1]?.split(",").map(Number) ?? null;
    return { surface: SURFACE[type] ?? (type as SurfaceType), axis };
  });
}

const parallel = (a: readonly number[], b: readonly number[]) =>
  Math.abs(a.reduce((s, x, k) => s + x * (b[k] as number), 0)) > 1 - 1e-6;

/** How many of Facet's faces differ from the shell's faces (surface type, or axis of an elementary surface). */
function shellMismatches(doc: FacesDocument, shell: ReturnType<typeof shellFaces>): number {
  return doc.faces.filter((f, i) => {
    const s = shell[i];
    if (!s || s.surface !== f.surface) return true;
    return s.axis !== null && f.direction !== null && f.surface !== "sphere" && !parallel(s.axis, f.direction);
  }).length;
}

/**
 * Surfaces each class can have, from what the operations make: an extrude's or cut's end cap and a
 * revolve's end are planar (an extrude may end on a cylinder it runs into), a fillet is never planar,
 * a chamfer is a plane or a cone, and side faces are swept lines (never a sphere or a torus).
 */
const SURFACES_OF: Record<string, readonly SurfaceType[]> = {
  extrude_side: ["plane", "cylinder", "cone", "bspline"],
  extrude_end: ["plane", "cylinder"],
  cut_side: ["plane", "cylinder", "cone", "bspline"],
  cut_end: ["plane"],
  fillet: ["cylinder", "cone", "sphere", "torus", "bspline"],
  chamfer: ["plane", "cone"],
  revolve_end: ["plane"],
};

/** Faces whose label contradicts their geometry: a surface its class cannot have, or a fillet meeting nothing smoothly. */
function inconsistencies(doc: FacesDocument, classes: readonly number[]): number {
  const smooth = new Array<number>(doc.faceCount).fill(0);
  for (const e of doc.edges) if (e.convexity === "smooth") for (const f of e.faces) smooth[f] = (smooth[f] ?? 0) + 1;
  return doc.faces.filter((f, i) => {
    const key = FUSION360_SEG_KEYS[classes[i] as number] as string;
    const allowed = SURFACES_OF[key];
    return (allowed && !allowed.includes(f.surface)) || (key === "fillet" && smooth[i] === 0);
  }).length;
}

/** Other readings of a file's lines: shifted by one, two, back by one and half way, and reversed. */
const READINGS: Record<string, <T>(xs: readonly T[]) => T[]> = {
  "shifted by 1": (xs) => xs.map((_, i) => xs[(i + 1) % xs.length] as (typeof xs)[number]),
  "shifted by 2": (xs) => xs.map((_, i) => xs[(i + 2) % xs.length] as (typeof xs)[number]),
  "shifted back by 1": (xs) => xs.map((_, i) => xs[(i - 1 + xs.length) % xs.length] as (typeof xs)[number]),
  "shifted half way": (xs) => xs.map((_, i) => xs[(i + (xs.length >> 1)) % xs.length] as (typeof xs)[number]),
  reversed: (xs) => [...xs].reverse(),
};

describe.skipIf(NAMES.length === 0)("Fusion 360 Gallery segmentation: Facet's face order is the .seg order", () => {
  let oc: GeometryKernel;
  const parts: { name: string; doc: FacesDocument; classes: number[]; shell: ReturnType<typeof shellFaces> }[] = [];

  beforeAll(async () => {
    oc = await kernelForNode();
    for (const name of NAMES) {
      const { document } = tessellateStep(oc, readFileSync(path.join(DIR, `${name}.stp`)));
      const classes = readSegFile(readFileSync(path.join(DIR, `${name}.seg`), "utf8"));
      parts.push({ name, doc: document, classes, shell: shellFaces(path.join(DIR, `${name}.stp`)) });
    }
  }, 300_000);

  it("every file has one label per face Facet finds, and all eight classes occur", () => {
    expect(parts.length).toBeGreaterThanOrEqual(25);
    for (const p of parts) expect(p.classes.length, p.name).toBe(p.doc.faceCount);
    expect(new Set(parts.flatMap((p) => p.classes)).size).toBe(8);
  });

  it("Facet's face i is the i-th face of the file's shell (surface and axis), and a shifted reading is not", () => {
    for (const p of parts) {
      expect(p.shell.length, p.name).toBe(p.doc.faceCount);
      expect(shellMismatches(p.doc, p.shell), p.name).toBe(0);
      // the comparison can fail: the shell read one face later disagrees with Facet on every file
      expect(shellMismatches(p.doc, READINGS["shifted by 1"]?.(p.shell) ?? []), p.name).toBeGreaterThan(0);
    }
  });

  it("the labels fit the geometry in Facet's numbering, and shifted or reversed readings do not", () => {
    for (const p of parts) expect(inconsistencies(p.doc, p.classes), p.name).toBe(0);
    for (const [reading, permute] of Object.entries(READINGS)) {
      const broken = parts.filter((p) => inconsistencies(p.doc, permute(p.classes)) > 0);
      // most files contradict their geometry under any other reading; the rest are files whose
      // classes and surfaces are uniform enough (all planar extrudes) for any order to fit
      expect(broken.length, reading).toBeGreaterThanOrEqual(Math.ceil(parts.length / 2));
    }
  });
});
