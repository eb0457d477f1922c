import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { meshToGlb, readGlb } from "./glb";
import type { GeometryKernel, Occt } from "./kernel";
import { tessellateWithOpencascadeJs } from "./opencascade-js";
import { loadOpencascadeJs } from "./opencascade-js-node";
import { GeometryError, tessellateStep } from "./tessellate";
import { CORPUS, kernelForNode } from "./testing";
import type { FacesDocument } from "./types";

const reference = new Map<string, { faces: number; triangles: number }>(
  readFileSync(path.join(CORPUS, "native-occt-reference.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { file: string; faces: number; triangles: number })
    .map((r) => [r.file, r]),
);
const files = [...reference.keys()].sort();
const mfcadLabels = JSON.parse(readFileSync(path.join(CORPUS, "mfcad/labels.json"), "utf8")) as Record<
  string,
  number[]
>;

/**
 * The kernel and opencascade.js (the stack's binding, through its object API) must number and
 * describe faces identically: same count and order, surfaces, STEP names, orientation, adjacency and
 * convexity; areas and axes equal to floating-point noise (OCCT 7.6.3 against the binding's 7.6).
 */
function expectSameFaces(ours: FacesDocument, theirs: FacesDocument) {
  expect(ours.faceCount).toBe(theirs.faceCount);
  // labels made on one are accepted on the other
  expect(ours.signature).toBe(theirs.signature);
  const scale = Math.max(...ours.bbox.max.map((x, k) => Math.abs(x - (ours.bbox.min[k] as number))), 1);
  for (const [i, f] of ours.faces.entries()) {
    const g = theirs.faces[i] as FacesDocument["faces"][number];
    expect([f.surface, f.stepName, f.reversed, f.index]).toEqual([g.surface, g.stepName, g.reversed, g.index]);
    expect(Math.abs(f.area - g.area)).toBeLessThanOrEqual(1e-9 * Math.max(g.area, scale * scale * 1e-6));
    for (const [a, b, tolerance] of [
      [f.direction, g.direction, 1e-9],
      [f.origin, g.origin, 1e-9 * scale],
    ] as const) {
      expect(a === null).toBe(b === null);
      for (let k = 0; k < 3; k++) expect(Math.abs((a?.[k] ?? 0) - (b?.[k] ?? 0))).toBeLessThanOrEqual(tolerance);
    }
    expect(f.radius === null).toBe(g.radius === null);
    expect(Math.abs((f.radius ?? 0) - (g.radius ?? 0))).toBeLessThanOrEqual(1e-9 * scale);
  }
  expect(ours.edges.map((e) => [...e.faces, e.convexity])).toEqual(theirs.edges.map((e) => [...e.faces, e.convexity]));
  for (const [i, e] of ours.edges.entries())
    expect(Math.abs(e.angle - (theirs.edges[i]?.angle ?? 0))).toBeLessThan(0.01);
  expect(Math.abs(ours.triangleCount - theirs.triangleCount) / theirs.triangleCount).toBeLessThan(0.05);
}

/**
 * What OCCT itself says about a file, computed here independently of the pipeline (through
 * opencascade.js): the shape's surface area integrated over the whole shape, and every face's STEP
 * name through OCCT's own (slow) `EntityFromShapeResult` lookup.
 */
function occtReference(oc: Occt, bytes: Uint8Array) {
  oc.FS.writeFile("/reference.step", bytes);
  const reader = new oc.STEPControl_Reader_1();
  reader.ReadFile("/reference.step");
  reader.TransferRoots(new oc.Message_ProgressRange_1());
  const shape = reader.OneShape();
  const props = new oc.GProp_GProps_1();
  oc.BRepGProp.SurfaceProperties_1(shape, props, false, false);
  const faceMap = new oc.TopTools_IndexedMapOfShape_1();
  oc.TopExp.MapShapes_1(shape, oc.TopAbs_ShapeEnum.TopAbs_FACE as never, faceMap);
  const transfer = reader.WS().get().TransferReader().get();
  const names: (string | null)[] = [];
  for (let i = 1; i <= faceMap.Extent(); i++) {
    const entity = transfer.EntityFromShapeResult(faceMap.FindKey(i), 1 as never);
    const name = entity.IsNull()
      ? null
      : (entity.get() as unknown as { Name?: () => { IsNull(): boolean; get(): { ToCString(): string } } }).Name?.();
    names.push(name && !name.IsNull() ? name.get().ToCString() : null);
  }
  const area = props.Mass();
  props.delete();
  faceMap.delete();
  reader.delete();
  oc.FS.unlink("/reference.step");
  return { area, names };
}

describe("tessellateStep on the corpus", () => {
  let kernel: GeometryKernel;
  let oc: Occt;
  beforeAll(async () => {
    kernel = await kernelForNode();
    oc = await loadOpencascadeJs();
  }, 120_000);

  it("knows the whole corpus", () => {
    expect(files.length).toBe(86);
  });

  it.each(files)(
    "%s: faces as in OCCT and opencascade.js, every triangle in exactly one face, areas add up, STEP names as OCCT finds them",
    (file) => {
      const bytes = readFileSync(path.join(CORPUS, file));
      const { mesh, document } = tessellateStep(kernel, bytes);
      expectSameFaces(document, tessellateWithOpencascadeJs(oc, bytes).document);
      const occt = occtReference(oc, bytes);
      const ref = reference.get(file) as { faces: number; triangles: number };
      expect(document.faceCount).toBe(ref.faces);
      expect(document.faces).toHaveLength(ref.faces);
      expect(document.triangleCount).toBe(mesh.faceIds.length);
      expect(mesh.indices.length).toBe(mesh.faceIds.length * 3);
      // the faces' triangle ranges tile the mesh, in order, without gap or overlap
      let next = 0;
      for (const f of document.faces) {
        expect(f.triangles.first).toBe(next);
        for (let t = f.triangles.first; t < f.triangles.first + f.triangles.count; t++)
          expect(mesh.faceIds[t]).toBe(f.index);
        next += f.triangles.count;
      }
      expect(next).toBe(mesh.faceIds.length);
      // native OCCT with the same deflection makes the same number of triangles, within a few percent
      expect(Math.abs(document.triangleCount - ref.triangles) / ref.triangles).toBeLessThan(0.05);
      const sum = document.faces.reduce((a, f) => a + f.area, 0);
      expect(Math.abs(sum - occt.area) / occt.area).toBeLessThan(0.01);
      expect(document.area).toBeCloseTo(sum, 6);
      expect(document.faces.map((f) => f.stepName)).toEqual(occt.names);
      for (const i of mesh.indices) expect(i).toBeLessThan(mesh.positions.length / 3);
      for (const e of document.edges) {
        expect(e.faces[0]).toBeLessThan(e.faces[1]);
        expect(e.faces[1]).toBeLessThan(document.faceCount);
      }
    },
    60_000,
  );

  it("writes a GLB whose _FACE_ID attribute gives every triangle its face", () => {
    const { mesh, document } = tessellateStep(
      kernel,
      readFileSync(path.join(CORPUS, "nist-pmi/nist_ftc_08_asme1_rc.stp")),
    );
    const glb = meshToGlb(mesh, document);
    const back = readGlb(glb);
    expect(back.indices).toEqual(mesh.indices);
    expect(back.positions).toEqual(mesh.positions);
    for (let t = 0; t < mesh.faceIds.length; t++) {
      for (let k = 0; k < 3; k++) expect(back.faceIds[back.indices[t * 3 + k] as number]).toBe(mesh.faceIds[t]);
    }
    expect((back.json.extras as { facet: { signature: string } }).facet.signature).toBe(document.signature);
    expect(Buffer.from(meshToGlb(mesh, document)).equals(Buffer.from(glb))).toBe(true);
  }, 60_000);

  it("gives byte-identical outputs for the same bytes twice", () => {
    const bytes = readFileSync(path.join(CORPUS, "nist-pmi/nist_ctc_02_asme1_rc.stp"));
    const a = tessellateStep(kernel, bytes);
    const b = tessellateStep(kernel, bytes);
    expect(Buffer.from(a.mesh.positions.buffer).equals(Buffer.from(b.mesh.positions.buffer))).toBe(true);
    expect(Buffer.from(a.mesh.indices.buffer).equals(Buffer.from(b.mesh.indices.buffer))).toBe(true);
    expect(Buffer.from(a.mesh.faceIds.buffer).equals(Buffer.from(b.mesh.faceIds.buffer))).toBe(true);
    expect(JSON.stringify(a.document)).toBe(JSON.stringify(b.document));
  }, 60_000);

  it("names every MFCAD face with its label index (ADVANCED_FACE name), a permutation of 0..n-1", () => {
    for (const file of files.filter((f) => f.startsWith("mfcad/"))) {
      const { document } = tessellateStep(kernel, readFileSync(path.join(CORPUS, file)));
      const labels = mfcadLabels[path.basename(file, ".step")] as number[];
      const names = document.faces.map((f) => Number(f.stepName)).sort((x, y) => x - y);
      expect(names, file).toEqual(labels.map((_, i) => i));
    }
  }, 300_000);

  it("describes surfaces: MFCAD parts are planar, NIST parts have cylinders with radii and axes", () => {
    const mf = tessellateStep(kernel, readFileSync(path.join(CORPUS, "mfcad/0-0-0-0-0-23.step"))).document;
    expect(mf.faces.every((f) => f.surface === "plane" && f.direction !== null)).toBe(true);
    expect(mf.edges.every((e) => e.convexity === "convex")).toBe(true); // a plain block
    const nist = tessellateStep(
      kernel,
      readFileSync(path.join(CORPUS, "nist-pmi/nist_ctc_01_asme1_ap203.stp")),
    ).document;
    const cylinders = nist.faces.filter((f) => f.surface === "cylinder");
    expect(cylinders.length).toBeGreaterThan(10);
    for (const c of cylinders) {
      expect(c.radius).toBeGreaterThan(0);
      expect(Math.hypot(...(c.direction as number[]))).toBeCloseTo(1, 6);
    }
    const kinds = new Set(nist.edges.map((e) => e.convexity));
    expect(kinds).toEqual(new Set(["convex", "concave", "smooth"]));
  }, 60_000);

  it("refuses garbage with a reason a person understands", () => {
    const refuse = (bytes: Uint8Array) => {
      try {
        tessellateStep(kernel, bytes);
        return "accepted";
      } catch (e) {
        return e instanceof GeometryError ? e.reason : String(e);
      }
    };
    expect(refuse(new TextEncoder().encode("this is not STEP at all"))).toBe("UNREADABLE");
    const header =
      "ISO-10303-21;\nHEADER;\nFILE_DESCRIPTION((''),'2;1');\nFILE_NAME('','',(''),(''),'','','');\nFILE_SCHEMA(('AUTOMOTIVE_DESIGN'));\nENDSEC;\nDATA;\nENDSEC;\nEND-ISO-10303-21;\n";
    expect(refuse(new TextEncoder().encode(header))).toMatch(/NO_GEOMETRY|UNREADABLE/);
    const whole = readFileSync(path.join(CORPUS, "mfcad/0-0-0-0-0-23.step"));
    expect(refuse(whole.subarray(0, Math.floor(whole.length / 3)))).toMatch(/UNREADABLE|NO_GEOMETRY|NOT_A_SOLID/);
  }, 60_000);

  it("refuses a file whose geometry reaches beyond finite numbers, instead of a mesh with NaN in it", () => {
    // found by the mutation fuzzer (issue 21): one point moved to 1e308 made a solid whose box overflowed
    // to infinity; the part was "processed" with a null bounding box in its faces document
    const whole = new TextDecoder().decode(readFileSync(path.join(CORPUS, "mfcad/0-0-0-0-0-23.step")));
    const far = whole.replace(
      /#130 = CARTESIAN_POINT\('',\([^)]*\)\)/,
      "#130 = CARTESIAN_POINT('',(1.E308,0.,1.E308))",
    );
    expect(far).not.toBe(whole);
    let error: unknown = null;
    try {
      tessellateStep(kernel, new TextEncoder().encode(far));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GeometryError);
    expect((error as GeometryError).reason).toBe("NOT_FINITE");
    expect((error as Error).message).toMatch(/not finite/);
  }, 60_000);
});

// keep the list honest: every STEP file of the corpus is in the native reference
it("the native reference covers every STEP file of the corpus", () => {
  const onDisk = readdirSync(CORPUS, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(step|stp)$/i.test(e.name))
    .map((e) => path.relative(CORPUS, path.join(e.parentPath, e.name)))
    .sort();
  expect(onDisk).toEqual(files);
});
