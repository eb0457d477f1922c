"use client";

import { type FeatureType, type LabelState, labelCounts } from "@facet/core";
import { memo } from "react";

/** A feature type's colour swatch. */
export function Chip({ colour }: { colour: string }) {
  return <span className="wb-chip" style={{ background: colour }} aria-hidden="true" />;
}

/** The features on the part with their face counts; clicking one selects its faces. */
export const LegendPanel = memo(function LegendPanel({
  state,
  features,
  onSelect,
}: {
  state: LabelState;
  features: readonly FeatureType[];
  onSelect: (key: string) => void;
}) {
  const counts = labelCounts(state);
  const rows = features.filter((f) => counts.has(f.key));
  return (
    <div className="wb-block" data-testid="legend">
      <strong>Legend</strong>
      {rows.length === 0 ? (
        <p className="muted">No labels yet.</p>
      ) : (
        <ul className="wb-list">
          {rows.map((f) => (
            <li key={f.key} data-feature={f.key}>
              <button type="button" className="link" onClick={() => onSelect(f.key)}>
                <Chip colour={f.colour} /> {f.name}
              </button>
              <span className="muted" data-testid="legend-count">
                {counts.get(f.key)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
});
