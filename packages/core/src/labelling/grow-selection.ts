import { assertFaces } from "./checks";
import type { FaceGraph, LabelEdge } from "./face-graph";

/**
 * How a selection grows:
 * - `surface`: onto neighbours of the seed's surface type (a whole cylinder split in halves, a plane patchwork);
 * - `tangent`: across smooth (tangent-continuous) edges (a fillet chain, a hole with a rounded rim);
 * - `concave`: across concave or smooth edges: a pocket's walls and floor, stopping at the convex rim.
 */
export type GrowMode = "surface" | "tangent" | "concave";

const crosses: Record<Exclude<GrowMode, "surface">, (e: LabelEdge) => boolean> = {
  tangent: (e) => e.convexity === "smooth",
  concave: (e) => e.convexity !== "convex",
};

/**
 * Flood fill from the seeds across adjacency (see GrowMode). In `surface` mode each seed grows over
 * faces of its own surface type. Returns the sorted face indices, seeds included.
 */
export function growSelection(graph: FaceGraph, seeds: Iterable<number>, mode: GrowMode): number[] {
  const start = [...seeds];
  assertFaces(graph.faceCount, start);
  const selected = new Set(start);
  for (const seed of start) {
    const surface = graph.faces[seed]?.surface;
    const queue = [seed];
    for (let face = queue.pop(); face !== undefined; face = queue.pop()) {
      for (const n of graph.neighbours(face)) {
        if (selected.has(n)) continue;
        const edge = graph.edgeBetween(face, n);
        const ok = mode === "surface" ? graph.faces[n]?.surface === surface : edge !== undefined && crosses[mode](edge);
        if (ok) {
          selected.add(n);
          queue.push(n);
        }
      }
    }
  }
  return [...selected].sort((a, b) => a - b);
}
