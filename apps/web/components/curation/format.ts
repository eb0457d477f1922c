/** Small formatting shared by the curation pages (server and client). */

/** "80%" (or "80.5%" under 10%), or "—" when there is nothing to share. */
export function percent(part: number, whole: number): string {
  if (whole <= 0) return "—";
  const p = (100 * part) / whole;
  return `${p < 10 && p > 0 ? p.toFixed(1) : Math.round(p)}%`;
}

export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return "—";
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

/** The name a split has in tables: parts without one are "no split". */
export const NO_SPLIT_KEY = "(none)";
export const splitLabel = (split: string | null): string =>
  split === null || split === NO_SPLIT_KEY ? "no split" : split;

/** The first characters of a hash, for a table (the whole one in the title). */
export const shortHash = (hash: string): string => hash.slice(0, 12);

/** A page's search parameters as Next.js gives them. */
export type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** The first value of a search parameter ("" when absent). */
export const firstParam = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[0] ?? "") : (v ?? ""));

const USUAL_SPLITS = ["train", "training", "val", "validation", "dev", "test"];

/** Splits in the order people read them: train, validation, test, then others by name, "no split" last. */
export function compareSplits(a: string | null, b: string | null): number {
  const rank = (s: string | null) => {
    if (s === null || s === NO_SPLIT_KEY) return USUAL_SPLITS.length + 1;
    const i = USUAL_SPLITS.indexOf(s);
    return i < 0 ? USUAL_SPLITS.length : i;
  };
  return rank(a) - rank(b) || (a ?? "").localeCompare(b ?? "");
}
