import { type AnnotationDocument, annotationDocumentSchema } from "../annotation";
import { AppError } from "../errors";
import type { Taxonomy } from "../taxonomy";
import type { FaceGraph } from "./face-graph";

/** A feature instance: the faces of one machined feature, and its parameters (mm, degrees). */
export interface LabelInstance {
  id: string;
  feature: string;
  /** Ascending face indices. */
  faces: number[];
  params: Record<string, number>;
  /** Faces marked as the instance's bottom: they give the depth axis of bounding-box parameters. */
  bottomFaces?: number[];
  /** Parameter keys a person typed; measurement never overwrites them. */
  manualParams?: string[];
  /** A pre-labelling model's confidence; dropped once a person changes the instance's faces. */
  confidence?: number;
}

/** The workbench's labelling state of one part. Treated as immutable: every operation returns a new one. */
export interface LabelState {
  /** Feature key per face index; null = not labelled yet. */
  labels: (string | null)[];
  instances: LabelInstance[];
}

/** What the operations need besides the state: the part's face graph, the workspace taxonomy, and mesh points. */
export interface LabelContext {
  graph: FaceGraph;
  taxonomy: Taxonomy;
  /** Mesh vertex positions of a face as a flat xyz array; without it measurement uses the face bounding boxes' corners. */
  pointsOf?: (face: number) => ArrayLike<number>;
}

/** A part with no face labelled. */
export function emptyLabelState(faceCount: number): LabelState {
  if (!Number.isInteger(faceCount) || faceCount < 0) {
    throw new AppError("VALIDATION_FAILED", `a part cannot have ${faceCount} faces`);
  }
  return { labels: new Array<string | null>(faceCount).fill(null), instances: [] };
}

/** Copy an instance, keeping only the fields it has (no `undefined` members). */
export function copyInstance(inst: LabelInstance): LabelInstance {
  const out: LabelInstance = { id: inst.id, feature: inst.feature, faces: [...inst.faces], params: { ...inst.params } };
  if (inst.bottomFaces) out.bottomFaces = [...inst.bottomFaces];
  if (inst.manualParams) out.manualParams = [...inst.manualParams];
  if (inst.confidence !== undefined) out.confidence = inst.confidence;
  return out;
}

/** The state an annotation revision describes. */
export function labelStateFromDocument(doc: AnnotationDocument): LabelState {
  return {
    labels: [...doc.labels],
    instances: doc.instances.map((i) => copyInstance({ ...i, faces: [...i.faces].sort((a, b) => a - b) })),
  };
}

/** An annotation revision's document for the state; VALIDATION_FAILED when the state does not make a valid one. */
export function labelStateToDocument(
  state: LabelState,
  meta: { faceSignature: string; provenance?: Record<string, unknown> },
): AnnotationDocument {
  const doc = {
    schemaVersion: 1 as const,
    faceSignature: meta.faceSignature,
    faceCount: state.labels.length,
    labels: [...state.labels],
    instances: state.instances.map(copyInstance),
    ...(meta.provenance ? { provenance: meta.provenance } : {}),
  };
  const parsed = annotationDocumentSchema.safeParse(doc);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "document"}: ${i.message}`);
    throw new AppError("VALIDATION_FAILED", `the labels do not make a valid annotation: ${issues[0]}`, { issues });
  }
  return parsed.data;
}

/** The instance holding `face`, if any. */
export function instanceOfFace(state: LabelState, face: number): LabelInstance | undefined {
  return state.instances.find((i) => i.faces.includes(face));
}
