import { AppError } from "@facet/core";

/** One part's predicted and true label per face (feature keys; null = no truth / no prediction). */
export interface EvaluatedPart {
  name: string;
  predicted: readonly (string | null)[];
  truth: readonly (string | null)[];
}

export interface ClassScores {
  /** Faces whose true label is this class. */
  support: number;
  /** Faces predicted as this class. */
  predicted: number;
  truePositives: number;
  /** TP / predicted; null when nothing was predicted as it. */
  precision: number | null;
  /** TP / support; null when no face truly is it. */
  recall: number | null;
  /** TP / (support + predicted − TP): the class's intersection over union over faces. */
  iou: number | null;
}

export interface Evaluation {
  parts: number;
  faces: number;
  correct: number;
  faceAccuracy: number;
  /** Mean of the per-class IoU over classes present in the truth or the predictions. */
  meanIoU: number;
  perClass: Record<string, ClassScores>;
  /** Row = true class, column = predicted class, both in `classes` order. */
  confusion: { classes: string[]; matrix: number[][] };
  /** Parts with at least one wrong face, worst first. */
  failures: { name: string; faces: number; wrong: number; accuracy: number; mistakes: Record<string, number> }[];
}

/**
 * Per-face scores of predictions against truth: accuracy over faces that have a truth label,
 * precision, recall and IoU per class, the confusion matrix and the parts that went wrong.
 * `classOrder` fixes the matrix's order (unknown classes are appended in order of appearance).
 */
export function evaluate(parts: readonly EvaluatedPart[], classOrder: readonly string[] = []): Evaluation {
  const classes = [...classOrder];
  const index = new Map(classes.map((c, i) => [c, i]));
  const indexOf = (c: string) => {
    let i = index.get(c);
    if (i === undefined) {
      i = classes.length;
      classes.push(c);
      index.set(c, i);
    }
    return i;
  };
  const pairs: [number, number][] = [];
  const failures: Evaluation["failures"] = [];
  for (const part of parts) {
    if (part.predicted.length !== part.truth.length) {
      throw new AppError(
        "VALIDATION_FAILED",
        `${part.name}: ${part.predicted.length} predicted labels for ${part.truth.length} faces`,
      );
    }
    let faces = 0;
    let wrong = 0;
    const mistakes: Record<string, number> = {};
    part.truth.forEach((t, f) => {
      if (t === null) return;
      const p = part.predicted[f] ?? "(none)";
      faces++;
      pairs.push([indexOf(t), indexOf(p)]);
      if (p !== t) {
        wrong++;
        const key = `${t} → ${p}`;
        mistakes[key] = (mistakes[key] ?? 0) + 1;
      }
    });
    if (wrong > 0) failures.push({ name: part.name, faces, wrong, accuracy: (faces - wrong) / faces, mistakes });
  }
  const matrix = classes.map(() => classes.map(() => 0));
  for (const [t, p] of pairs) (matrix[t] as number[])[p] = ((matrix[t] as number[])[p] as number) + 1;
  const perClass: Record<string, ClassScores> = {};
  let correct = 0;
  const ious: number[] = [];
  classes.forEach((c, i) => {
    const tp = matrix[i]?.[i] ?? 0;
    const support = (matrix[i] as number[]).reduce((a, b) => a + b, 0);
    const predicted = matrix.reduce((a, row) => a + (row[i] as number), 0);
    correct += tp;
    if (support === 0 && predicted === 0) return;
    const iou = tp / (support + predicted - tp);
    ious.push(iou);
    perClass[c] = {
      support,
      predicted,
      truePositives: tp,
      precision: predicted > 0 ? tp / predicted : null,
      recall: support > 0 ? tp / support : null,
      iou,
    };
  });
  failures.sort((a, b) => a.accuracy - b.accuracy || b.wrong - a.wrong || a.name.localeCompare(b.name));
  return {
    parts: parts.length,
    faces: pairs.length,
    correct,
    faceAccuracy: pairs.length > 0 ? correct / pairs.length : 0,
    meanIoU: ious.length > 0 ? ious.reduce((a, b) => a + b, 0) / ious.length : 0,
    perClass,
    confusion: { classes, matrix },
    failures,
  };
}
