import type { PrelabelFace, PrelabelInstance, PrelabelResult } from "@facet/prelabel";

/** One face of a prediction: its most probable class and that class's probability. */
export interface PredictedFace {
  index: number;
  /** The most probable class (a feature key of the model's classes). */
  label: string;
  /** The probability of `label`, 0..1. */
  confidence: number;
  /** The STEP entity's name of the face, when the file gives one (to find the face in a CAD tool). */
  stepName: string | null;
}

/** What `POST /api/workspaces/[ws]/predict` answers: per-face labels and instances, and which model made them. */
export interface PredictionAnswer {
  model: { id: string; version: string };
  /** The face numbering the indices refer to (the same as a stored part's `faceSignature`). */
  faceSignature: string;
  classes: string[];
  faces: PredictedFace[];
  instances: PrelabelInstance[];
  /** How long the model took, and the tessellation when a STEP file was sent (milliseconds). */
  ms: { tessellation: number | null; prediction: number };
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;

/** A model's result as the API answers it: per face the top class, its probability and the face's STEP name. */
export function predictionAnswer(
  result: PrelabelResult,
  input: { faceSignature: string; faces: readonly Pick<PrelabelFace, "stepName">[] },
  ms: PredictionAnswer["ms"],
): PredictionAnswer {
  const faces = result.probabilities.map((row, index) => {
    let best = 0;
    for (let k = 1; k < row.length; k++) if ((row[k] ?? 0) > (row[best] ?? 0)) best = k;
    return {
      index,
      label: result.classes[best] ?? "",
      confidence: round(row[best] ?? 0),
      stepName: input.faces[index]?.stepName ?? null,
    };
  });
  return {
    model: result.model,
    faceSignature: input.faceSignature,
    classes: result.classes,
    faces,
    instances: result.instances.map((i) => ({ ...i, confidence: round(i.confidence) })),
    ms,
  };
}
