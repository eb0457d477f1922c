import type { CatalogRow } from "@facet/db";
import type { Api } from "../http";
import { wsPath } from "./pull";

export interface QueryResult {
  parts: CatalogRow[];
  total: number;
  /** More rows match than were fetched (the limit was reached). */
  truncated: boolean;
}

const PAGE = 500;

/**
 * `facet query --dataset D [--filter Q] [--limit N | --all]`: the catalog's rows for a filter (the
 * catalog page's query string syntax), a page at a time with the cursor, up to `limit` rows.
 */
export async function queryCatalog(
  api: Api,
  opts: { workspace: string; dataset: string; filter: string; limit: number | null },
): Promise<QueryResult> {
  const parts: CatalogRow[] = [];
  let cursor: string | null = null;
  let total = 0;
  for (;;) {
    const want = opts.limit === null ? PAGE : Math.min(PAGE, opts.limit - parts.length);
    const q = new URLSearchParams(opts.filter.replace(/^\?/, ""));
    q.set("dataset", opts.dataset);
    q.set("limit", String(want));
    if (cursor) q.set("cursor", cursor);
    // the total is counted on the first page only
    const page: { parts: CatalogRow[]; nextCursor: string | null; total: number | null } = await api.call(
      "GET",
      `${wsPath(opts.workspace)}/catalog?${q}`,
    );
    parts.push(...page.parts);
    total = page.total ?? total;
    cursor = page.nextCursor;
    if (!cursor) return { parts, total, truncated: false };
    if (opts.limit !== null && parts.length >= opts.limit) return { parts, total, truncated: true };
  }
}

/** `blind_hole×2` for a class with instances, the bare name for one labelled without any. */
export function featureCell(row: Pick<CatalogRow, "features" | "instanceCounts">): string {
  const names = [...new Set([...row.features, ...Object.keys(row.instanceCounts)])].sort();
  return names.map((f) => (row.instanceCounts[f] ? `${f}×${row.instanceCounts[f]}` : f)).join(" ");
}

/** Rows as aligned columns (the last column is not padded). */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

export function describeQuery(r: QueryResult): string {
  const rows = r.parts.map((p) => [
    p.name,
    p.status,
    p.split ?? "-",
    p.faceCount === null ? "-" : String(p.faceCount),
    featureCell(p) || "-",
    p.tags.join(",") || "-",
  ]);
  const body = rows.length ? `${table(["NAME", "STATUS", "SPLIT", "FACES", "FEATURES", "TAGS"], rows)}\n` : "";
  const more = r.truncated ? " (raise --limit or pass --all for the rest)" : "";
  return `${body}${r.parts.length} of ${r.total} matching part(s) shown${more}`;
}
