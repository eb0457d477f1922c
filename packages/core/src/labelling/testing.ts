import { AppError } from "../errors";
import { DEFAULT_TAXONOMY } from "../taxonomy";
import type { Vec3 } from "../vec3";
import { buildFaceGraph, type LabelEdge, type LabelFace } from "./face-graph";
import type { LabelContext } from "./label-state";

const plane = (area: number, direction: Vec3, min: Vec3, max: Vec3): LabelFace => ({
  surface: "plane",
  area,
  direction,
  origin: min,
  radius: null,
  bbox: { min, max },
});
const halfCylinder = (min: Vec3, max: Vec3): LabelFace => ({
  surface: "cylinder",
  area: Math.PI * 5 * 20,
  direction: [0, 0, 1],
  origin: [75, 30, 0],
  radius: 5,
  bbox: { min, max },
});
const S = Math.SQRT1_2;

/**
 * A hand-built part for the tests: a 100 x 60 x 20 block (z up) with a rectangular pocket 40 x 20 x 10
 * (x 10..50, y 20..40, from the top), a through hole of radius 5 on the z axis through (75, 30) made
 * of two half cylinders, and a 45° chamfer of 2 mm along the top edge at x = 100.
 *
 *   0 top   1 bottom   2 side x=100   3 side x=0   4 side y=60   5 side y=0
 *   6 pocket floor   7 wall x=10   8 wall x=50   9 wall y=20   10 wall y=40
 *   11, 12 hole halves   13 chamfer
 */
export const BLOCK_FACES: LabelFace[] = [
  plane(5001.46, [0, 0, 1], [0, 0, 20], [98, 60, 20]),
  plane(5921.46, [0, 0, -1], [0, 0, 0], [100, 60, 0]),
  plane(1080, [1, 0, 0], [100, 0, 0], [100, 60, 18]),
  plane(1200, [-1, 0, 0], [0, 0, 0], [0, 60, 20]),
  plane(1998, [0, 1, 0], [0, 60, 0], [100, 60, 20]),
  plane(1998, [0, -1, 0], [0, 0, 0], [100, 0, 20]),
  plane(800, [0, 0, 1], [10, 20, 10], [50, 40, 10]),
  plane(200, [1, 0, 0], [10, 20, 10], [10, 40, 20]),
  plane(200, [-1, 0, 0], [50, 20, 10], [50, 40, 20]),
  plane(400, [0, 1, 0], [10, 20, 10], [50, 20, 20]),
  plane(400, [0, -1, 0], [10, 40, 10], [50, 40, 20]),
  halfCylinder([70, 25, 0], [80, 30, 20]),
  halfCylinder([70, 30, 0], [80, 35, 20]),
  plane(169.71, [S, 0, S], [98, 0, 18], [100, 60, 20]),
];

const edge = (a: number, b: number, convexity: LabelEdge["convexity"], angle = 90): LabelEdge => ({
  faces: [a, b],
  convexity,
  angle: convexity === "smooth" ? 0 : angle,
});

export const BLOCK_EDGES: LabelEdge[] = [
  ...[3, 4, 5, 7, 8, 9, 10, 11, 12].map((f) => edge(0, f, "convex")),
  edge(0, 13, "convex", 45),
  ...[2, 3, 4, 5, 11, 12].map((f) => edge(1, f, "convex")),
  edge(2, 4, "convex"),
  edge(2, 5, "convex"),
  edge(2, 13, "convex", 45),
  edge(3, 4, "convex"),
  edge(3, 5, "convex"),
  edge(4, 13, "convex"),
  edge(5, 13, "convex"),
  ...[7, 8, 9, 10].map((f) => edge(6, f, "concave")),
  edge(7, 9, "concave"),
  edge(7, 10, "concave"),
  edge(8, 9, "concave"),
  edge(8, 10, "concave"),
  edge(11, 12, "smooth"),
];

export const POCKET = [6, 7, 8, 9, 10];
export const HOLE = [11, 12];
export const CHAMFER = 13;

/** The block's labelling context with the default taxonomy (measurement from bounding-box corners). */
export function blockContext(overrides: Partial<LabelContext> = {}): LabelContext {
  return {
    graph: buildFaceGraph({ faces: BLOCK_FACES, edges: BLOCK_EDGES }),
    taxonomy: DEFAULT_TAXONOMY,
    ...overrides,
  };
}

/** Freeze a value and everything in it, so a test fails if an operation mutates its input. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** The AppError code a call throws ("no error" when it does not): for asserting refusals. */
export function errorCode(f: () => unknown): string {
  try {
    f();
    return "no error";
  } catch (e) {
    return e instanceof AppError ? e.code : String(e);
  }
}
