import { AppError } from "../errors";
import { assertFaces, instanceById } from "./checks";
import { idAllocator, settleInstance } from "./instance-upkeep";
import type { LabelContext, LabelInstance, LabelState } from "./label-state";

/**
 * Move `faces` out of an instance into a new instance of the same feature (two touching holes that
 * grouping took for one). They must all be in the instance, and not all of it. Bottom faces go with
 * their faces; manual parameters stay with the original; both are re-measured. NOT_FOUND for an
 * unknown instance, VALIDATION_FAILED otherwise.
 */
export function splitInstance(
  state: LabelState,
  ctx: LabelContext,
  instanceId: string,
  faces: readonly number[],
): LabelState {
  assertFaces(state.labels.length, faces);
  const inst = instanceById(state, instanceId);
  const moving = new Set(faces);
  if (moving.size === 0) throw new AppError("VALIDATION_FAILED", "choose the faces to split off");
  const outside = [...moving].filter((f) => !inst.faces.includes(f));
  if (outside.length > 0) {
    throw new AppError("VALIDATION_FAILED", `face ${outside[0]} is not in instance ${inst.id}`, { faces: outside });
  }
  if (moving.size === inst.faces.length) {
    throw new AppError("VALIDATION_FAILED", `splitting all of instance ${inst.id} off would leave it empty`);
  }
  const part = (keep: boolean) => (f: number) => moving.has(f) !== keep;
  const rest: LabelInstance = {
    ...inst,
    faces: inst.faces.filter(part(true)),
    ...(inst.bottomFaces ? { bottomFaces: inst.bottomFaces.filter(part(true)) } : {}),
  };
  const split: LabelInstance = {
    id: idAllocator(state.instances)(),
    feature: inst.feature,
    faces: inst.faces.filter(part(false)),
    params: {},
    ...(inst.bottomFaces ? { bottomFaces: inst.bottomFaces.filter(part(false)) } : {}),
  };
  const instances = state.instances.flatMap((i) => (i.id === inst.id ? [settleInstance(ctx, rest, true)] : [i]));
  instances.push(settleInstance(ctx, split, true));
  return { labels: [...state.labels], instances };
}
