import type { FeatureType } from "../taxonomy";
import type { SchemaMapping } from "./schema-mapping";

/**
 * A class as the schema editor holds it: `from` is the class of the version being edited it comes
 * from (null: a new class); several rows with the same `from` are a split (the first row listed is
 * where existing labels go); `parent` names another row (by uid), so that renaming a parent keeps it.
 */
export interface ClassDraft {
  uid: string;
  from: string | null;
  parent: string | null;
  type: Omit<FeatureType, "parent">;
}

/** An old class removed by merging it into another row (by uid). */
export interface MergeDraft {
  from: string;
  into: string;
}

/** The classes the editor's rows make, parents resolved to keys. */
export function draftFeatureTypes(rows: readonly ClassDraft[]): FeatureType[] {
  const keyOf = new Map(rows.map((r) => [r.uid, r.type.key]));
  return rows.map((r) => ({ ...r.type, parent: r.parent === null ? null : (keyOf.get(r.parent) ?? null) }));
}

/**
 * The mapping the edits amount to, from the old version's classes: a class renamed or split maps to
 * its rows' keys (in row order), a class merged away to the key of the row it went into; classes
 * kept under their own key are left out. A class removed without a merge stays unmapped (checkMapping
 * says so).
 */
export function mappingFromDrafts(
  oldKeys: readonly string[],
  rows: readonly ClassDraft[],
  merges: readonly MergeDraft[],
): SchemaMapping {
  const mapping: SchemaMapping = {};
  for (const k of oldKeys) {
    let targets = rows.filter((r) => r.from === k).map((r) => r.type.key);
    if (targets.length === 0) {
      const into = rows.find((r) => r.uid === merges.find((m) => m.from === k)?.into);
      targets = into ? [into.type.key] : [];
    }
    if (targets.length > 0 && !(targets.length === 1 && targets[0] === k)) mapping[k] = [...new Set(targets)];
  }
  return mapping;
}
