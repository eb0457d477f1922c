"use client";

import { type FeatureType, type LabelState, unlabelledFaces } from "@facet/core";
import { memo, type RefObject, useMemo, useState } from "react";
import { Chip } from "@/features/part-stage";

/** The label schema's feature types: click or press the hotkey to label the selection; `/` searches. */
export const PalettePanel = memo(function PalettePanel({
  features,
  onAssign,
  searchRef,
  disabled,
}: {
  features: readonly FeatureType[];
  onAssign: (key: string) => void;
  searchRef: RefObject<HTMLInputElement | null>;
  disabled: boolean;
}) {
  const [query, setQuery] = useState("");
  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return q ? features.filter((f) => f.name.toLowerCase().includes(q) || f.key.includes(q)) : features;
  }, [features, query]);
  return (
    <div className="wb-block" data-testid="palette">
      <input
        ref={searchRef}
        type="search"
        placeholder="Search features  /"
        aria-label="Search features"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          const first = shown[0];
          if (e.key === "Enter" && first && !disabled) {
            onAssign(first.key);
            setQuery("");
            e.currentTarget.blur();
          }
        }}
      />
      <ul className="wb-palette">
        {shown.map((f) => (
          <li key={f.key}>
            <button type="button" onClick={() => onAssign(f.key)} disabled={disabled} data-feature={f.key}>
              <Chip colour={f.colour} />
              <span className="wb-grow">{f.name}</span>
              {f.hotkey && <kbd>{f.hotkey}</kbd>}
            </button>
          </li>
        ))}
        {shown.length === 0 && <li className="muted">No feature matches.</li>}
      </ul>
    </div>
  );
});

export const UnlabelledPanel = memo(function UnlabelledPanel({
  state,
  onNext,
  onSelect,
  onSelectAll,
}: {
  state: LabelState;
  onNext: () => void;
  onSelect: (face: number) => void;
  onSelectAll: (faces: number[]) => void;
}) {
  const faces = unlabelledFaces(state);
  return (
    <div className="wb-block" data-testid="unlabelled">
      <div className="row" style={{ justifyContent: "space-between" }}>
        <strong>Unlabelled</strong>
        <span data-testid="unlabelled-count">{faces.length}</span>
      </div>
      {faces.length > 0 && (
        <>
          <div className="wb-faces">
            {faces.slice(0, 40).map((f) => (
              <button key={f} type="button" className="link" onClick={() => onSelect(f)}>
                {f}
              </button>
            ))}
            {faces.length > 40 && <span className="muted">+{faces.length - 40}</span>}
          </div>
          <div className="row wb-buttons">
            <button type="button" onClick={onNext}>
              Next unlabelled <kbd>N</kbd>
            </button>
            <button type="button" onClick={() => onSelectAll(faces)}>
              Select all unlabelled ({faces.length})
            </button>
          </div>
        </>
      )}
    </div>
  );
});

export const InstancesPanel = memo(function InstancesPanel({
  state,
  features,
  labelling,
  editable,
  onSelect,
  onParam,
}: {
  state: LabelState;
  features: ReadonlyMap<string, FeatureType>;
  /** The viewer holds the part: parameters are fields; for everyone else, text. */
  labelling: boolean;
  editable: boolean;
  onSelect: (faces: number[]) => void;
  onParam: (instanceId: string, key: string, value: number | null) => void;
}) {
  return (
    <div className="wb-block" data-testid="instances">
      <strong>Instances ({state.instances.length})</strong>
      <ul className="wb-list wb-instances">
        {state.instances.map((inst) => {
          const f = features.get(inst.feature);
          const manual = new Set(inst.manualParams ?? []);
          return (
            <li key={inst.id} data-instance={inst.id} data-feature={inst.feature}>
              <button type="button" className="link" onClick={() => onSelect(inst.faces)}>
                <Chip colour={f?.colour ?? "#888888"} /> {f?.name ?? inst.feature}{" "}
                <span className="muted">{inst.id}</span>
              </button>
              <span className="muted">
                {inst.faces.length} face(s){inst.bottomFaces?.length ? ` · bottom ${inst.bottomFaces.join(", ")}` : ""}
              </span>
              {f && f.parameters.length > 0 && (
                <div className="wb-params">
                  {f.parameters.map((p) => {
                    const title = manual.has(p.key) ? "entered by hand" : "measured from the geometry";
                    const unit = `${p.unit}${manual.has(p.key) ? " · manual" : ""}`;
                    return labelling ? (
                      <label key={p.key} title={title}>
                        {p.name}
                        <input
                          type="number"
                          step="any"
                          min={0}
                          disabled={!editable}
                          data-param={p.key}
                          defaultValue={inst.params[p.key] ?? ""}
                          key={`${inst.id}:${p.key}:${inst.params[p.key] ?? ""}`}
                          onBlur={(e) => {
                            const raw = e.currentTarget.value.trim();
                            const value = raw === "" ? null : Number(raw);
                            if (value !== null && (!Number.isFinite(value) || value < 0)) return;
                            if (value !== (inst.params[p.key] ?? null)) onParam(inst.id, p.key, value);
                          }}
                          onKeyDown={(e) => e.key === "Enter" && e.currentTarget.blur()}
                        />
                        <span className="muted">{unit}</span>
                      </label>
                    ) : (
                      <span key={p.key} title={title} className="wb-param">
                        {p.name}
                        <span data-param={p.key}>{inst.params[p.key] ?? "–"}</span>
                        <span className="muted">{unit}</span>
                      </span>
                    );
                  })}
                </div>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
});
