"use client";

import { type CatalogSortKey, STATUS_LABELS } from "@facet/core";
import type { CatalogRow } from "@facet/db";
import Link from "next/link";
import { useState } from "react";

export interface SortState {
  key: CatalogSortKey;
  descending: boolean;
}

export interface Selection {
  has(id: string): boolean;
  toggle(id: string, on: boolean): void;
}

/** A part's feature classes with their instance counts: "Blind hole ×2, Stock". */
function Features({ row, names }: { row: CatalogRow; names: Record<string, string> }) {
  if (row.features.length === 0 && Object.keys(row.instanceCounts).length === 0)
    return <span className="muted">—</span>;
  const keys = [...new Set([...row.features, ...Object.keys(row.instanceCounts)])];
  return (
    <ul className="catalog-features">
      {keys.map((k) => {
        const n = row.instanceCounts[k] ?? 0;
        return (
          <li key={k} data-feature={k} data-instances={n}>
            {names[k] ?? k}
            {n > 0 && <span className="muted"> ×{n}</span>}
          </li>
        );
      })}
    </ul>
  );
}

function Tags({ tags }: { tags: string[] }) {
  if (tags.length === 0) return <span className="muted">—</span>;
  return (
    <span className="catalog-tags">
      {tags.map((t) => (
        <span key={t} className="badge">
          {t}
        </span>
      ))}
    </span>
  );
}

const day = (iso: string) => new Date(iso).toISOString().slice(0, 10);

function SortHeader({
  label,
  sortKey,
  sort,
  onSort,
}: {
  label: string;
  sortKey: CatalogSortKey;
  sort: SortState;
  onSort: (key: CatalogSortKey, descending: boolean) => void;
}) {
  const active = sort.key === sortKey;
  // a column sorted already flips; another starts ascending by name, newest first by date
  const next = active ? !sort.descending : sortKey === "added" || sortKey === "changed";
  return (
    <th aria-sort={active ? (sort.descending ? "descending" : "ascending") : undefined}>
      <button
        type="button"
        className="link catalog-sort"
        onClick={() => onSort(sortKey, next)}
        title={`Sort by ${label.toLowerCase()}`}
      >
        {label}
        <span aria-hidden="true">{active ? (sort.descending ? " ▼" : " ▲") : ""}</span>
      </button>
    </th>
  );
}

export function CatalogTable({
  workspace,
  rows,
  names,
  sort,
  onSort,
  selection,
  allSelected,
  onSelectAll,
}: {
  workspace: string;
  rows: CatalogRow[];
  names: Record<string, string>;
  sort: SortState;
  onSort: (key: CatalogSortKey, descending: boolean) => void;
  /** Null where the viewer may not act on a selection (no checkboxes). */
  selection: Selection | null;
  allSelected: "all" | "some" | "none";
  onSelectAll: (on: boolean) => void;
}) {
  return (
    <div className="catalog-scroll">
      <table className="catalog-table" data-testid="catalog-table">
        <thead>
          <tr>
            {selection && (
              <th className="catalog-pick">
                <input
                  type="checkbox"
                  aria-label="Select all parts on this page"
                  checked={allSelected === "all"}
                  ref={(el) => {
                    if (el) el.indeterminate = allSelected === "some";
                  }}
                  onChange={(e) => onSelectAll(e.currentTarget.checked)}
                />
              </th>
            )}
            <SortHeader label="Name" sortKey="name" sort={sort} onSort={onSort} />
            <th>Dataset</th>
            <SortHeader label="Status" sortKey="status" sort={sort} onSort={onSort} />
            <th>Split</th>
            <SortHeader label="Faces" sortKey="faces" sort={sort} onSort={onSort} />
            <th>Features</th>
            <th>Tags</th>
            <th>Annotator</th>
            <SortHeader label="Added" sortKey="added" sort={sort} onSort={onSort} />
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-part={r.name} aria-selected={selection ? selection.has(r.id) : undefined}>
              {selection && (
                <td className="catalog-pick">
                  <input
                    type="checkbox"
                    aria-label={`Select ${r.name}`}
                    checked={selection.has(r.id)}
                    onChange={(e) => selection.toggle(r.id, e.currentTarget.checked)}
                  />
                </td>
              )}
              <td>
                <Link href={`/w/${workspace}/parts/${r.id}`}>{r.name}</Link>
              </td>
              <td>{r.datasetName}</td>
              <td>
                <span className="badge">{STATUS_LABELS[r.status]}</span>
              </td>
              <td>{r.split ?? <span className="muted">—</span>}</td>
              <td className="catalog-num">{r.faceCount ?? "—"}</td>
              <td>
                <Features row={r} names={names} />
              </td>
              <td>
                <Tags tags={r.tags} />
              </td>
              <td>{r.annotatorEmail ?? <span className="muted">—</span>}</td>
              <td>
                <time dateTime={r.addedAt}>{day(r.addedAt)}</time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The worker's rendering of the part, or a neutral placeholder when it has none (yet). */
function Thumbnail({ workspace, row }: { workspace: string; row: CatalogRow }) {
  const [failed, setFailed] = useState(false);
  if (!row.hasThumbnail || failed) {
    return (
      <div className="catalog-thumb catalog-thumb-none" data-thumbnail="none">
        <span>No preview</span>
      </div>
    );
  }
  return (
    // biome-ignore lint/performance/noImgElement: the API serves the image; next/image would proxy it again
    <img
      className="catalog-thumb"
      data-thumbnail="image"
      src={`/api/workspaces/${workspace}/parts/${row.id}/thumbnail`}
      alt=""
      loading="lazy"
      onError={() => setFailed(true)}
    />
  );
}

export function CatalogGrid({
  workspace,
  rows,
  names,
  selection,
}: {
  workspace: string;
  rows: CatalogRow[];
  names: Record<string, string>;
  selection: Selection | null;
}) {
  return (
    <ul className="catalog-grid" data-testid="catalog-grid">
      {rows.map((r) => (
        <li key={r.id} className="catalog-card" data-part={r.name} data-selected={selection?.has(r.id) ? "yes" : "no"}>
          {/* the name below is the link people use; the picture is a second, unannounced way in */}
          <Link href={`/w/${workspace}/parts/${r.id}`} className="catalog-card-link" tabIndex={-1} aria-hidden="true">
            <Thumbnail workspace={workspace} row={r} />
          </Link>
          <div className="catalog-card-body">
            <div className="catalog-card-head">
              {selection && (
                <input
                  type="checkbox"
                  aria-label={`Select ${r.name}`}
                  checked={selection.has(r.id)}
                  onChange={(e) => selection.toggle(r.id, e.currentTarget.checked)}
                />
              )}
              <Link href={`/w/${workspace}/parts/${r.id}`} className="catalog-card-name">
                {r.name}
              </Link>
            </div>
            <div className="row catalog-card-meta">
              <span className="badge">{STATUS_LABELS[r.status]}</span>
              {r.split && <span className="badge">{r.split}</span>}
              <span className="muted">{r.faceCount ?? "—"} faces</span>
            </div>
            <Features row={r} names={names} />
            {r.tags.length > 0 && <Tags tags={r.tags} />}
          </div>
        </li>
      ))}
    </ul>
  );
}
