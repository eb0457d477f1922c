import { AppError } from "../errors";
import { instanceById } from "./checks";
import { compareIds, mergeInto, settleInstance } from "./instance-upkeep";
import type { LabelContext, LabelState } from "./label-state";

/**
 * Merge instances of one feature into the one with the lowest id (a hole interrupted by a cross
 * hole: its two parts do not touch). Manual parameters are kept, the survivor's winning; the result
 * is re-measured. NOT_FOUND for an unknown instance; VALIDATION_FAILED for fewer than two instances
 * or different features.
 */
export function mergeInstances(state: LabelState, ctx: LabelContext, instanceIds: readonly string[]): LabelState {
  const ids = [...new Set(instanceIds)].sort(compareIds);
  const chosen = ids.map((id) => instanceById(state, id));
  if (chosen.length < 2) throw new AppError("VALIDATION_FAILED", "choose at least two instances to merge");
  const features = [...new Set(chosen.map((i) => i.feature))];
  if (features.length > 1) {
    throw new AppError("VALIDATION_FAILED", `instances of different features cannot merge: ${features.join(", ")}`, {
      features,
    });
  }
  const [survivor, ...others] = chosen;
  const merged = settleInstance(ctx, mergeInto(survivor!, others), true);
  const gone = new Set(others.map((i) => i.id));
  return {
    labels: [...state.labels],
    instances: state.instances.filter((i) => !gone.has(i.id)).map((i) => (i.id === merged.id ? merged : i)),
  };
}
