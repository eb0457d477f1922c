import { readFileSync } from "node:fs";
import path from "node:path";
import { DEFAULT_PARAMS, type GeometryKernel, meshToGlb, tessellateStep } from "@facet/geometry";
import { CORPUS, kernelForNode } from "@facet/geometry/testing";
import * as THREE from "three";
import { beforeAll, describe, expect, it } from "vitest";
import { buildFaceEdges, type FaceEdges, neighboursOf } from "./face-edges";
import { buildBvh, buildEdges, buildFaceModel, parseGlb } from "./face-model";

/** A mesh as the tessellator writes it: each face its own vertices (corners xyz, triangles as corner indices). */
function mesh(faces: Array<{ corners: number[][]; triangles: number[][] }>): THREE.BufferGeometry {
  const positions: number[] = [];
  const ids: number[] = [];
  const index: number[] = [];
  faces.forEach((face, f) => {
    const base = positions.length / 3;
    for (const c of face.corners) {
      positions.push(...(c as [number, number, number]));
      ids.push(f);
    }
    for (const t of face.triangles) index.push(...t.map((i) => base + i));
  });
  const g = new THREE.BufferGeometry();
  g.setAttribute("position", new THREE.Float32BufferAttribute(positions, 3));
  g.setAttribute("faceId", new THREE.Float32BufferAttribute(ids, 1));
  g.setIndex(index);
  return g;
}

/** Each segment as a sorted pair of its ends ("x,y,z|x,y,z"), with its faces. */
function segments(edges: FaceEdges): Array<{ ends: string; faces: number[] }> {
  const out = [];
  for (let s = 0; s < edges.segmentCount; s++) {
    const p = [...edges.positions.subarray(s * 6, s * 6 + 3)].join(",");
    const q = [...edges.positions.subarray(s * 6 + 3, s * 6 + 6)].join(",");
    out.push({
      ends: [p, q].sort().join("|"),
      faces: [edges.faces[s * 4] as number, edges.faces[s * 4 + 1] as number],
    });
  }
  return out.sort((a, b) => a.ends.localeCompare(b.ends));
}

/** A unit cube, one B-rep face per side (z=0, z=1, y=0, y=1, x=0, x=1), two triangles each. */
function cube(): THREE.BufferGeometry {
  const sides: number[][][] = [];
  for (const axis of [2, 1, 0]) {
    for (const at of [0, 1]) {
      const [u, w] = [0, 1, 2].filter((k) => k !== axis) as [number, number];
      const square = [
        [0, 0],
        [1, 0],
        [1, 1],
        [0, 1],
      ];
      sides.push(
        square.map(([a, b]) => {
          const corner = [0, 0, 0];
          [corner[axis], corner[u], corner[w]] = [at, a as number, b as number];
          return corner;
        }),
      );
    }
  }
  // the diagonal of each side is inside the face
  return mesh(
    sides.map((corners) => ({
      corners,
      triangles: [
        [0, 1, 2],
        [0, 2, 3],
      ],
    })),
  );
}

