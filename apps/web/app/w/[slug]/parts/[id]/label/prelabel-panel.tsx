"use client";

import type { FeatureType, PrelabelSummary } from "@facet/core";
import { memo } from "react";
import { LOW_CONFIDENCE } from "@/lib/workbench/prelabel";

export interface PrelabelPanelProps {
  summary: PrelabelSummary | null;
  /** The pre-label's own labels, per face. */
  labels: readonly (string | null)[];
  error: string | null;
  /** The pre-label was made on another face numbering (the part was processed again). */
  stale: boolean;
  features: ReadonlyMap<string, FeatureType>;
  uncertain: readonly number[];
  disagreeing: readonly number[];
  /** The one selected face, for its details. */
  face: number | null;
  showConfidence: boolean;
  onToggleConfidence: () => void;
  onNextUncertain: () => void;
  onNextDisagreement: () => void;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** What the models proposed: who, how sure, where they were unsure or disagreed; the selected face's details. */
export const PrelabelPanel = memo(function PrelabelPanel(p: PrelabelPanelProps) {
  const name = (key: string | null | undefined) => (key ? (p.features.get(key)?.name ?? key) : "no label");
  if (!p.summary) {
    return (
      <div className="wb-block" data-testid="prelabel-panel">
        <strong>Pre-labels</strong>
        <p className="error" role="status" data-testid="prelabel-error">
          Pre-labelling gave no answer{p.error ? `: ${p.error}` : "."} Label the part from scratch.
        </p>
      </div>
    );
  }
  if (p.stale) {
    return (
      <div className="wb-block" data-testid="prelabel-panel">
        <strong>Pre-labels</strong>
        <p className="muted">The pre-labels were made on an older face numbering; their confidences are not shown.</p>
      </div>
    );
  }
  const { summary } = p;
  const mean = summary.confidence.reduce((a, b) => a + b, 0) / Math.max(1, summary.confidence.length);
  const face = p.face;
  const models = Object.entries(summary.predictions ?? {});
  return (
    <div className="wb-block stack" data-testid="prelabel-panel">
      <div className="row" style={{ justifyContent: "space-between" }}>
        <strong>Pre-labels</strong>
        <span className="muted" data-testid="prelabel-mean" title="Mean over faces of the proposed label's probability">
          {pct(mean)} confident
        </span>
      </div>
      <div className="muted" data-testid="prelabel-models">
        by {summary.models.map((m) => `${m.id} ${m.version}`).join(", ")}
      </div>
      {summary.failed.map((f) => (
        <div key={f.id} className="error" role="status">
          {f.id} gave no answer: {f.reason}
        </div>
      ))}
      <div className="row wb-buttons">
        <button type="button" aria-pressed={p.showConfidence} onClick={p.onToggleConfidence}>
          {p.showConfidence ? "Show labels" : "Show confidence"} <kbd>C</kbd>
        </button>
        <button type="button" onClick={p.onNextUncertain} disabled={p.uncertain.length === 0}>
          Next unsure face <kbd>U</kbd>
        </button>
      </div>
      <div className="muted" data-testid="prelabel-uncertain">
        {p.uncertain.length === 0
          ? `No face below ${pct(LOW_CONFIDENCE)}.`
          : `${p.uncertain.length} face(s) below ${pct(LOW_CONFIDENCE)}: check them first.`}
      </div>
      {models.length > 1 && (
        <div className="row" style={{ justifyContent: "space-between" }}>
          <span data-testid="prelabel-disagreement">
            {p.disagreeing.length === 0
              ? "The models agree on every face."
              : `Models disagree on ${p.disagreeing.length} face(s).`}
          </span>
          <button type="button" onClick={p.onNextDisagreement} disabled={p.disagreeing.length === 0}>
            Next
          </button>
        </div>
      )}
      {p.showConfidence && (
        <div className="wb-ramp" aria-hidden="true">
          <span>unsure</span>
          <span className="wb-ramp-bar" />
          <span>sure</span>
        </div>
      )}
      {face !== null && summary.confidence[face] !== undefined && (
        <div data-testid="prelabel-face" className="stack">
          <span>
            Face {face}: proposed <strong>{name(p.labels[face])}</strong>, {pct(summary.confidence[face] as number)}{" "}
            confident
          </span>
          {models.length > 1 &&
            models.map(([id, labels]) => (
              <span key={id} className="muted">
                {id}: {name(labels[face])}
              </span>
            ))}
        </div>
      )}
    </div>
  );
});
