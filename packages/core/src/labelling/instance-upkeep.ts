import type { LabelContext, LabelInstance } from "./label-state";
import { measureInstance } from "./measure-instance";

/** The numeric suffix of an instance id ("i12" -> 12), or null. */
function idNumber(id: string): number | null {
  const m = /(\d+)$/.exec(id);
  return m ? Number(m[1]) : null;
}

/** Instance ids in creation order: by numeric suffix, then as strings. */
export function compareIds(a: string, b: string): number {
  const x = idNumber(a) ?? -1;
  const y = idNumber(b) ?? -1;
  return x - y || (a < b ? -1 : a > b ? 1 : 0);
}

/** Deterministic new ids: "i" + (1 + the largest numeric suffix in use), counting up. */
export function idAllocator(instances: readonly LabelInstance[]): () => string {
  let n = instances.reduce((max, i) => Math.max(max, idNumber(i.id) ?? 0), 0);
  return () => `i${++n}`;
}

const ascending = (xs: Iterable<number>) => [...new Set(xs)].sort((a, b) => a - b);

/**
 * One instance out of several of the same feature: the first (the survivor) keeps its id; faces and
 * bottom faces are united; manual parameters are kept, the survivor's value winning.
 */
export function mergeInto(survivor: LabelInstance, others: readonly LabelInstance[], extraFaces: number[] = []) {
  const all = [survivor, ...others];
  const params: Record<string, number> = {};
  const manual: string[] = [];
  for (const inst of all) {
    for (const k of inst.manualParams ?? []) {
      if (manual.includes(k) || inst.params[k] === undefined) continue;
      manual.push(k);
      params[k] = inst.params[k];
    }
  }
  for (const inst of all) for (const [k, v] of Object.entries(inst.params)) if (!(k in params)) params[k] = v;
  const merged: LabelInstance = {
    id: survivor.id,
    feature: survivor.feature,
    faces: ascending([...all.flatMap((i) => i.faces), ...extraFaces]),
    params,
  };
  const bottom = all.flatMap((i) => i.bottomFaces ?? []);
  if (bottom.length > 0) merged.bottomFaces = ascending(bottom);
  if (manual.length > 0) merged.manualParams = manual;
  return merged;
}

/**
 * Bring an instance whose faces, bottom faces or manual parameters changed back in order: faces
 * ascending, bottom faces among its faces, measured parameters re-measured (manual ones kept,
 * unmeasurable ones left as they were), manual keys that have no value dropped. `facesChanged`
 * drops a model's confidence: a person has decided.
 */
export function settleInstance(ctx: LabelContext, inst: LabelInstance, facesChanged: boolean): LabelInstance {
  const faces = ascending(inst.faces);
  const members = new Set(faces);
  const bottom = ascending((inst.bottomFaces ?? []).filter((f) => members.has(f)));
  const manual = new Set((inst.manualParams ?? []).filter((k) => inst.params[k] !== undefined));
  const params = { ...inst.params };
  const type = ctx.taxonomy.featureTypes.find((t) => t.key === inst.feature);
  if (type) {
    const measured = measureInstance(ctx, inst.feature, faces, bottom);
    for (const p of type.parameters) {
      if (p.measuredFrom === "manual" || manual.has(p.key)) continue;
      const value = measured[p.key];
      if (value === undefined) delete params[p.key];
      else params[p.key] = value;
    }
  }
  const out: LabelInstance = { id: inst.id, feature: inst.feature, faces, params };
  if (bottom.length > 0) out.bottomFaces = bottom;
  if (manual.size > 0) out.manualParams = [...manual].sort();
  if (inst.confidence !== undefined && !facesChanged) out.confidence = inst.confidence;
  return out;
}
