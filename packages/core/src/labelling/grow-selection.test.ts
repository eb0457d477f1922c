import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { buildFaceGraph, type LabelFace } from "./face-graph";
import { growSelection } from "./grow-selection";
import { BLOCK_EDGES, BLOCK_FACES, blockContext, CHAMFER, HOLE, POCKET } from "./testing";

const { graph } = blockContext();
const all = BLOCK_FACES.map((_, i) => i);

describe("growSelection", () => {
  it("concave: from a pocket's floor (or a wall) to its walls and floor, stopping at the convex rim", () => {
    expect(growSelection(graph, [6], "concave")).toEqual(POCKET);
    expect(growSelection(graph, [9], "concave")).toEqual(POCKET);
    expect(growSelection(graph, [0], "concave")).toEqual([0]);
    expect(growSelection(graph, [CHAMFER], "concave")).toEqual([CHAMFER]);
  });

  it("concave also crosses smooth edges (a hole's two halves)", () => {
    expect(growSelection(graph, [11], "concave")).toEqual(HOLE);
  });

  it("tangent: across smooth edges only", () => {
    expect(growSelection(graph, [12], "tangent")).toEqual(HOLE);
    expect(growSelection(graph, [6], "tangent")).toEqual([6]);
  });

  it("surface: over neighbours of the seed's surface type", () => {
    expect(growSelection(graph, [11], "surface")).toEqual(HOLE);
    expect(growSelection(graph, [0], "surface")).toEqual(all.filter((f) => !HOLE.includes(f)));
    // each seed grows over its own type: together they reach everything
    expect(growSelection(graph, [11, 6], "surface")).toEqual(all);
  });

  it("surface growth follows the seed's type, not the type of the face it passes", () => {
    const f = (surface: string): LabelFace => ({ ...(BLOCK_FACES[0] as LabelFace), surface });
    // plane 0 - cylinder 1 - plane 2: the planes do not reach each other through the cylinder
    const g = buildFaceGraph({
      faces: [f("plane"), f("cylinder"), f("plane")],
      edges: [
        { faces: [0, 1], convexity: "smooth", angle: 0 },
        { faces: [1, 2], convexity: "smooth", angle: 0 },
      ],
    });
    expect(growSelection(g, [0], "surface")).toEqual([0]);
    expect(growSelection(g, [0, 2], "surface")).toEqual([0, 2]);
    expect(growSelection(g, [1], "surface")).toEqual([1]);
    expect(growSelection(g, [0], "tangent")).toEqual([0, 1, 2]);
  });

  it("keeps the seeds, sorted and once, whatever the mode; no seeds, no selection", () => {
    expect(growSelection(graph, new Set([13, 0, 13]), "tangent")).toEqual([0, 13]);
    expect(growSelection(graph, [], "concave")).toEqual([]);
  });

  it("is the same from any face of the grown set (the modes are equivalence relations)", () => {
    for (const mode of ["surface", "tangent", "concave"] as const) {
      for (const seed of all) {
        const grown = growSelection(graph, [seed], mode);
        for (const f of grown) expect(growSelection(graph, [f], mode), `${mode} ${seed} ${f}`).toEqual(grown);
      }
    }
  });

  it("refuses seeds that are not faces of the part", () => {
    expect(() => growSelection(graph, [14], "surface")).toThrow(AppError);
    expect(() => growSelection(graph, [0.5], "surface")).toThrow(/face 0.5 does not exist/);
  });

  it("does not touch the graph's data", () => {
    const before = JSON.stringify([BLOCK_FACES, BLOCK_EDGES]);
    growSelection(graph, all, "concave");
    expect(JSON.stringify([BLOCK_FACES, BLOCK_EDGES])).toBe(before);
  });
});
