import { hashUnit } from "@facet/core";
import { type Evaluation, evaluate } from "../evaluate";
import type { Prelabeler, PrelabelInput, PrelabelResult } from "../types";
import { faceGraphFeatures } from "./features";
import { forward, type LearnedModel } from "./model";
import { type TrainOptions, trainModel } from "./train";
import type { LabelledPart } from "./types";

export { FEATURE_NAMES, FEATURE_VERSION } from "./features";
export { decodeModel, encodeModel, type LearnedModel } from "./model";
export { type Trained, type TrainOptions, trainModel } from "./train";
export type { LabelledPart } from "./types";

/** The learned pre-labeler's model id (its version names the trained model: `v<N>-<sha256 prefix>`). */
export const LEARNED_MODEL_ID = "facet-learned";

/** Each face's probabilities over the model's classes. */
export function predictProbabilities(model: LearnedModel, input: PrelabelInput): number[][] {
  const g = faceGraphFeatures(input);
  const p = forward(model, g);
  const C = model.classes.length;
  return Array.from({ length: g.faceCount }, (_, i) => Array.from(p.subarray(i * C, (i + 1) * C)));
}

/** The most probable class of each face. */
export function predictLabels(model: LearnedModel, input: PrelabelInput): string[] {
  return predictProbabilities(model, input).map((row) => model.classes[argmax(row)] as string);
}

const argmax = (row: readonly number[]) => row.reduce((best, v, i) => (v > (row[best] as number) ? i : best), 0);

/**
 * A trained model as a pre-labeler: per-face probabilities over its classes; instances are left to
 * the combination, which groups touching faces of one feature (combinePrelabels with a context).
 */
export function learnedPrelabeler(model: LearnedModel, version: string): Prelabeler {
  return {
    id: LEARNED_MODEL_ID,
    version,
    async predict(input: PrelabelInput): Promise<PrelabelResult> {
      return {
        model: { id: LEARNED_MODEL_ID, version },
        classes: [...model.classes],
        probabilities: predictProbabilities(model, input),
        instances: [],
      };
    },
  };
}

/**
 * The parts held back from training to judge a model: those whose id hashes below `share`, so a
 * part stays held back (or not) whatever other parts come and go; at least one when there are five
 * or more.
 */
export function holdOut(ids: readonly string[], share: number, seed = 0): Set<string> {
  const scored = ids.map((id) => ({ id, u: hashUnit(id, seed) }));
  const held = new Set(scored.filter((s) => s.u < share).map((s) => s.id));
  if (held.size === 0 && ids.length >= 5) {
    const first = scored.reduce((a, b) => (b.u < a.u || (b.u === a.u && b.id < a.id) ? b : a));
    held.add(first.id);
  }
  return held;
}

/** K folds of nearly equal size: parts ordered by a hash of their name, dealt round-robin. */
export function assignFolds(names: readonly string[], k: number, seed = 0): Map<string, number> {
  const order = [...names].sort((a, b) => hashUnit(a, seed) - hashUnit(b, seed) || (a < b ? -1 : 1));
  return new Map(order.map((name, i) => [name, i % k]));
}

export interface CrossValidation {
  evaluation: Evaluation;
  /** Milliseconds spent training, over all folds. */
  trainingMs: number;
  folds: number;
}

/** K-fold cross-validation by part: each part is predicted by the model trained without its fold. */
export async function crossValidate(
  parts: readonly LabelledPart[],
  options: { folds: number; seed?: number; onProgress?: (done: number, total: number) => void } & Omit<
    TrainOptions,
    "onProgress"
  >,
): Promise<CrossValidation> {
  const { folds, onProgress, ...train } = options;
  const fold = assignFolds(
    parts.map((p) => p.name),
    folds,
    options.seed ?? 0,
  );
  const classes = train.classes ?? [...new Set(parts.flatMap((p) => p.labels.filter((l): l is string => l !== null)))];
  const predicted = new Map<string, (string | null)[]>();
  let trainingMs = 0;
  for (let f = 0; f < folds; f++) {
    const test = parts.filter((p) => fold.get(p.name) === f);
    if (test.length === 0) continue;
    const { model, ms } = await trainModel(
      parts.filter((p) => fold.get(p.name) !== f),
      { ...train, classes, onProgress: (done, total) => onProgress?.(f * total + done, folds * total) },
    );
    trainingMs += ms;
    for (const p of test) predicted.set(p.name, predictLabels(model, p.input));
  }
  const evaluation = evaluate(
    parts.map((p) => ({ name: p.name, truth: p.labels, predicted: predicted.get(p.name) ?? p.labels.map(() => null) })),
    classes,
  );
  return { evaluation, trainingMs, folds };
}
