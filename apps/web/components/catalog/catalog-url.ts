import { type CatalogFilter, type CatalogSortKey, catalogFilterQuery } from "@facet/core";

/**
 * The catalog page's address: the catalog filter syntax (packages/core catalog-filter.ts) plus
 * `dataset` (an id), `view` (`grid`; the table when absent) and `cursor` (the API's keyset cursor
 * of the page shown). Everything the page shows is in it, so reload, Back and a shared link agree.
 */

export type CatalogView = "table" | "grid";
export const CATALOG_PAGE_SIZE = 50;
/** Parameters of the page that are not part of the filter. */
export const CATALOG_PAGE_PARAMS = ["dataset", "view", "cursor"] as const;

export interface CatalogPlace {
  /** The filter as a query string (catalogFilterQuery), sort included. */
  query: string;
  dataset: string | null;
  view: CatalogView;
  cursor?: string | null;
}

/** The page's href for a place in the catalog (no `?` when nothing is set). */
export function catalogHref(base: string, place: CatalogPlace): string {
  const p = new URLSearchParams();
  if (place.dataset) p.set("dataset", place.dataset);
  for (const [k, v] of new URLSearchParams(place.query)) p.append(k, v);
  if (place.view === "grid") p.set("view", "grid");
  if (place.cursor) p.set("cursor", place.cursor);
  const s = p.toString();
  return s ? `${base}?${s}` : base;
}

/** A page's `searchParams` (Next.js: repeated keys as arrays) as URLSearchParams, in their order. */
export function toSearchParams(raw: Record<string, string | string[] | undefined>): URLSearchParams {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(raw)) {
    for (const one of Array.isArray(v) ? v : v === undefined ? [] : [v]) p.append(k, one);
  }
  return p;
}

/** The same filter sorted another way. */
export function withSort(filter: CatalogFilter, key: CatalogSortKey, descending: boolean): string {
  return catalogFilterQuery({ ...filter, sort: { key, descending } });
}

/** "1 234 parts": thousands grouped by a narrow no-break space, the noun agreeing with the number. */
export function partCount(n: number): string {
  const digits = String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f");
  return `${digits} ${n === 1 ? "part" : "parts"}`;
}
