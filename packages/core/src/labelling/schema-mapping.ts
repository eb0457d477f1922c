import { z } from "zod";
import type { AnnotationDocument } from "../annotation";
import type { Taxonomy } from "../taxonomy";

const classKey = z.string().regex(/^[a-z][a-z0-9_]*$/, "class keys are snake_case");

/**
 * How the classes of one label schema version become those of the next: old key -> new key(s).
 * One target is a rename (or, when several old keys share it, a merge); several targets are a split.
 * Old keys left out keep their key, which must then exist in the new version.
 */
export const schemaMappingSchema = z
  .record(
    classKey,
    z
      .array(classKey)
      .min(1, "map a class to at least one class")
      .max(20)
      .refine((t) => new Set(t).size === t.length, "a class is listed twice among the targets"),
  )
  .refine((m) => Object.keys(m).length <= 500, "at most 500 mapped classes");

export type SchemaMapping = z.infer<typeof schemaMappingSchema>;

export type MappingChange =
  | { kind: "rename"; from: string; to: string }
  | { kind: "merge"; from: string[]; to: string }
  | { kind: "split"; from: string; to: string[] }
  | { kind: "added"; key: string };

/**
 * What a mapping from one version to the next does, and what is wrong with it (empty when it can
 * be applied): mapped classes must exist in the old version, targets in the new one, and every old
 * class missing from the new version must be mapped, so that no existing label is left without a class.
 */
export function checkMapping(
  from: Pick<Taxonomy, "featureTypes">,
  to: Pick<Taxonomy, "featureTypes">,
  mapping: SchemaMapping,
): { problems: string[]; changes: MappingChange[] } {
  const oldKeys = new Set(from.featureTypes.map((f) => f.key));
  const newKeys = new Set(to.featureTypes.map((f) => f.key));
  const problems: string[] = [];
  for (const [source, targets] of Object.entries(mapping)) {
    if (!oldKeys.has(source)) problems.push(`${source} is not a class of the old version`);
    for (const t of targets)
      if (!newKeys.has(t)) problems.push(`${source} maps to ${t}, which is not a class of the new version`);
  }
  for (const k of oldKeys) {
    if (!newKeys.has(k) && !(k in mapping)) {
      problems.push(`class ${k} is not in the new version: map it to one or more of its classes`);
    }
  }
  // sources per single target: old classes ending up in one class (kept classes count as sources too)
  const into = new Map<string, string[]>();
  for (const k of oldKeys) {
    const targets = mapping[k] ?? (newKeys.has(k) ? [k] : []);
    if (targets.length === 1) into.set(targets[0] as string, [...(into.get(targets[0] as string) ?? []), k]);
  }
  const changes: MappingChange[] = [];
  for (const [target, sources] of into) {
    if (sources.length > 1) changes.push({ kind: "merge", from: sources, to: target });
    else if (sources[0] !== target) changes.push({ kind: "rename", from: sources[0] as string, to: target });
  }
  for (const [source, targets] of Object.entries(mapping)) {
    if (targets.length > 1) changes.push({ kind: "split", from: source, to: targets });
  }
  const reached = new Set([...oldKeys].flatMap((k) => mapping[k] ?? [k]));
  for (const k of newKeys) if (!reached.has(k)) changes.push({ kind: "added", key: k });
  return { problems, changes };
}

/** One line per change, as the schema page and the API say it. */
export function describeChange(c: MappingChange): string {
  switch (c.kind) {
    case "rename":
      return `${c.from} renamed to ${c.to}`;
    case "merge":
      return `${c.from.join(", ")} merged into ${c.to}`;
    case "split":
      return `${c.from} split into ${c.to.join(", ")} (existing labels go to ${c.to[0]}; parts flagged for a person)`;
    case "added":
      return `${c.key} added`;
  }
}

export interface MappedDocument {
  document: AnnotationDocument;
  /** Whether any face label or instance changed class. */
  changed: boolean;
  /**
   * Faces whose class was split: they now carry the split's FIRST target, and a person must check
   * which of the targets each one is (the part is flagged). Sorted.
   */
  splitFaces: number[];
  /** Keys in the document that the mapping does not cover and the new version lacks (nothing is written then). */
  unknown: string[];
}

/**
 * A label document under the new version: every face label and instance feature mapped (a split
 * class goes to its first target and its faces are reported). The document is a copy; the input is
 * not changed. Keys not mapped stay as they are, and are reported as unknown when `newKeys` lacks them.
 */
export function applyMapping(
  document: AnnotationDocument,
  mapping: SchemaMapping,
  newKeys: ReadonlySet<string>,
): MappedDocument {
  const unknown = new Set<string>();
  const split = new Set<number>();
  let changed = false;
  const map = (key: string): string => {
    const targets = mapping[key];
    if (!targets) {
      if (!newKeys.has(key)) unknown.add(key);
      return key;
    }
    const first = targets[0] as string;
    if (first !== key) changed = true;
    return first;
  };
  const labels = document.labels.map((l, face) => {
    if (l === null) return null;
    if ((mapping[l]?.length ?? 0) > 1) split.add(face);
    return map(l);
  });
  const instances = document.instances.map((i) => {
    if ((mapping[i.feature]?.length ?? 0) > 1) for (const f of i.faces) split.add(f);
    return { ...i, feature: map(i.feature) };
  });
  // a pre-label's per-model answers name classes too (not counted as changes: they are what a model said)
  const pre = document.prelabel;
  const prelabel = pre?.predictions && {
    ...pre,
    predictions: Object.fromEntries(
      Object.entries(pre.predictions).map(([model, ls]) => [
        model,
        ls.map((l) => (l === null ? null : (mapping[l]?.[0] ?? l))),
      ]),
    ),
  };
  return {
    document: { ...document, labels, instances, ...(prelabel ? { prelabel } : {}) },
    changed,
    splitFaces: [...split].sort((a, b) => a - b),
    unknown: [...unknown].sort(),
  };
}
