import { AppError } from "../errors";
import { assertFaces } from "./checks";
import { settleInstance } from "./instance-upkeep";
import { instanceOfFace, type LabelContext, type LabelState } from "./label-state";

/**
 * Mark `face` as a bottom face of its instance, or unmark it; the instance is re-measured (its
 * bounding-box depth runs along the bottom's normal). VALIDATION_FAILED when the face is in no instance.
 */
export function toggleBottomFace(state: LabelState, ctx: LabelContext, face: number): LabelState {
  assertFaces(state.labels.length, [face]);
  const inst = instanceOfFace(state, face);
  if (!inst) throw new AppError("VALIDATION_FAILED", `face ${face} is in no instance`, { face });
  const bottom = inst.bottomFaces ?? [];
  const bottomFaces = bottom.includes(face) ? bottom.filter((f) => f !== face) : [...bottom, face];
  const updated = settleInstance(ctx, { ...inst, bottomFaces }, false);
  return { labels: [...state.labels], instances: state.instances.map((i) => (i.id === inst.id ? updated : i)) };
}
