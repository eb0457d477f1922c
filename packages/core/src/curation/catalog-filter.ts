import { z } from "zod";
import { AppError } from "../errors";
import { PART_STATUSES, type PartStatus } from "../status";
import { SPLIT_NAME_PATTERN as SPLIT } from "./splits";

/**
 * The catalog's filter, one syntax everywhere: the query string of the catalog page's URL, the
 * `?…` of the catalog API and `facet query --filter`. Every parameter narrows the result (AND);
 * a parameter with several comma-separated values means any of them (status, split, annotator)
 * or all of them (has, surface, tag), as the names say.
 *
 *   status=approved,in_review      the part's status is one of these
 *   has=blind_hole,slot            its latest labels include all these feature classes
 *   count=blind_hole>=2            instances of a class (repeatable; >=, <=, =, >, <)
 *   faces=10..200                  its face count (either bound may be left out: 10.., ..200)
 *   surface=cylinder,torus         its geometry has all these surface types
 *   tag=fixture,rework             it carries all these tags
 *   split=train,none               its split is one of these (`none`: no split yet)
 *   annotator=<user id>            the author of its latest human revision is one of these
 *   added=2026-01-01..2026-06-30   the day it was added (inclusive, UTC)
 *   changed=2026-11-01..           the day its status last changed
 *   q=bracket                      its name contains this (case-insensitive)
 *   sort=-added                    name, added, changed, faces, status; `-` for descending
 */

const FEATURE = /^[a-z][a-z0-9_]*$/;
const TAG = /^[^,\p{Cc}]{1,64}$/u;
const SURFACES = ["plane", "cylinder", "cone", "sphere", "torus", "bspline", "other"] as const;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const CATALOG_SORTS = ["name", "added", "changed", "faces", "status"] as const;
export type CatalogSortKey = (typeof CATALOG_SORTS)[number];
export const COUNT_OPS = [">=", "<=", "=", ">", "<"] as const;
export type CountOp = (typeof COUNT_OPS)[number];
export type SurfaceType = (typeof SURFACES)[number];

export const SURFACE_TYPES: readonly SurfaceType[] = SURFACES;

export interface CountCondition {
  feature: string;
  op: CountOp;
  value: number;
}

export interface Range<T> {
  min?: T;
  max?: T;
}

export interface CatalogFilter {
  statuses?: PartStatus[];
  has?: string[];
  counts?: CountCondition[];
  faces?: Range<number>;
  surfaces?: SurfaceType[];
  tags?: string[];
  /** Split names; `null` stands for "no split yet". */
  splits?: (string | null)[];
  annotators?: string[];
  added?: Range<string>;
  changed?: Range<string>;
  q?: string;
  sort: { key: CatalogSortKey; descending: boolean };
}

const MAX_VALUES = 50;

const list = (raw: string): string[] =>
  raw
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v.length > 0);

function bad(message: string): never {
  throw new AppError("VALIDATION_FAILED", `catalog filter: ${message}`);
}

function values(name: string, raw: string, ok: (v: string) => boolean, what: string): string[] {
  const vs = list(raw);
  if (vs.length === 0) bad(`${name} is empty`);
  if (vs.length > MAX_VALUES) bad(`${name} has more than ${MAX_VALUES} values`);
  for (const v of vs) if (!ok(v)) bad(`${name}: "${v}" is not ${what}`);
  return [...new Set(vs)];
}

/** A `min..max`, `min..`, `..max` or single-value parameter; `fail` refuses in the caller's words. */
export function range<T>(
  name: string,
  raw: string,
  parse: (v: string) => T | undefined,
  what: string,
  fail: (message: string) => never = bad,
): Range<T> {
  const m = /^([^.]*)(?:\.\.([^.]*))?$/.exec(raw.trim());
  if (!m) fail(`${name}: "${raw}" is not a range (min..max, min.. or ..max)`);
  const [lo, hi] = m[2] === undefined ? [m[1], m[1]] : [m[1], m[2]];
  const r: Range<T> = {};
  for (const [key, v] of [
    ["min", lo],
    ["max", hi],
  ] as const) {
    if (!v) continue;
    const parsed = parse(v);
    if (parsed === undefined) fail(`${name}: "${v}" is not ${what}`);
    r[key] = parsed;
  }
  if (r.min === undefined && r.max === undefined) fail(`${name} has no bound`);
  if (r.min !== undefined && r.max !== undefined && (r.min as number | string) > (r.max as number | string))
    fail(`${name}: the lower bound is above the upper`);
  return r;
}

const count = (v: string): number | undefined => {
  if (!/^\d{1,7}$/.test(v)) return undefined;
  return Number(v);
};
/** A calendar day written YYYY-MM-DD that exists, or undefined. */
export const day = (v: string): string | undefined => {
  if (!DAY.test(v)) return undefined;
  const d = new Date(`${v}T00:00:00Z`);
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== v ? undefined : v;
};

function countCondition(raw: string): CountCondition {
  const m = /^([a-z][a-z0-9_]*)\s*(>=|<=|=|>|<)\s*(\d{1,7})$/.exec(raw.trim());
  if (!m) bad(`count: "${raw}" is not <class><op><number> (for example blind_hole>=2)`);
  return { feature: m[1] as string, op: m[2] as CountOp, value: Number(m[3]) };
}

