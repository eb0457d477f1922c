import { describe, expect, it } from "vitest";
import type { AnnotationDocument } from "../annotation";
import { applyMapping, checkMapping, describeChange, schemaMappingSchema } from "./schema-mapping";

const types = (...keys: string[]) => ({
  featureTypes: keys.map((key) => ({
    key,
    name: key,
    colour: "#123456",
    hotkey: null,
    isStock: false,
    parameters: [],
  })),
});
const OLD = types("stock", "through_hole", "blind_hole", "pocket", "slot");
const NEW = types("stock", "hole", "closed_pocket", "open_pocket", "slot");

const doc = (labels: (string | null)[], instances: AnnotationDocument["instances"] = []): AnnotationDocument => ({
  schemaVersion: 1,
  faceSignature: "sig",
  faceCount: labels.length,
  labels,
  instances,
});

describe("checkMapping", () => {
  it("names a merge, a split and a rename, and accepts the mapping", () => {
    const m = { through_hole: ["hole"], blind_hole: ["hole"], pocket: ["closed_pocket", "open_pocket"] };
    const { problems, changes } = checkMapping(OLD, NEW, m);
    expect(problems).toEqual([]);
    expect(changes).toContainEqual({ kind: "merge", from: ["through_hole", "blind_hole"], to: "hole" });
    expect(changes).toContainEqual({ kind: "split", from: "pocket", to: ["closed_pocket", "open_pocket"] });
    expect(changes.map(describeChange)).toContain("through_hole, blind_hole merged into hole");
    const renamed = checkMapping(types("a", "b"), types("a", "c"), { b: ["c"] });
    expect(renamed).toEqual({ problems: [], changes: [{ kind: "rename", from: "b", to: "c" }] });
  });

  it("refuses a class dropped without a mapping, unknown sources and unknown targets", () => {
    const { problems } = checkMapping(OLD, NEW, { through_hole: ["hole"], pocket: ["gone"], nope: ["hole"] });
    expect(problems).toContain("class blind_hole is not in the new version: map it to one or more of its classes");
    expect(problems).toContain("pocket maps to gone, which is not a class of the new version");
    expect(problems).toContain("nope is not a class of the old version");
  });

  it("counts a rename onto a class kept from the old version as a merge, and new classes as added", () => {
    const { changes } = checkMapping(types("a", "b"), types("b", "z"), { a: ["b"] });
    expect(changes).toEqual([
      { kind: "merge", from: ["a", "b"], to: "b" },
      { kind: "added", key: "z" },
    ]);
  });

  it("refuses an empty target list and repeated targets in the mapping's schema", () => {
    expect(schemaMappingSchema.safeParse({ a: [] }).success).toBe(false);
    expect(schemaMappingSchema.safeParse({ a: ["b", "b"] }).success).toBe(false);
    expect(schemaMappingSchema.safeParse({ "Not A Key": ["b"] }).success).toBe(false);
  });
});

describe("applyMapping", () => {
  const mapping = { through_hole: ["hole"], blind_hole: ["hole"], pocket: ["closed_pocket", "open_pocket"] };
  const newKeys = new Set(NEW.featureTypes.map((f) => f.key));

  it("maps labels and instances, sends a split class to its first target and lists its faces", () => {
    const input = doc(
      ["stock", "through_hole", "blind_hole", "pocket", null, "pocket"],
      [
        { id: "i1", feature: "through_hole", faces: [1], params: { diameter: 4 } },
        { id: "i2", feature: "pocket", faces: [3, 5], params: {} },
      ],
    );
    const out = applyMapping(input, mapping, newKeys);
    expect(out.document.labels).toEqual(["stock", "hole", "hole", "closed_pocket", null, "closed_pocket"]);
    expect(out.document.instances.map((i) => i.feature)).toEqual(["hole", "closed_pocket"]);
    expect(out.document.instances[0]?.params).toEqual({ diameter: 4 });
    expect(out.splitFaces).toEqual([3, 5]);
    expect(out.changed).toBe(true);
    expect(out.unknown).toEqual([]);
    // the input is left as it was
    expect(input.labels[1]).toBe("through_hole");
  });

  it("changes nothing on a document without mapped classes, and applying twice equals applying once", () => {
    const plain = applyMapping(doc(["stock", "slot"]), mapping, newKeys);
    expect(plain.changed).toBe(false);
    const once = applyMapping(doc(["through_hole", "stock"]), mapping, newKeys);
    const twice = applyMapping(once.document, mapping, newKeys);
    expect(twice.document.labels).toEqual(once.document.labels);
    expect(twice.changed).toBe(false);
  });

  it("maps the classes a pre-label's models named, without counting them as changes", () => {
    const input = {
      ...doc(["stock", "slot"]),
      prelabel: {
        models: [{ id: "a", version: "1" }],
        failed: [],
        confidence: [1, 1],
        predictions: { a: ["blind_hole", null] },
      },
    };
    const out = applyMapping(input, mapping, newKeys);
    expect(out.document.prelabel?.predictions).toEqual({ a: ["hole", null] });
    expect(out.changed).toBe(false);
  });

  it("reports keys the new version lacks and the mapping does not cover", () => {
    const out = applyMapping(doc(["stock", "chamfer"]), mapping, newKeys);
    expect(out.unknown).toEqual(["chamfer"]);
  });
});
