import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { buildFaceGraph, type LabelFace } from "./face-graph";
import { BLOCK_EDGES, BLOCK_FACES } from "./testing";

const face: LabelFace = {
  surface: "plane",
  area: 1,
  direction: [0, 0, 1],
  origin: [0, 0, 0],
  radius: null,
  bbox: { min: [0, 0, 0], max: [1, 1, 0] },
};

describe("buildFaceGraph", () => {
  const graph = buildFaceGraph({ faces: BLOCK_FACES, edges: BLOCK_EDGES });

  it("knows every face and lists neighbours ascending, both ways", () => {
    expect(graph.faceCount).toBe(14);
    expect(graph.faces).toBe(BLOCK_FACES);
    expect(graph.neighbours(6)).toEqual([7, 8, 9, 10]);
    expect(graph.neighbours(13)).toEqual([0, 2, 4, 5]);
    expect(graph.neighbours(0)).toEqual([3, 4, 5, 7, 8, 9, 10, 11, 12, 13]);
    for (let f = 0; f < graph.faceCount; f++) {
      for (const n of graph.neighbours(f)) expect(graph.neighbours(n)).toContain(f);
    }
  });

  it("finds the edge between two faces in either order, and none between faces that do not touch", () => {
    expect(graph.edgeBetween(13, 0)).toEqual({ faces: [0, 13], convexity: "convex", angle: 45 });
    expect(graph.edgeBetween(0, 13)).toBe(graph.edgeBetween(13, 0));
    expect(graph.edgeBetween(12, 11)?.convexity).toBe("smooth");
    expect(graph.edgeBetween(6, 0)).toBeUndefined();
    expect(graph.edgeBetween(6, 6)).toBeUndefined();
  });

  it("answers nothing for faces that do not exist (and never confuses them with real pairs)", () => {
    expect(graph.neighbours(14)).toEqual([]);
    expect(graph.neighbours(-1)).toEqual([]);
    // 0 * 14 + 20 would be the key of (1, 6) if indices were not checked
    expect(graph.edgeBetween(0, 20)).toBeUndefined();
    expect(graph.edgeBetween(1.5, 2)).toBeUndefined();
  });

  it("keeps the sharp description when two faces are listed as meeting twice", () => {
    const g = buildFaceGraph({
      faces: [face, face],
      edges: [
        { faces: [0, 1], convexity: "smooth", angle: 0 },
        { faces: [1, 0], convexity: "concave", angle: 30 },
        { faces: [0, 1], convexity: "convex", angle: 60 },
      ],
    });
    expect(g.edgeBetween(0, 1)).toEqual({ faces: [1, 0], convexity: "concave", angle: 30 });
    expect(g.neighbours(0)).toEqual([1]);
  });

  it("handles a part without edges, and refuses edges to missing faces or a face itself", () => {
    expect(buildFaceGraph({ faces: [face], edges: [] }).neighbours(0)).toEqual([]);
    const bad = (faces: [number, number]) => () =>
      buildFaceGraph({ faces: [face, face], edges: [{ faces, convexity: "convex", angle: 90 }] });
    expect(bad([0, 2])).toThrow(AppError);
    expect(bad([-1, 0])).toThrow(/face -1 does not exist|names face -1/);
    expect(bad([1, 1])).toThrow(/itself/);
    try {
      bad([0, 2])();
    } catch (e) {
      expect((e as AppError).code).toBe("VALIDATION_FAILED");
    }
  });
});