const KNOWN = new Set([
  "status",
  "has",
  "count",
  "faces",
  "surface",
  "tag",
  "split",
  "annotator",
  "added",
  "changed",
  "q",
  "sort",
]);

/**
 * Read a filter from a query string (with or without `?`) or URLSearchParams. Parameters this
 * filter does not know (paging, view, …) are left to the caller when `ignore` lists them; any
 * other unknown parameter is refused, so a typo never silently widens a snapshot.
 */
export function parseCatalogFilter(
  input: string | URLSearchParams,
  options: { ignore?: readonly string[] } = {},
): CatalogFilter {
  const params = typeof input === "string" ? new URLSearchParams(input.replace(/^\?/, "")) : input;
  const ignore = new Set(options.ignore ?? []);
  const f: CatalogFilter = { sort: { key: "added", descending: true } };
  const seen = new Set<string>();
  for (const [name, raw] of params) {
    if (ignore.has(name)) continue;
    if (!KNOWN.has(name)) bad(`unknown parameter "${name}" (known: ${[...KNOWN].join(", ")})`);
    if (name !== "count" && seen.has(name)) bad(`${name} is given twice: list its values with commas`);
    seen.add(name);
    if (raw.length > 2000) bad(`${name} is too long`);
    switch (name) {
      case "status":
        f.statuses = values(
          name,
          raw,
          (v) => (PART_STATUSES as readonly string[]).includes(v),
          "a status",
        ) as PartStatus[];
        break;
      case "has":
        f.has = values(name, raw, (v) => FEATURE.test(v), "a feature key");
        break;
      case "count":
        f.counts = [...(f.counts ?? []), countCondition(raw)];
        if (f.counts.length > MAX_VALUES) bad(`more than ${MAX_VALUES} count conditions`);
        break;
      case "faces":
        f.faces = range(name, raw, count, "a whole number");
        break;
      case "surface":
        f.surfaces = values(
          name,
          raw,
          (v) => (SURFACES as readonly string[]).includes(v),
          "a surface type",
        ) as SurfaceType[];
        break;
      case "tag":
        f.tags = values(name, raw, (v) => TAG.test(v), "a tag");
        break;
      case "split":
        f.splits = values(name, raw, (v) => v === "none" || SPLIT.test(v), "a split name").map((v) =>
          v === "none" ? null : v,
        );
        break;
      case "annotator":
        f.annotators = values(name, raw, (v) => UUID.test(v), "a user id").map((v) => v.toLowerCase());
        break;
      case "added":
      case "changed":
        f[name] = range(name, raw, day, "a day (YYYY-MM-DD)");
        break;
      case "q": {
        const q = raw.trim();
        if (q.length > 200) bad("q is longer than 200 characters");
        if (/\p{Cc}/u.test(q)) bad("q contains control characters");
        if (q) f.q = q;
        break;
      }
      case "sort": {
        const descending = raw.startsWith("-");
        const key = raw.replace(/^-/, "");
        if (!(CATALOG_SORTS as readonly string[]).includes(key))
          bad(`sort: "${raw}" is not one of ${CATALOG_SORTS.join(", ")} (prefix - for descending)`);
        f.sort = { key: key as CatalogSortKey, descending };
        break;
      }
    }
  }
  return f;
}

const rangeText = <T>(r: Range<T>): string =>
  r.min !== undefined && r.max !== undefined && r.min === r.max ? String(r.min) : `${r.min ?? ""}..${r.max ?? ""}`;

/** The filter as a query string (no `?`), parameters in a fixed order: parse(stringify(f)) = f. */
export function catalogFilterQuery(f: Omit<CatalogFilter, "sort"> & { sort?: CatalogFilter["sort"] }): string {
  const p = new URLSearchParams();
  if (f.statuses?.length) p.set("status", f.statuses.join(","));
  if (f.has?.length) p.set("has", f.has.join(","));
  for (const c of f.counts ?? []) p.append("count", `${c.feature}${c.op}${c.value}`);
  if (f.faces) p.set("faces", rangeText(f.faces));
  if (f.surfaces?.length) p.set("surface", f.surfaces.join(","));
  if (f.tags?.length) p.set("tag", f.tags.join(","));
  if (f.splits?.length) p.set("split", f.splits.map((s) => s ?? "none").join(","));
  if (f.annotators?.length) p.set("annotator", f.annotators.join(","));
  if (f.added) p.set("added", rangeText(f.added));
  if (f.changed) p.set("changed", rangeText(f.changed));
  if (f.q) p.set("q", f.q);
  if (f.sort && !(f.sort.key === "added" && f.sort.descending))
    p.set("sort", `${f.sort.descending ? "-" : ""}${f.sort.key}`);
  return p.toString();
}

/** Whether a filter narrows anything (sorting aside). */
export function isEmptyCatalogFilter(f: CatalogFilter): boolean {
  return catalogFilterQuery({ ...f, sort: undefined }) === "";
}

/** Tags as people type them: trimmed, no commas or control characters, at most 64 characters. */
export const tagSchema = z.string().trim().regex(TAG, "a tag is 1–64 characters without commas or control characters");
