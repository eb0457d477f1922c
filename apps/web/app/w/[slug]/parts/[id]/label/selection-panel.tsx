"use client";

import type { FaceCheck, GrowMode } from "@facet/core";

/**
 * The selection's size and what can be done with it: grow; for the person labelling, also clear labels,
 * bottom faces, split, merge, undo, redo (shown only to them, disabled while a change cannot be saved).
 */
export function SelectionPanel(p: {
  count: number;
  /** The viewer holds the part: the editing buttons are theirs. */
  labelling: boolean;
  editable: boolean;
  /** How many instances the selected faces belong to. */
  instances: number;
  growMode: GrowMode;
  onGrowMode: (mode: GrowMode) => void;
  onGrow: () => void;
  onClear: () => void;
  onBottom: () => void;
  onSplit: () => void;
  onMerge: () => void;
  canUndo: boolean;
  canRedo: boolean;
  onUndo: () => void;
  onRedo: () => void;
}) {
  return (
    <div className="wb-block" data-testid="selection-panel">
      <div className="row" style={{ justifyContent: "space-between" }}>
        <strong>Selection</strong>
        <span className="muted">{p.count} face(s)</span>
      </div>
      <div className="row wb-buttons">
        <select aria-label="Grow mode" value={p.growMode} onChange={(e) => p.onGrowMode(e.target.value as GrowMode)}>
          <option value="surface">same surface type</option>
          <option value="tangent">tangent-continuous</option>
          <option value="concave">concave region</option>
        </select>
        <button type="button" onClick={p.onGrow} disabled={p.count === 0}>
          Grow <kbd>G</kbd>
        </button>
      </div>
      {p.labelling && <EditButtons {...p} />}
    </div>
  );
}

function EditButtons(p: Parameters<typeof SelectionPanel>[0]) {
  return (
    <>
      <div className="row wb-buttons">
        <button type="button" onClick={p.onClear} disabled={!p.editable || p.count === 0}>
          Clear labels <kbd>Del</kbd>
        </button>
        <button type="button" onClick={p.onBottom} disabled={!p.editable || p.count === 0}>
          Bottom <kbd>B</kbd>
        </button>
        <button type="button" onClick={p.onSplit} disabled={!p.editable || p.instances !== 1}>
          Split
        </button>
        <button type="button" onClick={p.onMerge} disabled={!p.editable || p.instances < 2}>
          Merge
        </button>
      </div>
      <div className="row wb-buttons">
        <button type="button" onClick={p.onUndo} disabled={!p.canUndo}>
          Undo
        </button>
        <button type="button" onClick={p.onRedo} disabled={!p.canRedo}>
          Redo
        </button>
      </div>
    </>
  );
}

/**
 * Submit for review (with the problems that stopped the last attempt) and Release, under what the
 * annotator has done with the pre-labelled faces: changed, confirmed, looked at, not looked at.
 */
export function SubmitBlock(p: {
  problems: string[];
  counts: Record<FaceCheck, number> | null;
  busy: boolean;
  editable: boolean;
  onSubmit: () => void;
  onRelease: () => void;
}) {
  return (
    <div className="wb-block stack">
      {p.counts && (
        <p className="muted" data-testid="submit-checks">
          Of the pre-labelled faces you changed {p.counts.changed}, confirmed {p.counts.confirmed}, kept {p.counts.seen}{" "}
          after a look and have not looked at {p.counts.unseen}.
        </p>
      )}
      {p.problems.length > 0 && (
        <ul className="error" role="alert" data-testid="submit-problems">
          {p.problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      )}
      <div className="row wb-buttons">
        <button type="button" className="primary" onClick={p.onSubmit} disabled={p.busy || !p.editable}>
          Submit for review
        </button>
        <button type="button" onClick={p.onRelease} disabled={p.busy}>
          Release
        </button>
      </div>
    </div>
  );
}
