"use client";

import type { SavedFilter } from "@facet/db";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { api, messageOf } from "@/components/api-client";

import { ConfirmDialog } from "@/components/confirm-dialog";
import { type CatalogView, catalogHref } from "./catalog-url";
import { Outcome } from "./outcome";

/**
 * Filters kept under a name: yours and those others shared with the workspace. Applying one is a
 * link (its dataset and query); saving stores the filter the page shows now.
 */
export function SavedFilters({
  workspace,
  base,
  filters,
  query,
  dataset,
  view,
  datasetNames,
}: {
  workspace: string;
  base: string;
  filters: SavedFilter[];
  /** The filter the page shows now (its query string). */
  query: string;
  dataset: string | null;
  view: CatalogView;
  datasetNames: Record<string, string>;
}) {
  const router = useRouter();
  const [name, setName] = useState("");
  const [shared, setShared] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<SavedFilter | null>(null);

  async function save(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      const n = name.trim();
      await api("POST", `/api/workspaces/${workspace}/saved-filters`, { name: n, query, dataset, shared });
      setMessage(`Saved “${n}”.`);
      setName("");
      router.refresh();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  async function remove(f: SavedFilter) {
    setBusy(true);
    setError(null);
    try {
      await api("DELETE", `/api/workspaces/${workspace}/saved-filters/${f.id}`);
      setMessage(`Deleted “${f.name}”.`);
      setDeleting(null);
      router.refresh();
    } catch (err) {
      setError(messageOf(err));
      setDeleting(null);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="catalog-saved card" aria-labelledby="saved-filters-title" data-testid="saved-filters">
      <h3 id="saved-filters-title">Saved filters</h3>
      {filters.length === 0 ? (
        <p className="muted">None yet: set a filter, then save it here.</p>
      ) : (
        <ul className="plain catalog-saved-list">
          {filters.map((f) => (
            <li key={f.id} data-filter={f.name}>
              <Link
                href={catalogHref(base, { query: f.query, dataset: f.datasetId, view })}
                aria-label={`Apply filter ${f.name}`}
                title={f.query || "every part"}
              >
                {f.name}
              </Link>
              <span className="muted catalog-saved-scope">
                {f.datasetId ? (datasetNames[f.datasetId] ?? "a dataset") : "all datasets"}
                {f.shared && " · shared"}
                {!f.mine && " · by someone else"}
              </span>
              {f.mine && (
                <button
                  type="button"
                  className="link"
                  aria-label={`Delete filter ${f.name}`}
                  disabled={busy}
                  onClick={() => setDeleting(f)}
                >
                  Delete
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <form className="stack catalog-save" onSubmit={save}>
        <label>
          Save this filter as
          <input
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            required
            maxLength={80}
            placeholder="e.g. Two blind holes, approved"
          />
        </label>
        <label>
          <input type="checkbox" checked={shared} onChange={(e) => setShared(e.currentTarget.checked)} />
          Share with the workspace
        </label>
        <div>
          <button type="submit" disabled={busy || !name.trim()}>
            Save filter
          </button>
        </div>
      </form>
      <Outcome message={message} error={error} />
      {deleting && (
        <ConfirmDialog
          title={`Delete the filter “${deleting.name}”?`}
          confirmLabel="Delete filter"
          busy={busy}
          onConfirm={() => void remove(deleting)}
          onCancel={() => setDeleting(null)}
        >
          <p>{deleting.shared ? "Others in the workspace will not see it any more either." : "Only you used it."}</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
