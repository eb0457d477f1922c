import {
  type CatalogFilter,
  type CountOp,
  catalogFilterQuery,
  isAppError,
  type PartStatus,
  parseCatalogFilter,
  type SurfaceType,
} from "@facet/core";

/** The filter form's fields as typed (strings), before they become a filter. */
export interface FilterDraft {
  q: string;
  statuses: PartStatus[];
  has: string[];
  counts: Array<{ feature: string; op: CountOp; value: string }>;
  facesMin: string;
  facesMax: string;
  surfaces: SurfaceType[];
  tags: string[];
  /** Split names; "none" for parts without a split. */
  splits: string[];
  annotators: string[];
  addedMin: string;
  addedMax: string;
  changedMin: string;
  changedMax: string;
}

const text = (v: string | number | undefined) => (v === undefined ? "" : String(v));

export function draftOf(f: CatalogFilter): FilterDraft {
  return {
    q: f.q ?? "",
    statuses: f.statuses ?? [],
    has: f.has ?? [],
    counts: (f.counts ?? []).map((c) => ({ feature: c.feature, op: c.op, value: String(c.value) })),
    facesMin: text(f.faces?.min),
    facesMax: text(f.faces?.max),
    surfaces: f.surfaces ?? [],
    tags: f.tags ?? [],
    splits: (f.splits ?? []).map((s) => s ?? "none"),
    annotators: f.annotators ?? [],
    addedMin: f.added?.min ?? "",
    addedMax: f.added?.max ?? "",
    changedMin: f.changed?.min ?? "",
    changedMax: f.changed?.max ?? "",
  };
}

const range = (min: string, max: string) => {
  const lo = min.trim();
  const hi = max.trim();
  if (!lo && !hi) return null;
  return lo === hi ? lo : `${lo}..${hi}`;
};

/**
 * The draft as the filter's query string, checked by the same parser the server uses: either the
 * canonical query (sort kept) or the parser's message, so a mistake is said before anything loads.
 */
export function queryOfDraft(d: FilterDraft, sort: CatalogFilter["sort"]): { query: string } | { error: string } {
  const p = new URLSearchParams();
  const set = (name: string, v: string | null) => {
    if (v) p.set(name, v);
  };
  set("status", d.statuses.join(","));
  set("has", d.has.join(","));
  for (const c of d.counts) if (c.feature && c.value.trim()) p.append("count", `${c.feature}${c.op}${c.value.trim()}`);
  set("faces", range(d.facesMin, d.facesMax));
  set("surface", d.surfaces.join(","));
  set("tag", d.tags.join(","));
  set("split", d.splits.join(","));
  set("annotator", d.annotators.join(","));
  set("added", range(d.addedMin, d.addedMax));
  set("changed", range(d.changedMin, d.changedMax));
  set("q", d.q.trim());
  try {
    return { query: catalogFilterQuery({ ...parseCatalogFilter(p), sort }) };
  } catch (e) {
    if (isAppError(e)) return { error: e.message };
    throw e;
  }
}

/** A list with `v` in or out. */
export function toggled<T>(list: readonly T[], v: T, on: boolean): T[] {
  return on ? (list.includes(v) ? [...list] : [...list, v]) : list.filter((x) => x !== v);
}
