import {
  type AnnotationDocument,
  AppError,
  annotationDocumentSchema,
  type LabelContext,
  regroupInstances,
} from "@facet/core";
import type { PrelabelResult } from "./types";

export interface CombineOptions {
  faceSignature: string;
  faceCount: number;
  /** Feature keys of the dataset's label schema: a class outside it leaves the face unlabelled. */
  featureKeys: readonly string[];
  /** Pre-labelers that gave no answer, and why (kept with the revision). */
  failed?: { id: string; reason: string }[];
  /**
   * The part's face graph and the schema: labelled faces that no model's instance covers are then
   * grouped into instances (touching faces of one feature), so the pre-label is complete and can be
   * submitted as it is. Without it such faces stay in no instance.
   */
  context?: LabelContext;
}

export interface CombinedPrelabel {
  document: AnnotationDocument;
  /** Mean over faces of the label's probability: what the queue orders by. */
  meanConfidence: number;
  /** Faces on which the models' top classes differ (empty with one model). */
  disagreeingFaces: number[];
}

const meanOf = (values: readonly number[], at: readonly number[]) =>
  at.length > 0 ? at.reduce((a, f) => a + (values[f] ?? 0), 0) / at.length : 0;
const argmax = (row: readonly number[]) => row.reduce((best, v, i) => (v > (row[best] ?? -1) ? i : best), 0);

/**
 * One pre-label revision from one or more models' answers. Each face's probabilities are the mean
 * of the models' (a class a model does not know counts as 0 for it); its label is the most probable
 * class and its confidence that class's mean probability. With several models, each model's own
 * top class is kept, and a face's disagreement is the share of models whose top class is not the
 * label. Instances are the models' instances whose every face got the instance's feature, most
 * confident first, never two on one face.
 */
export function combinePrelabels(results: readonly PrelabelResult[], options: CombineOptions): CombinedPrelabel {
  const { faceCount } = options;
  if (results.length === 0) throw new AppError("VALIDATION_FAILED", "no pre-labeler answered");
  for (const r of results) {
    if (r.probabilities.length !== faceCount) {
      throw new AppError(
        "VALIDATION_FAILED",
        `${r.model.id} answered for ${r.probabilities.length} faces; the part has ${faceCount}`,
      );
    }
  }
  const known = new Set(options.featureKeys);
  const classes = [...new Set(results.flatMap((r) => r.classes))];
  const column = new Map(classes.map((c, i) => [c, i]));
  const tops = results.map((r) => r.probabilities.map((row) => r.classes[argmax(row)] as string));

  const labels: (string | null)[] = [];
  const confidence: number[] = [];
  const disagreement: number[] = [];
  for (let f = 0; f < faceCount; f++) {
    const mean = new Array<number>(classes.length).fill(0);
    for (const r of results) {
      r.classes.forEach((c, k) => {
        const i = column.get(c) as number;
        mean[i] = (mean[i] as number) + (r.probabilities[f]?.[k] ?? 0) / results.length;
      });
    }
    const best = classes[argmax(mean)] as string;
    labels.push(known.has(best) ? best : null);
    confidence.push(Math.min(1, Math.max(0, mean[column.get(best) as number] as number)));
    disagreement.push(tops.filter((t) => t[f] !== best).length / results.length);
  }

  const taken = new Set<number>();
  const instances: AnnotationDocument["instances"] = [];
  const candidates = results
    .flatMap((r) => r.instances)
    .filter((i) => known.has(i.feature) && i.faces.every((f) => labels[f] === i.feature))
    .sort((a, b) => b.confidence - a.confidence);
  for (const inst of candidates) {
    if (inst.faces.some((f) => taken.has(f))) continue;
    for (const f of inst.faces) taken.add(f);
    instances.push({
      id: `pre-${instances.length + 1}`,
      feature: inst.feature,
      faces: [...inst.faces],
      params: inst.params,
      confidence: inst.confidence,
      ...(inst.bottomFaces?.length ? { bottomFaces: [...inst.bottomFaces] } : {}),
    });
  }

  if (options.context) {
    const stock = new Set(options.context.taxonomy.featureTypes.filter((t) => t.isStock).map((t) => t.key));
    const orphans = labels.map((l, f) => (l !== null && !stock.has(l) && !taken.has(f) ? l : null));
    for (const inst of regroupInstances(orphans, options.context).instances) {
      instances.push({ ...inst, id: `pre-${instances.length + 1}`, confidence: meanOf(confidence, inst.faces) });
    }
  }

  const several = results.length > 1;
  const document = annotationDocumentSchema.parse({
    schemaVersion: 1,
    faceSignature: options.faceSignature,
    faceCount,
    labels,
    instances,
    prelabel: {
      models: results.map((r) => r.model),
      failed: options.failed ?? [],
      confidence,
      ...(several
        ? {
            disagreement,
            predictions: Object.fromEntries(
              results.map((r, k) => [r.model.id, (tops[k] as string[]).map((c) => (known.has(c) ? c : null))]),
            ),
          }
        : {}),
    },
  });
  return {
    document,
    meanConfidence: faceCount > 0 ? confidence.reduce((a, b) => a + b, 0) / faceCount : 0,
    disagreeingFaces: several ? disagreement.flatMap((d, f) => (d > 0 ? [f] : [])) : [],
  };
}
