import type { LabelEdge, LabelFace, Vec3 } from "@facet/core";

/**
 * What a pre-labeler is given of a part: its faces and how they meet. The geometry's faces
 * document (`faces.json`) has this shape; a remote model also gets URLs to fetch the part itself.
 */
export interface PrelabelInput {
  /** The face numbering the predictions refer to (part_geometry.face_signature). */
  faceSignature: string;
  faces: readonly PrelabelFace[];
  edges: readonly LabelEdge[];
  /** The whole part's axis-aligned bounding box. */
  bbox: { min: Vec3; max: Vec3 };
  /** Short-lived URLs of the part's files, for models that read the B-rep or mesh themselves. */
  urls?: { step?: string; mesh?: string; faces?: string };
  /** Which part this is (sent to remote models for their logs; never needed to predict). */
  part?: { id: string; sha256: string; name?: string };
}

export interface PrelabelFace extends LabelFace {
  /** The STEP entity's name, when the file gives one. */
  stepName?: string | null;
  /** Whether the face is used reversed: for a cylinder, its material is outside (a hole, a concave fillet). */
  reversed?: boolean;
}

/** A group of faces a model believes form one machining feature. */
export interface PrelabelInstance {
  feature: string;
  faces: number[];
  /** 0..1 */
  confidence: number;
  /** Measured parameters (mm, degrees), keyed as in the label schema (diameter, depth, width, ...). */
  params: Record<string, number>;
  /** Faces that are the feature's bottom (floor of a pocket, bottom of a blind hole). */
  bottomFaces?: number[];
}

/** One model's answer for one part. */
export interface PrelabelResult {
  /** Which model produced it: stored with the revision so acceptance can be measured per model. */
  model: { id: string; version: string };
  /** Feature keys (of the label schema): the columns of every face's probabilities. */
  classes: string[];
  /** One row per face (face index order): probabilities over `classes`, each row summing to 1. */
  probabilities: number[][];
  instances: PrelabelInstance[];
}

export interface PredictOptions {
  /** Aborts the prediction (the job was canceled or timed out). */
  signal?: AbortSignal;
}

/** Anything that turns a part's faces into per-face class probabilities and feature instances. */
export interface Prelabeler {
  /** Stable identifier of the model, e.g. `facet-rules` or `aagnet`. */
  readonly id: string;
  readonly version: string;
  predict(input: PrelabelInput, options?: PredictOptions): Promise<PrelabelResult>;
}

/** Why a pre-labeler gave no answer, in words a person understands (stored on the part). */
export class PrelabelError extends Error {
  constructor(
    readonly reason: "TIMEOUT" | "UNAVAILABLE" | "BAD_RESPONSE" | "REJECTED" | "INVALID_INPUT",
    message: string,
    /** Whether trying again later may help (timeouts, 5xx, connection errors). */
    readonly retryable = false,
  ) {
    super(message);
    this.name = "PrelabelError";
  }
}

/** A pre-labeler's input from the geometry's faces document (`faces.json`), which has this shape. */
export function inputFromFacesDocument(
  doc: {
    signature: string;
    faces: readonly PrelabelFace[];
    edges: readonly LabelEdge[];
    bbox: { min: Vec3; max: Vec3 };
  },
  extra: Pick<PrelabelInput, "urls" | "part"> = {},
): PrelabelInput {
  return { faceSignature: doc.signature, faces: doc.faces, edges: doc.edges, bbox: doc.bbox, ...extra };
}
