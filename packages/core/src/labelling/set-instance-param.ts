import { AppError } from "../errors";
import { featureType, instanceById } from "./checks";
import { settleInstance } from "./instance-upkeep";
import type { LabelContext, LabelState } from "./label-state";

/**
 * Set a parameter of an instance by hand: it becomes manual, and measurement leaves it alone. null
 * removes the override and re-measures. The key must be a parameter of the instance's feature; the
 * value finite and >= 0. NOT_FOUND for an unknown instance, VALIDATION_FAILED otherwise.
 */
export function setInstanceParam(
  state: LabelState,
  ctx: LabelContext,
  instanceId: string,
  key: string,
  value: number | null,
): LabelState {
  const inst = instanceById(state, instanceId);
  const type = featureType(ctx.taxonomy, inst.feature);
  if (!type.parameters.some((p) => p.key === key)) {
    throw new AppError("VALIDATION_FAILED", `${type.name} has no parameter ${key}`, { key });
  }
  if (value !== null && !(Number.isFinite(value) && value >= 0)) {
    throw new AppError("VALIDATION_FAILED", `${key} must be a number of at least 0, not ${value}`, { key });
  }
  const manual = (inst.manualParams ?? []).filter((k) => k !== key);
  const params = { ...inst.params };
  if (value === null) delete params[key];
  else {
    params[key] = value;
    manual.push(key);
  }
  const updated = settleInstance(ctx, { ...inst, params, manualParams: manual }, false);
  return { labels: [...state.labels], instances: state.instances.map((i) => (i.id === inst.id ? updated : i)) };
}
