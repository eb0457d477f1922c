import { describe, expect, it } from "vitest";
import { type AnnotationDocument, annotationDocumentSchema } from "../annotation";
import { AppError } from "../errors";
import {
  emptyLabelState,
  instanceOfFace,
  type LabelState,
  labelStateFromDocument,
  labelStateToDocument,
} from "./label-state";
import { deepFreeze } from "./testing";

const state: LabelState = deepFreeze({
  labels: ["stock", "through_hole", "through_hole", null],
  instances: [
    {
      id: "i1",
      feature: "through_hole",
      faces: [1, 2],
      params: { diameter: 6, depth: 3 },
      bottomFaces: [2],
      manualParams: ["diameter"],
      confidence: 0.9,
    },
  ],
});

describe("emptyLabelState", () => {
  it("has a null label per face and no instances", () => {
    expect(emptyLabelState(3)).toEqual({ labels: [null, null, null], instances: [] });
    expect(emptyLabelState(0)).toEqual({ labels: [], instances: [] });
  });

  it("refuses a face count that is not a count", () => {
    expect(() => emptyLabelState(-1)).toThrow(AppError);
    expect(() => emptyLabelState(2.5)).toThrow(AppError);
  });
});

describe("labelStateToDocument / labelStateFromDocument", () => {
  it("round-trips every field, and the document passes the schema", () => {
    const doc = labelStateToDocument(state, { faceSignature: "abc", provenance: { format: "test" } });
    expect(doc).toEqual({
      schemaVersion: 1,
      faceSignature: "abc",
      faceCount: 4,
      labels: state.labels,
      instances: state.instances,
      provenance: { format: "test" },
    });
    expect(annotationDocumentSchema.parse(JSON.parse(JSON.stringify(doc)))).toEqual(doc);
    expect(labelStateFromDocument(doc)).toEqual(state);
  });

  it("copies: changing the result does not change the source", () => {
    const doc = labelStateToDocument(state, { faceSignature: "abc" });
    expect(doc).not.toHaveProperty("provenance");
    const back = labelStateFromDocument(doc);
    back.labels[3] = "stock";
    back.instances[0]?.faces.push(3);
    expect(doc.labels[3]).toBeNull();
    expect(doc.instances[0]?.faces).toEqual([1, 2]);
  });

  it("reads documents written before bottom faces and manual parameters existed, sorting instance faces", () => {
    const old = annotationDocumentSchema.parse({
      schemaVersion: 1,
      faceSignature: "abc",
      faceCount: 3,
      labels: ["blind_hole", "blind_hole", "stock"],
      instances: [{ id: "h", feature: "blind_hole", faces: [1, 0] }],
    }) as AnnotationDocument;
    expect(labelStateFromDocument(old)).toEqual({
      labels: ["blind_hole", "blind_hole", "stock"],
      instances: [{ id: "h", feature: "blind_hole", faces: [0, 1], params: {} }],
    });
  });

  it("refuses a state that does not make a valid document, saying why", () => {
    const bad: LabelState = {
      labels: [null, "x"],
      instances: [{ id: "i1", feature: "x", faces: [1], params: {}, bottomFaces: [0] }],
    };
    expect(() => labelStateToDocument(bad, { faceSignature: "s" })).toThrow(
      /bottom face 0 of instance i1 is not one of its faces/,
    );
    expect(() => labelStateToDocument(emptyLabelState(0), { faceSignature: "s" })).toThrow(AppError);
    expect(() => labelStateToDocument(emptyLabelState(2), { faceSignature: "" })).toThrow(AppError);
  });
});

describe("annotationDocumentSchema", () => {
  const doc = {
    schemaVersion: 1,
    faceSignature: "s",
    faceCount: 3,
    labels: ["slot", "slot", "stock"],
    instances: [
      { id: "i1", feature: "slot", faces: [0, 1], params: { width: 2 }, bottomFaces: [1], manualParams: ["width"] },
    ],
  };

  it("accepts bottom faces among the instance's faces, and manual parameter keys", () => {
    expect(annotationDocumentSchema.safeParse(doc).success).toBe(true);
  });

  it("refuses a bottom face outside its instance, or not a face index", () => {
    const outside = structuredClone(doc);
    outside.instances[0]!.bottomFaces = [2];
    const r = annotationDocumentSchema.safeParse(outside);
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.message)).toEqual(["bottom face 2 of instance i1 is not one of its faces"]);
    const negative = structuredClone(doc);
    negative.instances[0]!.bottomFaces = [-1];
    expect(annotationDocumentSchema.safeParse(negative).success).toBe(false);
  });
});

describe("instanceOfFace", () => {
  it("finds the instance holding a face, or none", () => {
    expect(instanceOfFace(state, 2)?.id).toBe("i1");
    expect(instanceOfFace(state, 0)).toBeUndefined();
    expect(instanceOfFace(state, 99)).toBeUndefined();
  });
});