describe("face edges", () => {
  it("a cube: its 12 edges, each between the two sides that meet there; no triangle diagonal", () => {
    const edges = buildFaceEdges(cube(), 6);
    expect(edges.segmentCount).toBe(12);
    const segs = segments(edges);
    for (const s of segs) {
      // an edge of the cube: its ends differ in exactly one coordinate
      const [p, q] = s.ends.split("|").map((e) => e.split(",").map(Number)) as [number[], number[]];
      expect(p.filter((v, k) => v !== q[k])).toHaveLength(1);
      expect(s.faces[0]).not.toBe(s.faces[1]);
    }
    expect(segs.find((s) => s.ends === "0,0,0|1,0,0")?.faces.sort()).toEqual([0, 2]);
    expect(segs.find((s) => s.ends === "1,1,0|1,1,1")?.faces.sort()).toEqual([3, 5]);
    // every side touches the four sides around it, not the opposite one
    expect([...neighboursOf(edges, 0)]).toEqual([2, 3, 4, 5]);
    expect([...neighboursOf(edges, 1)]).toEqual([2, 3, 4, 5]);
    expect([...neighboursOf(edges, 4)]).toEqual([0, 1, 2, 3]);
  });

  it("a tube meshed as one face with a seam: the two rims are edges, the seam is not", () => {
    const n = 8;
    const corners: number[][] = [];
    // n + 1 columns: the last repeats the first at the seam (same points, other vertices)
    for (let i = 0; i <= n; i++) {
      const a = (i / n) * Math.PI * 2;
      const [x, y] = i === n ? [1, 0] : [Math.cos(a), Math.sin(a)];
      corners.push([x, y, 0], [x, y, 1]);
    }
    const triangles: number[][] = [];
    for (let i = 0; i < n; i++) {
      const [b0, t0, b1, t1] = [2 * i, 2 * i + 1, 2 * i + 2, 2 * i + 3];
      triangles.push([b0, b1, t1], [b0, t1, t0]);
    }
    const edges = buildFaceEdges(mesh([{ corners, triangles }]), 1);
    const segs = segments(edges);
    expect(segs).toHaveLength(2 * n);
    // every segment lies on a rim (both ends at z=0, or both at z=1): the seam and the diagonals are not drawn
    for (const s of segs) {
      const zs = s.ends.split("|").map((e) => Number(e.split(",")[2]));
      expect(zs[0]).toBe(zs[1]);
      expect(s.faces).toEqual([0, 0]);
    }
    expect(neighboursOf(edges, 0)).toHaveLength(0);
  });

  it("welds -0 with 0 (the same point)", () => {
    const edges = buildFaceEdges(
      mesh([
        {
          corners: [
            [-0, 0, 0],
            [1, 0, 0],
            [0, 1, 0],
          ],
          triangles: [[0, 1, 2]],
        },
        {
          corners: [
            [0, -0, 0],
            [1, 0, 0],
            [0, -1, 0],
          ],
          triangles: [[0, 2, 1]],
        },
      ]),
      2,
    );
    // two triangles sharing the side (0,0,0)-(1,0,0): five segments, one of them between the faces
    expect(edges.segmentCount).toBe(5);
    expect([...neighboursOf(edges, 0)]).toEqual([1]);
  });

  describe("on real parts", () => {
    let oc: GeometryKernel;
    beforeAll(async () => {
      oc = await kernelForNode();
    }, 120_000);

    for (const file of ["aagnet/examples_partC.step", "nist-pmi/nist_ctc_01_asme1_rd.stp"]) {
      it(`${file}: the faces the mesh says touch are the faces the B-rep says touch`, async () => {
        const bytes = new Uint8Array(readFileSync(path.join(CORPUS, file)));
        const { mesh: m, document } = tessellateStep(oc, bytes, DEFAULT_PARAMS);
        const glb = meshToGlb(m, document);
        const model = buildFaceModel(
          await parseGlb(glb.buffer.slice(glb.byteOffset, glb.byteOffset + glb.byteLength) as ArrayBuffer),
        );
        buildBvh(model); // the BVH reorders the triangles: edges do not depend on their order
        const edges = buildEdges(model);
        const brep = new Set(document.edges.map(({ faces: [a, b] }) => `${Math.min(a, b)}-${Math.max(a, b)}`));
        const fromMesh = new Set<string>();
        for (let f = 0; f < model.faceCount; f++) {
          for (const g of neighboursOf(edges, f)) {
            expect(neighboursOf(edges, g)).toContain(f);
            fromMesh.add(`${Math.min(f, g)}-${Math.max(f, g)}`);
          }
        }
        expect([...fromMesh].sort()).toEqual([...brep].sort());
        // every segment lies on its faces: both ends are vertices of each
        const pos = model.geometry.getAttribute("position") as THREE.BufferAttribute;
        const ids = model.geometry.getAttribute("faceId") as THREE.BufferAttribute;
        const pointsOf = new Map<number, Set<string>>();
        for (let v = 0; v < pos.count; v++) {
          const f = ids.getX(v);
          if (!pointsOf.has(f)) pointsOf.set(f, new Set());
          pointsOf.get(f)?.add(`${pos.getX(v) + 0},${pos.getY(v) + 0},${pos.getZ(v) + 0}`);
        }
        for (let s = 0; s < edges.segmentCount; s++) {
          for (let e = 0; e < 2; e++) {
            const at = [...edges.positions.subarray(s * 6 + e * 3, s * 6 + e * 3 + 3)].map((v) => v + 0).join(",");
            for (let k = 0; k < 2; k++)
              expect(pointsOf.get(edges.faces[s * 4 + e * 2 + k] as number)?.has(at)).toBe(true);
          }
        }
        expect(edges.segmentCount).toBeGreaterThan(brep.size);
      }, 120_000);
    }
  });
});
