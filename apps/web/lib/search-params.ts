import { uuidSchema } from "@facet/core";

/** A page's query parameter as one non-empty string, or null (absent, empty, or given twice). */
export function oneParam(v: string | string[] | undefined): string | null {
  return typeof v === "string" && v.length > 0 ? v : null;
}

/** A query parameter that must be a uuid (a dataset, an annotator); anything else counts as absent. */
export function uuidParam(v: string | string[] | undefined): string | null {
  const s = oneParam(v);
  return s !== null && uuidSchema.safeParse(s).success ? s : null;
}

/** A page's query as URLSearchParams, keeping parameters given once (a repeated one is ignored). */
export function pageSearch(raw: Record<string, string | string[] | undefined>): URLSearchParams {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(raw)) if (typeof v === "string") search.set(k, v);
  return search;
}
