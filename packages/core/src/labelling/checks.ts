import { AppError } from "../errors";
import type { FeatureType, Taxonomy } from "../taxonomy";
import type { LabelInstance, LabelState } from "./label-state";

/** Throw VALIDATION_FAILED unless every face is an index of a part of `faceCount` faces. */
export function assertFaces(faceCount: number, faces: Iterable<number>): void {
  for (const f of faces) {
    if (!Number.isInteger(f) || f < 0 || f >= faceCount) {
      throw new AppError("VALIDATION_FAILED", `face ${f} does not exist (the part has ${faceCount} faces)`, {
        face: f,
      });
    }
  }
}

/** The taxonomy's feature type `key`, or VALIDATION_FAILED. */
export function featureType(taxonomy: Taxonomy, key: string): FeatureType {
  const type = taxonomy.featureTypes.find((t) => t.key === key);
  if (!type) throw new AppError("VALIDATION_FAILED", `${key} is not a feature type of this taxonomy`, { feature: key });
  return type;
}

/** The state's instance `id`, or NOT_FOUND. */
export function instanceById(state: LabelState, id: string): LabelInstance {
  const inst = state.instances.find((i) => i.id === id);
  if (!inst) throw new AppError("NOT_FOUND", `there is no instance ${id}`, { instance: id });
  return inst;
}
