"use client";

import type { FeatureType } from "@facet/core";
import { memo } from "react";
import type { FaceChecks } from "./use-face-checks";
import type { PrelabelView } from "./use-prelabel-view";
import type { WorkbenchProps } from "./workbench-props";

export interface PrelabelPanelProps {
  /** What the models proposed (their labels per face, the summary) or why they gave nothing. */
  prelabel: NonNullable<WorkbenchProps["prelabel"]>;
  /** The pre-labels as shown on this face numbering (usePrelabelView). */
  view: PrelabelView;
  features: ReadonlyMap<string, FeatureType>;
  /** The unsure faces and which of them are still to confirm. */
  checks: FaceChecks;
  /** The one selected face, for its details. */
  face: number | null;
  /** Confirming needs the hold on the part. */
  editable: boolean;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** What the models proposed: who, how sure, where they were unsure or disagreed; the selected face's details. */
export const PrelabelPanel = memo(function PrelabelPanel({
  prelabel,
  view: v,
  checks,
  features,
  face,
  editable,
}: PrelabelPanelProps) {
  const name = (key: string | null | undefined) => (key ? (features.get(key)?.name ?? key) : "no label");
  if (!prelabel.summary) {
    return (
      <div className="wb-block" data-testid="prelabel-panel">
        <strong>Pre-labels</strong>
        <p className="error" role="status" data-testid="prelabel-error">
          Pre-labelling gave no answer{prelabel.error ? `: ${prelabel.error}` : "."} Label the part from scratch.
        </p>
      </div>
    );
  }
  if (v.stale) {
    return (
      <div className="wb-block" data-testid="prelabel-panel">
        <strong>Pre-labels</strong>
        <p className="muted">The pre-labels were made on an older face numbering; their confidences are not shown.</p>
      </div>
    );
  }
  const { summary } = prelabel;
  const mean = summary.confidence.reduce((a, b) => a + b, 0) / Math.max(1, summary.confidence.length);
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
        <button type="button" aria-pressed={v.showConfidence} onClick={v.toggleConfidence}>
          {v.showConfidence ? "Show labels" : "Show confidence"} <kbd>C</kbd>
        </button>
        <button type="button" onClick={checks.next} disabled={checks.unsure.length === 0}>
          Next unsure face <kbd>U</kbd>
        </button>
      </div>
      <UnsureFaces checks={checks} face={face} editable={editable} />
      {models.length > 1 && (
        <div className="row" style={{ justifyContent: "space-between" }}>
          <span data-testid="prelabel-disagreement">
            {v.disagreeing.length === 0
              ? "The models agree on every face."
              : `Models disagree on ${v.disagreeing.length} face(s).`}
          </span>
          <button type="button" onClick={v.nextDisagreement} disabled={v.disagreeing.length === 0}>
            Next
          </button>
        </div>
      )}
      {v.showConfidence && (
        <div className="wb-ramp" aria-hidden="true">
          <span>unsure</span>
          <span className="wb-ramp-bar" />
          <span>sure</span>
        </div>
      )}
      {face !== null && summary.confidence[face] !== undefined && (
        <div data-testid="prelabel-face" className="stack">
          <span>
            Face {face}: proposed <strong>{name(prelabel.labels[face])}</strong>,{" "}
            {pct(summary.confidence[face] as number)} confident
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

/** The unsure faces: how many are left to confirm, and the button that confirms the one in view. */
function UnsureFaces({ checks, face, editable }: { checks: FaceChecks; face: number | null; editable: boolean }) {
  const { unsure, left } = checks;
  const below = `below ${pct(checks.threshold)} confident`;
  if (unsure.length === 0) {
    return (
      <div className="muted" data-testid="prelabel-uncertain">
        No face {below}.
      </div>
    );
  }
  const waiting = face !== null && left.includes(face);
  return (
    <div className="stack" data-testid="prelabel-uncertain" data-left={left.length}>
      {left.length === 0 ? (
        <span className="notice">
          All {unsure.length} unsure face{unsure.length === 1 ? "" : "s"} ({below}) checked.
        </span>
      ) : (
        <span>
          <strong>
            {left.length} of {unsure.length}
          </strong>{" "}
          unsure face{unsure.length === 1 ? "" : "s"} ({below}) to confirm before submitting: <kbd>U</kbd> shows the
          next, <kbd>Enter</kbd> confirms its label (or change it).
        </span>
      )}
      {waiting && editable && (
        <button type="button" className="primary" onClick={checks.confirmAndNext}>
          Confirm face {face} <kbd>Enter</kbd>
        </button>
      )}
    </div>
  );
}
