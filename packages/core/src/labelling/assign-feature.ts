import { assertFaces, featureType } from "./checks";
import { compareIds, idAllocator, mergeInto, settleInstance } from "./instance-upkeep";
import type { LabelContext, LabelInstance, LabelState } from "./label-state";

/**
 * Give `faces` the feature (null clears their labels), keeping instances grouped as a person would:
 * faces of one non-stock feature that touch form an instance. Newly labelled faces join an adjacent
 * instance of the same feature; when they touch several, those merge into one (the lowest id
 * survives); otherwise each connected group of new faces becomes a new instance. A new group also
 * takes in adjacent faces that carry the feature but belong to no instance (labels imported without
 * instances). Faces leaving a feature leave their instance, and empty instances disappear; stock
 * faces belong to no instance. Touched instances are re-measured, manual parameters kept.
 * VALIDATION_FAILED for an unknown feature or face.
 */
export function assignFeature(
  state: LabelState,
  ctx: LabelContext,
  faces: readonly number[],
  feature: string | null,
): LabelState {
  assertFaces(state.labels.length, faces);
  const grouped = feature !== null && !featureType(ctx.taxonomy, feature).isStock;
  const targets = new Set(faces);
  const labels = state.labels.map((l, i) => (targets.has(i) ? feature : l));

  const touched = new Set<string>();
  const working = new Map<string, LabelInstance>();
  for (const inst of state.instances) {
    const stays = grouped && inst.feature === feature;
    const kept = stays ? inst.faces : inst.faces.filter((f) => !targets.has(f));
    if (kept.length === inst.faces.length) working.set(inst.id, inst);
    else {
      touched.add(inst.id);
      working.set(inst.id, { ...inst, faces: kept });
    }
  }

  if (grouped && feature !== null) {
    const owner = new Map<number, string>(); // face -> instance of `feature`
    const inAny = new Set<number>();
    for (const inst of working.values()) {
      for (const f of inst.faces) {
        inAny.add(f);
        if (inst.feature === feature) owner.set(f, inst.id);
      }
    }
    const nextId = idAllocator(state.instances);
    const pending = [...targets].filter((f) => !owner.has(f)).sort((a, b) => a - b);
    const placed = new Set<number>();
    for (const start of pending) {
      if (placed.has(start)) continue;
      // a connected group of faces that carry the feature and have no instance yet
      const group = [start];
      placed.add(start);
      for (let k = 0; k < group.length; k++) {
        for (const n of ctx.graph.neighbours(group[k] as number)) {
          if (!placed.has(n) && labels[n] === feature && !inAny.has(n)) {
            placed.add(n);
            group.push(n);
          }
        }
      }
      const adjacent = new Set<string>();
      for (const f of group) for (const n of ctx.graph.neighbours(f)) if (owner.has(n)) adjacent.add(owner.get(n)!);
      const ids = [...adjacent].sort(compareIds);
      const [survivorId, ...others] = ids;
      const merged =
        survivorId === undefined
          ? { id: nextId(), feature, faces: group, params: {} }
          : mergeInto(
              working.get(survivorId)!,
              others.map((id) => working.get(id)!),
              group,
            );
      for (const id of others) working.delete(id);
      working.set(merged.id, merged);
      touched.add(merged.id);
      for (const f of merged.faces) {
        owner.set(f, merged.id);
        inAny.add(f);
      }
    }
  }

  const instances = [...working.values()]
    .filter((inst) => inst.faces.length > 0)
    .map((inst) => (touched.has(inst.id) ? settleInstance(ctx, inst, true) : inst));
  return { labels, instances };
}
