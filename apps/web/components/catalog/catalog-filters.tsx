"use client";

import {
  type CatalogFilter,
  COUNT_OPS,
  type CountOp,
  PART_STATUSES,
  type PartStatus,
  STATUS_LABELS,
  SURFACE_TYPES,
  type SurfaceType,
} from "@facet/core";
import type { CatalogOptions } from "@facet/db";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { useKeyHelp } from "@/components/key-help";
import { useCaptureKeys } from "@/components/use-capture-keys";
import { type CatalogView, catalogHref } from "./catalog-url";
import { draftOf, type FilterDraft, queryOfDraft, toggled } from "./filter-draft";

const CATALOG_KEYS = [["/", "Search parts by name"]] as const;

interface Choice {
  value: string;
  label: string;
  count?: number;
}

/** Choices from the options with counts, plus whatever the filter names that the options lack. */
function choices(listed: Choice[], chosen: readonly string[], label: (v: string) => string = (v) => v): Choice[] {
  const known = new Set(listed.map((c) => c.value));
  return [...listed, ...chosen.filter((v) => !known.has(v)).map((v) => ({ value: v, label: label(v), count: 0 }))];
}

function CheckList<T extends string>({
  legend,
  items,
  selected,
  onChange,
  empty,
  testId,
}: {
  legend: string;
  items: Choice[];
  selected: readonly T[];
  onChange: (next: T[]) => void;
  empty?: string;
  testId: string;
}) {
  return (
    <fieldset className="catalog-facet" data-testid={testId}>
      <legend>{legend}</legend>
      {items.length === 0 && <span className="muted">{empty ?? "None yet"}</span>}
      <div className="catalog-checks">
        {items.map((c) => (
          <label key={c.value} className="catalog-check">
            <input
              type="checkbox"
              checked={selected.includes(c.value as T)}
              onChange={(e) => onChange(toggled(selected, c.value as T, e.currentTarget.checked))}
            />
            <span className="catalog-check-label">{c.label}</span>
            {c.count !== undefined && <span className="muted catalog-check-count">{c.count}</span>}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

function RangeFields({
  legend,
  type,
  min,
  max,
  onChange,
}: {
  legend: string;
  type: "number" | "date";
  min: string;
  max: string;
  onChange: (min: string, max: string) => void;
}) {
  return (
    <fieldset className="catalog-facet catalog-range" data-type={type}>
      <legend>{legend}</legend>
      {(["from", "to"] as const).map((end) => (
        <label key={end}>
          <span className="visually-hidden">
            {legend} {end}
          </span>
          <input
            type={type}
            min={type === "number" ? 0 : undefined}
            value={end === "from" ? min : max}
            placeholder={type === "number" ? (end === "from" ? "min" : "max") : undefined}
            onChange={(e) =>
              end === "from" ? onChange(e.currentTarget.value, max) : onChange(min, e.currentTarget.value)
            }
          />
        </label>
      ))}
    </fieldset>
  );
}

/**
 * The catalog's filters: one form over the filter syntax. Apply writes them into the page's address
 * (from the first page); the server reads them back from there, so the form never holds state the
 * address does not.
 */
export function CatalogFilters({
  base,
  filter,
  dataset,
  view,
  options,
  featureNames,
}: {
  base: string;
  filter: CatalogFilter;
  dataset: string | null;
  view: CatalogView;
  options: CatalogOptions;
  featureNames: Record<string, string>;
}) {
  const router = useRouter();
  const [draft, setDraft] = useState<FilterDraft>(() => draftOf(filter));
  const [error, setError] = useState<string | null>(null);
  const search = useRef<HTMLInputElement>(null);
  const id = useId();
  // the address changed (Back, a saved filter, clear all): the form shows what it now says
  const applied = JSON.stringify(filter);
  useEffect(() => {
    setDraft(draftOf(JSON.parse(applied) as CatalogFilter));
    setError(null);
  }, [applied]);

  useKeyHelp("Catalog", CATALOG_KEYS);
  useCaptureKeys((e) => {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return false;
    search.current?.focus();
    return true;
  }, "catalogKeys");

  const set = (patch: Partial<FilterDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const nameOf = (key: string) => featureNames[key] ?? key;

  function submit(e: FormEvent) {
    e.preventDefault();
    const r = queryOfDraft(draft, filter.sort);
    if ("error" in r) {
      setError(r.error);
      return;
    }
    setError(null);
    router.push(catalogHref(base, { query: r.query, dataset, view }));
  }

  const classChoices = options.features.map((f) => ({ value: f.key, label: nameOf(f.key), count: f.parts }));
  const tagChoices = options.tags.map((t) => ({ value: t.tag, label: t.tag, count: t.parts }));
  const splitChoices = options.splits.map((s) => ({
    value: s.split ?? "none",
    label: s.split ?? "none",
    count: s.parts,
  }));
  const annotatorChoices = options.annotators.map((a) => ({ value: a.id, label: a.email ?? a.id, count: a.parts }));
  /** A list of values to check, from the options, with what the address names beside them. */
  const listFacet = (
    field: "has" | "tags" | "splits" | "annotators",
    legend: string,
    testId: string,
    listed: Choice[],
    empty?: string,
    label?: (v: string) => string,
  ) => (
    <CheckList
      legend={legend}
      testId={testId}
      items={choices(listed, draft[field], label)}
      selected={draft[field]}
      onChange={(v) => set({ [field]: v })}
      empty={empty}
    />
  );
  // count conditions may name any class of the schema, present in this selection or not
  const countClasses = [
    ...new Set([
      ...options.features.map((f) => f.key),
      ...Object.keys(featureNames),
      ...draft.counts.map((c) => c.feature),
    ]),
  ].sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
  const surfaceCounts = new Map(options.surfaces.map((s) => [s.surface, s.parts]));
  const clearHref = catalogHref(base, { query: "", dataset, view });

  return (
    <form className="catalog-filters card" aria-label="Catalog filters" onSubmit={submit} data-testid="catalog-filters">
      <label>
        Name contains
        <input
          ref={search}
          type="search"
          value={draft.q}
          maxLength={200}
          placeholder="Search by name ( / )"
          onChange={(e) => set({ q: e.currentTarget.value })}
        />
      </label>
      <CheckList<PartStatus>
        legend="Status"
        testId="filter-status"
        items={PART_STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s] }))}
        selected={draft.statuses}
        onChange={(statuses) => set({ statuses })}
      />
      {listFacet("has", "Feature classes present", "filter-has", classChoices, "No labelled parts yet", nameOf)}
      <fieldset className="catalog-facet" data-testid="filter-counts">
        <legend>Instance counts</legend>
        {draft.counts.map((c, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place and have no identity of their own
          <div className="row catalog-count" key={i}>
            <select
              aria-label={`Condition ${i + 1}: class`}
              value={c.feature}
              onChange={(e) => {
                const feature = e.currentTarget.value;
                set({ counts: draft.counts.map((x, j) => (j === i ? { ...x, feature } : x)) });
              }}
            >
              {countClasses.map((k) => (
                <option key={k} value={k}>
                  {nameOf(k)}
                </option>
              ))}
            </select>
            <select
              aria-label={`Condition ${i + 1}: comparison`}
              value={c.op}
              onChange={(e) => {
                const op = e.currentTarget.value as CountOp;
                set({ counts: draft.counts.map((x, j) => (j === i ? { ...x, op } : x)) });
              }}
            >
              {COUNT_OPS.map((op) => (
                <option key={op} value={op}>
                  {{ ">=": "at least", "<=": "at most", "=": "exactly", ">": "more than", "<": "fewer than" }[op]}
                </option>
              ))}
            </select>
            <input
              type="number"
              min={0}
              className="catalog-count-n"
              aria-label={`Condition ${i + 1}: number of instances`}
              value={c.value}
              onChange={(e) => {
                const value = e.currentTarget.value;
                set({ counts: draft.counts.map((x, j) => (j === i ? { ...x, value } : x)) });
              }}
            />
            <button
              type="button"
              className="link"
              aria-label={`Remove condition ${i + 1}`}
              onClick={() => set({ counts: draft.counts.filter((_, j) => j !== i) })}
            >
              ✕
            </button>
          </div>
        ))}
        <button
          type="button"
          className="link"
          disabled={countClasses.length === 0}
          onClick={() =>
            set({
              counts: [
                ...draft.counts,
                { feature: options.features[0]?.key ?? countClasses[0] ?? "", op: ">=", value: "1" },
              ],
            })
          }
        >
          + Add a count condition
        </button>
      </fieldset>
      <RangeFields
        legend="Faces"
        type="number"
        min={draft.facesMin}
        max={draft.facesMax}
        onChange={(facesMin, facesMax) => set({ facesMin, facesMax })}
      />
      <CheckList<SurfaceType>
        legend="Surface types (all of)"
        testId="filter-surface"
        items={SURFACE_TYPES.map((s) => ({ value: s, label: s, count: surfaceCounts.get(s) ?? 0 }))}
        selected={draft.surfaces}
        onChange={(surfaces) => set({ surfaces })}
      />
      {listFacet("tags", "Tags (all of)", "filter-tag", tagChoices, "No tags yet")}
      {listFacet("splits", "Split", "filter-split", splitChoices)}
      {listFacet("annotators", "Annotator", "filter-annotator", annotatorChoices, "No one has labelled a part yet")}
      <RangeFields
        legend="Added"
        type="date"
        min={draft.addedMin}
        max={draft.addedMax}
        onChange={(addedMin, addedMax) => set({ addedMin, addedMax })}
      />
      <RangeFields
        legend="Status changed"
        type="date"
        min={draft.changedMin}
        max={draft.changedMax}
        onChange={(changedMin, changedMax) => set({ changedMin, changedMax })}
      />
      {error && (
        <p role="alert" className="error" id={`${id}-error`}>
          {error}
        </p>
      )}
      <div className="row catalog-filter-actions">
        <button type="submit" className="primary">
          Apply filters
        </button>
        <Link className="button" href={clearHref}>
          Clear all
        </Link>
      </div>
    </form>
  );
}
