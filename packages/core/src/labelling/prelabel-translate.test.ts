import { describe, expect, it } from "vitest";
import type { AnnotationDocument } from "../annotation";
import { annotationDocumentSchema } from "../annotation";
import { translatePrelabel } from "./prelabel-translate";

const pre = (
  labels: (string | null)[],
  instances: AnnotationDocument["instances"] = [],
  predictions?: Record<string, (string | null)[]>,
): AnnotationDocument => ({
  schemaVersion: 1,
  faceSignature: "sig",
  faceCount: labels.length,
  labels,
  instances,
  prelabel: {
    models: [{ id: "facet-rules", version: "1" }],
    failed: [],
    confidence: labels.map(() => 0.9),
    ...(predictions ? { predictions } : {}),
  },
});
const inst = (id: string, feature: string, faces: number[]) => ({ id, feature, faces, params: {} });

describe("translatePrelabel", () => {
  it("applies a chain of mappings in order: rename, merge, then a split takes its first class", () => {
    const doc = pre(
      ["stock", "through_hole", "blind_hole", "rectangular_pocket", null],
      [inst("pre-1", "through_hole", [1]), inst("pre-2", "blind_hole", [2]), inst("pre-3", "rectangular_pocket", [3])],
      { a: ["stock", "through_hole", "blind_hole", "chamfer", null], b: ["stock", "blind_hole", "hole", null, null] },
    );
    const v2 = { through_hole: ["hole"], blind_hole: ["hole"] };
    const v3 = { rectangular_pocket: ["closed_pocket", "open_pocket"] };
    const keys = new Set(["stock", "hole", "closed_pocket", "open_pocket", "chamfer"]);
    const out = translatePrelabel(doc, { mappings: [v2, v3], keys, schema: "Default v3" });
    expect(out.document.labels).toEqual(["stock", "hole", "hole", "closed_pocket", null]);
    expect(out.document.instances.map((i) => [i.feature, i.faces])).toEqual([
      ["hole", [1]],
      ["hole", [2]],
      ["closed_pocket", [3]],
    ]);
    expect(out.document.prelabel?.predictions).toEqual({
      a: ["stock", "hole", "hole", "chamfer", null],
      b: ["stock", "hole", "hole", null, null],
    });
    expect(out.droppedFaces).toBe(0);
    expect(out.document.provenance).toEqual({
      prelabelSchema: { schema: "Default v3", via: "2 mapping(s)", droppedFaces: 0, droppedClasses: [] },
    });
    expect(annotationDocumentSchema.safeParse(out.document).success).toBe(true);
    // the input is not changed
    expect(doc.labels[1]).toBe("through_hole");
  });

  it("an unrelated schema keeps only its own classes; faces and instances of the others are dropped and counted", () => {
    const doc = pre(
      ["stock", "through_hole", "through_hole", "chamfer"],
      [inst("pre-1", "through_hole", [1, 2]), inst("pre-2", "chamfer", [3])],
      { a: ["stock", "through_hole", "fillet", "chamfer"] },
    );
    const out = translatePrelabel(doc, { mappings: null, keys: new Set(["stock", "chamfer"]), schema: "Mine v1" });
    expect(out.document.labels).toEqual(["stock", null, null, "chamfer"]);
    expect(out.document.instances.map((i) => i.id)).toEqual(["pre-2"]);
    expect(out.document.prelabel?.predictions).toEqual({ a: ["stock", null, null, "chamfer"] });
    expect(out.droppedFaces).toBe(2);
    expect(out.droppedClasses).toEqual(["fillet", "through_hole"]);
    expect(out.document.provenance?.prelabelSchema).toEqual({
      schema: "Mine v1",
      via: "classes kept by key",
      droppedFaces: 2,
      droppedClasses: ["fillet", "through_hole"],
    });
    expect(out.document.prelabel?.confidence).toEqual(doc.prelabel?.confidence);
  });

  it("on the pre-labelers' own version nothing changes and no provenance is added", () => {
    const doc = pre(["stock", "through_hole"], [inst("pre-1", "through_hole", [1])]);
    const out = translatePrelabel(doc, {
      mappings: [],
      keys: new Set(["stock", "through_hole"]),
      schema: "Default v1",
    });
    expect(out.document).toEqual(doc);
    expect(out.droppedFaces).toBe(0);
  });

  it("a class the chain leaves behind (not in the dataset's version) is still dropped", () => {
    const doc = pre(["stock", "o_ring"]);
    const out = translatePrelabel(doc, { mappings: [{}], keys: new Set(["stock"]), schema: "Default v2" });
    expect(out.document.labels).toEqual(["stock", null]);
    expect(out.droppedFaces).toBe(1);
  });
});
