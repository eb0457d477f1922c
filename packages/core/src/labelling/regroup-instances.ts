import { AppError } from "../errors";
import { featureType } from "./checks";
import { settleInstance } from "./instance-upkeep";
import type { LabelContext, LabelInstance, LabelState } from "./label-state";

/**
 * Instances from labels alone, for pre-labels and imports that have none: each connected group of
 * faces of one non-stock feature is an instance (ids i1, i2, … by lowest face), measured.
 * VALIDATION_FAILED for a label count that is not the part's face count or an unknown feature.
 */
export function regroupInstances(labels: readonly (string | null)[], ctx: LabelContext): LabelState {
  if (labels.length !== ctx.graph.faceCount) {
    throw new AppError(
      "VALIDATION_FAILED",
      `expected ${ctx.graph.faceCount} labels, one per face, got ${labels.length}`,
    );
  }
  const stock = new Map<string, boolean>();
  for (const l of labels) if (l !== null && !stock.has(l)) stock.set(l, featureType(ctx.taxonomy, l).isStock);
  const seen = new Set<number>();
  const instances: LabelInstance[] = [];
  labels.forEach((feature, start) => {
    if (feature === null || stock.get(feature) || seen.has(start)) return;
    const faces = [start];
    seen.add(start);
    for (let k = 0; k < faces.length; k++) {
      for (const n of ctx.graph.neighbours(faces[k] as number)) {
        if (!seen.has(n) && labels[n] === feature) {
          seen.add(n);
          faces.push(n);
        }
      }
    }
    const inst = { id: `i${instances.length + 1}`, feature, faces, params: {} };
    instances.push(settleInstance(ctx, inst, true));
  });
  return { labels: [...labels], instances };
}
