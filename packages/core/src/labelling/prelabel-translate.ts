import type { AnnotationDocument } from "../annotation";
import { applyMapping, type SchemaMapping } from "./schema-mapping";

/**
 * How a pre-label made in the pre-labelers' classes (the default taxonomy's keys, which the built-in
 * recogniser and remote models map into through crosswalks) reaches a dataset's label schema version:
 * - `mappings`: the dataset's version descends from the version those keys belong to; the mappings
 *   of that chain, oldest first (empty: the dataset is on that version itself);
 * - `mappings: null`: an unrelated schema: a class is kept only when the version has it.
 * Either way a class the version lacks at the end leaves the face unlabelled.
 */
export interface PrelabelTranslation {
  mappings: readonly SchemaMapping[] | null;
  /** The classes of the dataset's version. */
  keys: ReadonlySet<string>;
  /** Said in the revision's provenance: e.g. `Default v3`. */
  schema: string;
}

export interface TranslatedPrelabel {
  document: AnnotationDocument;
  /** Faces left unlabelled because the dataset's version has no class for what the models said. */
  droppedFaces: number;
  /** The models' classes that were dropped, sorted. */
  droppedClasses: string[];
}

/**
 * A pre-label in the classes of the dataset's label schema version: the chain's mappings applied in
 * order (core's applyMapping: a split class becomes its first class), then every label, instance and
 * per-model prediction the version lacks dropped (an instance of a dropped class goes with it). When
 * anything was mapped or dropped, the revision's provenance says so (`prelabelSchema`). A copy; the
 * input is not changed.
 */
export function translatePrelabel(document: AnnotationDocument, t: PrelabelTranslation): TranslatedPrelabel {
  let doc = document;
  for (const mapping of t.mappings ?? []) doc = applyMapping(doc, mapping, t.keys).document;
  const dropped = new Set<string>();
  const keep = (key: string | null): string | null => {
    if (key === null || t.keys.has(key)) return key;
    dropped.add(key);
    return null;
  };
  let droppedFaces = 0;
  const labels = doc.labels.map((l) => {
    const kept = keep(l);
    if (kept === null && l !== null) droppedFaces++;
    return kept;
  });
  const instances = doc.instances.filter((i) => keep(i.feature) !== null);
  const pre = doc.prelabel;
  const prelabel = pre && {
    ...pre,
    ...(pre.predictions
      ? {
          predictions: Object.fromEntries(
            Object.entries(pre.predictions).map(([model, ls]) => [model, ls.map((l) => keep(l))]),
          ),
        }
      : {}),
  };
  const mapped = (t.mappings?.length ?? 0) > 0;
  const note =
    mapped || dropped.size > 0
      ? {
          prelabelSchema: {
            schema: t.schema,
            via: t.mappings === null ? "classes kept by key" : `${t.mappings.length} mapping(s)`,
            droppedFaces,
            droppedClasses: [...dropped].sort(),
          },
        }
      : null;
  return {
    document: {
      ...doc,
      labels,
      instances,
      ...(prelabel ? { prelabel } : {}),
      ...(note ? { provenance: { ...doc.provenance, ...note } } : {}),
    },
    droppedFaces,
    droppedClasses: [...dropped].sort(),
  };
}
