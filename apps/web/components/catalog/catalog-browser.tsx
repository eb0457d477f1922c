"use client";

import type { CatalogFilter, CatalogSortKey } from "@facet/core";
import type { CatalogOptions, CatalogRow, SavedFilter } from "@facet/db";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type ReactNode, Suspense, use, useEffect, useMemo, useState } from "react";
import { DatasetOptions } from "../dataset-options";
import { BulkActions } from "./bulk-actions";
import { CatalogFilters } from "./catalog-filters";
import { CatalogGrid, CatalogTable, type Selection } from "./catalog-results";
import { type CatalogView, catalogHref, partCount, withSort } from "./catalog-url";
import { SavedFilters } from "./saved-filters";
import { usePages } from "./use-pages";

export interface CatalogBrowserProps {
  workspace: string;
  base: string;
  datasets: Array<{ id: string; name: string }>;
  dataset: string | null;
  view: CatalogView;
  /** The filter shown (the empty filter when the address's could not be read). */
  filter: CatalogFilter;
  /** The filter as its query string (sort included). */
  query: string;
  cursor: string | null;
  /** Null when the address was refused (`problem` says why). */
  /** `totalCapped`: more parts match than `total` (the catalog counts exactly up to a cap). */
  result: { rows: CatalogRow[]; total: number; totalCapped: boolean; nextCursor: string | null } | null;
  problem: string | null;
  /** What the filters offer, with counts: streamed after the results (it reads the whole scope). */
  options: Promise<CatalogOptions>;
  featureNames: Record<string, string>;
  savedFilters: SavedFilter[];
  canCurate: boolean;
}

const SORTS: Array<[key: CatalogSortKey, descending: boolean, label: string]> = [
  ["added", true, "Newest first"],
  ["added", false, "Oldest first"],
  ["name", false, "Name, A to Z"],
  ["name", true, "Name, Z to A"],
  ["faces", true, "Most faces"],
  ["faces", false, "Fewest faces"],
  ["changed", true, "Status changed, latest first"],
  ["changed", false, "Status changed, earliest first"],
  ["status", false, "Status"],
  ["status", true, "Status, reversed"],
];

/** Children given the catalog's options once they have come (suspends until then). */
function WithOptions(props: { options: Promise<CatalogOptions>; children: (options: CatalogOptions) => ReactNode }) {
  return props.children(use(props.options));
}

