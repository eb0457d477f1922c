import { readFileSync } from "node:fs";
import path from "node:path";
import { DEFAULT_PARAMS, type GeometryKernel, meshToGlb, tessellateStep } from "@facet/geometry";
import { CORPUS, kernelForNode } from "@facet/geometry/testing";
import * as THREE from "three";
import { beforeAll, describe, expect, it } from "vitest";
import { buildBvh, buildFaceModel, facePoints, parseGlb } from "./face-model";

let oc: GeometryKernel;
beforeAll(async () => {
  oc = await kernelForNode();
}, 120_000);

/** Tessellate a corpus part and load its GLB the way the browser does. */
async function load(file: string) {
  const { mesh, document } = tessellateStep(oc, new Uint8Array(readFileSync(path.join(CORPUS, file))), DEFAULT_PARAMS);
  const glb = meshToGlb(mesh, document);
  const geometry = await parseGlb(glb.buffer.slice(glb.byteOffset, glb.byteOffset + glb.byteLength) as ArrayBuffer);
  return { model: buildFaceModel(geometry), document };
}

/** A deterministic pseudo-random sequence (tests must not depend on luck). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("face model", () => {
  for (const file of ["aagnet/examples_partC.step", "nist-pmi/nist_ctc_01_asme1_rd.stp"]) {
    it(`${file}: faces and triangles index each other; BVH picks what an exhaustive raycast picks`, async () => {
      const { model, document } = await load(file);
      expect(model.faceCount).toBe(document.faceCount);
      expect(model.triangleCount).toBe(document.triangleCount);
      // before the BVH: every face's triangles are the ones the faces document lists
      for (const f of document.faces) {
        expect((model.triangleStart[f.index + 1] as number) - (model.triangleStart[f.index] as number)).toBe(
          f.triangles.count,
        );
      }
      // each face's vertices lie in its exact bounding box
      for (const f of document.faces.slice(0, 40)) {
        const p = facePoints(model, f.index);
        const tol = 1e-3 * (1 + Math.abs(f.bbox.max[0]) + Math.abs(f.bbox.max[1]) + Math.abs(f.bbox.max[2]));
        for (let i = 0; i < p.length; i += 3) {
          for (let k = 0; k < 3; k++) {
            expect(p[i + k] as number).toBeGreaterThanOrEqual((f.bbox.min[k] as number) - tol);
            expect(p[i + k] as number).toBeLessThanOrEqual((f.bbox.max[k] as number) + tol);
          }
        }
      }

      // the exhaustive answer, from three.js' own raycast on an untouched copy
      const plain = new THREE.Mesh(model.geometry.clone(), new THREE.MeshBasicMaterial({ side: THREE.DoubleSide }));
      const plainIds = plain.geometry.getAttribute("faceId") as THREE.BufferAttribute;
      const plainIndex = plain.geometry.getIndex() as THREE.BufferAttribute;
      const bvh = buildBvh(model);
      // the BVH reordered the triangles; the face index followed
      const ids = model.geometry.getAttribute("faceId") as THREE.BufferAttribute;
      const index = model.geometry.getIndex() as THREE.BufferAttribute;
      for (let t = 0; t < model.triangleCount; t += 7) {
        expect(model.faceOfTriangle[t]).toBe(ids.getX(index.getX(t * 3)));
      }
      const sphere = model.bounds.getBoundingSphere(new THREE.Sphere());
      const next = random(42);
      const raycaster = new THREE.Raycaster();
      let hits = 0;
      for (let i = 0; i < 300; i++) {
        const dir = new THREE.Vector3(next() - 0.5, next() - 0.5, next() - 0.5).normalize();
        const target = sphere.center
          .clone()
          .add(new THREE.Vector3(next() - 0.5, next() - 0.5, next() - 0.5).multiplyScalar(sphere.radius));
        const ray = new THREE.Ray(target.clone().addScaledVector(dir, -3 * sphere.radius), dir);
        raycaster.ray.copy(ray);
        const exhaustive = raycaster.intersectObject(plain)[0];
        const fast = bvh.raycastFirst(ray, THREE.DoubleSide);
        expect(Boolean(fast)).toBe(Boolean(exhaustive));
        if (!fast || !exhaustive) continue;
        hits++;
        expect(fast.distance).toBeCloseTo(exhaustive.distance, 6);
        const exhaustiveFace = plainIds.getX(plainIndex.getX((exhaustive.faceIndex as number) * 3));
        // the same face, unless the ray grazes an edge between two faces at the same distance
        if (
          Math.abs(fast.distance - exhaustive.distance) < 1e-9 &&
          model.faceOfTriangle[fast.faceIndex as number] !== exhaustiveFace
        ) {
          const other = raycaster.intersectObject(plain).filter((h) => Math.abs(h.distance - fast.distance) < 1e-6);
          expect(other.length).toBeGreaterThan(1);
        } else {
          expect(model.faceOfTriangle[fast.faceIndex as number]).toBe(exhaustiveFace);
        }
      }
      expect(hits).toBeGreaterThan(100);
    }, 120_000);
  }

  it("refuses a mesh without face ids", async () => {
    const bytes = new TextEncoder().encode("not a glb at all");
    await expect(parseGlb(bytes.buffer as ArrayBuffer)).rejects.toThrow();
  });
});