/** The catalog of parts: the dataset picker, filters, a page of results as a table or a grid, paging, selection. */
export function CatalogBrowser(props: CatalogBrowserProps) {
  const { workspace, base, dataset, view, filter, query, cursor, result } = props;
  const router = useRouter();
  const rows = result?.rows ?? [];
  const place = { query, dataset, view };
  const go = (href: string) => router.push(href);
  const sortTo = (key: CatalogSortKey, descending: boolean) =>
    go(catalogHref(base, { ...place, query: withSort(filter, key, descending) }));

  // the selection lives on one page of one filter; it keeps the parts still shown after an action
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const pageKey = `${dataset}|${query}|${cursor}`;
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new page (key) starts with nothing selected
  useEffect(() => setPicked(new Set()), [pageKey]);
  const rowIds = rows.map((r) => r.id).join(",");
  useEffect(() => {
    const shown = new Set(rowIds.split(","));
    setPicked((p) => ([...p].every((id) => shown.has(id)) ? p : new Set([...p].filter((id) => shown.has(id)))));
  }, [rowIds]);
  const selection: Selection | null = useMemo(
    () =>
      props.canCurate
        ? {
            has: (id) => picked.has(id),
            toggle: (id, on) =>
              setPicked((p) => {
                const n = new Set(p);
                if (on) n.add(id);
                else n.delete(id);
                return n;
              }),
          }
        : null,
    [picked, props.canCurate],
  );
  const onPage = rows.filter((r) => picked.has(r.id)).length;
  const allSelected = onPage === 0 ? "none" : onPage === rows.length ? "all" : "some";

  const pages = usePages(
    (c) => catalogHref(base, { ...place, cursor: c }),
    `${dataset ?? ""}?${query}`,
    cursor,
    result?.nextCursor ?? null,
  );
  const datasetNames = Object.fromEntries(props.datasets.map((d) => [d.id, d.name]));
  /** Bulk tags and splits on the selection, suggesting the tags and splits the scope has. */
  const bulk = (tags: string[], splits: string[]) => (
    <BulkActions
      workspace={workspace}
      selected={[...picked]}
      tags={tags}
      splits={splits}
      onClear={() => setPicked(new Set())}
    />
  );

  return (
    <div className="catalog">
      <div className="catalog-side">
        <Suspense
          fallback={
            <p className="muted" data-testid="catalog-filters-loading">
              Loading filters…
            </p>
          }
        >
          <WithOptions options={props.options}>
            {(options) => (
              <CatalogFilters
                base={base}
                filter={filter}
                dataset={dataset}
                view={view}
                options={options}
                featureNames={props.featureNames}
              />
            )}
          </WithOptions>
        </Suspense>
        <SavedFilters
          workspace={workspace}
          base={base}
          filters={props.savedFilters}
          query={query}
          dataset={dataset}
          view={view}
          datasetNames={datasetNames}
        />
      </div>
      <div className="catalog-body">
        <div className="row catalog-toolbar">
          <label className="catalog-inline">
            Dataset
            <select
              aria-label="Dataset"
              value={dataset ?? ""}
              onChange={(e) => go(catalogHref(base, { ...place, dataset: e.currentTarget.value || null }))}
            >
              <DatasetOptions datasets={props.datasets} all="All datasets" />
            </select>
          </label>
          <label className="catalog-inline">
            Sort
            <select
              aria-label="Sort"
              value={`${filter.sort.descending ? "-" : ""}${filter.sort.key}`}
              onChange={(e) => {
                const v = e.currentTarget.value;
                sortTo(v.replace(/^-/, "") as CatalogSortKey, v.startsWith("-"));
              }}
            >
              {SORTS.map(([key, desc, label]) => (
                <option key={`${key}${desc}`} value={`${desc ? "-" : ""}${key}`}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <fieldset className="wb-group" aria-label="View">
            {(["table", "grid"] as const).map((v) => (
              <button
                key={v}
                type="button"
                className={view === v ? "on" : ""}
                aria-pressed={view === v}
                onClick={() => go(catalogHref(base, { ...place, view: v, cursor }))}
              >
                {v === "table" ? "Table" : "Grid"}
              </button>
            ))}
          </fieldset>
          <span className="catalog-total" data-testid="catalog-total" role="status">
            {result ? `${result.totalCapped ? "more than " : ""}${partCount(result.total)}` : ""}
          </span>
          {props.canCurate && dataset && !props.problem && (
            <a
              className="button"
              data-testid="freeze-this-filter"
              href={`/w/${props.workspace}/snapshots?${new URLSearchParams({ dataset, filter: props.query })}`}
            >
              Freeze a snapshot of these parts
            </a>
          )}
        </div>

        {props.problem && (
          <div role="alert" className="card catalog-problem" data-testid="catalog-problem">
            <p className="error">{props.problem}</p>
            <Link href={base}>Show every part</Link>
          </div>
        )}

        {selection && result && (
          <Suspense fallback={bulk([], [])}>
            <WithOptions options={props.options}>
              {(options) =>
                bulk(
                  options.tags.map((t) => t.tag),
                  options.splits.flatMap((s) => (s.split ? [s.split] : [])),
                )
              }
            </WithOptions>
          </Suspense>
        )}

        {result && rows.length === 0 && (
          <p className="muted" data-testid="catalog-empty">
            {cursor ? "No more parts." : "No parts match."}
          </p>
        )}
        {rows.length > 0 &&
          (view === "grid" ? (
            <CatalogGrid workspace={workspace} rows={rows} names={props.featureNames} selection={selection} />
          ) : (
            <CatalogTable
              workspace={workspace}
              rows={rows}
              names={props.featureNames}
              sort={filter.sort}
              onSort={sortTo}
              selection={selection}
              allSelected={allSelected}
              onSelectAll={(on) => setPicked(on ? new Set(rows.map((r) => r.id)) : new Set())}
            />
          ))}

        {result && (cursor || result.nextCursor) && (
          <nav className="row catalog-pager" aria-label="Pages">
            <button type="button" disabled={!cursor} onClick={() => go(pages.previousHref)}>
              ← Previous
            </button>
            <span className="muted" data-testid="catalog-page">
              {pages.page ? `Page ${pages.page}` : ""}
            </span>
            <button type="button" disabled={!result.nextCursor} onClick={() => go(pages.nextHref)}>
              Next →
            </button>
          </nav>
        )}
      </div>
    </div>
  );
}
