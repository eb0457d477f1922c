"use client";

import type { FaceChange } from "@facet/core";
import { memo, useEffect, useState } from "react";
import { DIFF_COLOURS, DIFF_KIND_LABELS, type DiffMode, type DiffModeOption } from "@/lib/review/diff";
import type { DraftNote } from "@/lib/review/notes";

/** An exact time: ISO until hydrated, then in the browser's locale and zone (the server's would differ). */
export function When({ iso }: { iso: string }) {
  const [text, setText] = useState(() => `${iso.slice(0, 16).replace("T", " ")} UTC`);
  useEffect(() => setText(new Date(iso).toLocaleString()), [iso]);
  return <time dateTime={iso}>{text}</time>;
}

const KINDS: Array<Exclude<FaceChange, "same">> = ["added", "removed", "changed"];

function rgb(c: readonly [number, number, number]): string {
  return `rgb(${c[0]} ${c[1]} ${c[2]})`;
}

/** The diff mode radios, the counts per kind of change, stepping through the changes. */
export const DiffPanel = memo(function DiffPanel({
  options,
  mode,
  onMode,
  counts,
  changeInfo,
  changePosition,
  onStep,
}: {
  options: DiffModeOption[];
  mode: DiffMode;
  onMode: (mode: DiffMode) => void;
  counts: Record<FaceChange, number> | null;
  changeInfo: { face: number; text: string } | null;
  changePosition: string | null;
  onStep: (direction: 1 | -1) => void;
}) {
  const changed = counts ? counts.added + counts.removed + counts.changed : 0;
  return (
    <div className="wb-block review-diff">
      <fieldset className="review-modes" data-testid="diff-mode" data-mode={mode}>
        <legend>
          <strong>Show</strong>
        </legend>
        {options.map((o) => (
          <div key={o.mode} className="review-mode" data-mode={o.mode} data-disabled={o.disabledReason ? "yes" : "no"}>
            <label className="wb-inline">
              <input
                type="radio"
                name="diff-mode"
                value={o.mode}
                checked={mode === o.mode}
                disabled={o.disabledReason !== null}
                onChange={() => onMode(o.mode)}
              />
              <span>
                {o.label}
                {o.base && !o.disabledReason && <span className="muted"> (revision {o.base.revisionNo})</span>}
              </span>
            </label>
            {o.disabledReason && (
              <span className="muted review-reason" data-testid="diff-mode-reason">
                {o.disabledReason}
              </span>
            )}
          </div>
        ))}
      </fieldset>
      {counts && (
        <>
          <ul className="wb-list" data-testid="diff-counts">
            {KINDS.map((k) => (
              <li key={k} data-kind={k}>
                <span>
                  <span className="wb-chip" style={{ background: rgb(DIFF_COLOURS[k]) }} aria-hidden="true" />{" "}
                  {DIFF_KIND_LABELS[k]}
                </span>
                <span data-testid={`diff-count-${k}`}>{counts[k]}</span>
              </li>
            ))}
            <li data-kind="same" className="muted">
              <span>
                <span className="wb-chip" style={{ background: rgb(DIFF_COLOURS.same) }} aria-hidden="true" />{" "}
                {DIFF_KIND_LABELS.same}
              </span>
              <span data-testid="diff-count-same">{counts.same}</span>
            </li>
          </ul>
          <div className="row wb-buttons">
            <button type="button" onClick={() => onStep(-1)} disabled={changed === 0} title="Previous change ([)">
              Previous change <kbd>[</kbd>
            </button>
            <button type="button" onClick={() => onStep(1)} disabled={changed === 0} title="Next change (])">
              Next change <kbd>]</kbd>
            </button>
            {changePosition && <span className="muted">{changePosition}</span>}
          </div>
          <div
            className="review-change"
            data-testid="change-info"
            data-face={changeInfo?.face ?? ""}
            aria-live="polite"
          >
            {changeInfo
              ? changeInfo.text
              : changed === 0
                ? "No face changed."
                : `${changed} face(s) changed: press ] for the first.`}
          </div>
        </>
      )}
    </div>
  );
});

/** The notes of this review: pin mode, the note being written, the list. */
export function NotesPanel({
  notes,
  activeId,
  pinning,
  onPinning,
  draft,
  draftError,
  describeFace,
  onDraftBody,
  onAdd,
  onCancel,
  onSelect,
  onRemove,
  disabled,
}: {
  notes: readonly DraftNote[];
  activeId: string | null;
  pinning: boolean;
  onPinning: () => void;
  draft: { faceIndex: number; body: string } | null;
  draftError: string | null;
  describeFace: (face: number) => string;
  onDraftBody: (body: string) => void;
  onAdd: () => void;
  onCancel: () => void;
  onSelect: (id: string) => void;
  onRemove: (id: string) => void;
  disabled: boolean;
}) {
  return (
    <div className="wb-block review-notes" data-testid="review-notes-panel">
      <div className="row" style={{ justifyContent: "space-between" }}>
        <strong>Notes ({notes.length})</strong>
        <button
          type="button"
          aria-pressed={pinning}
          className={pinning ? "on" : ""}
          data-testid="pin-note"
          onClick={onPinning}
          disabled={disabled}
          title="Pin a note to a face (N)"
        >
          Pin note <kbd>N</kbd>
        </button>
      </div>
      {pinning && !draft && (
        <p className="notice" data-testid="pin-hint">
          Click a face to pin a note to it. <kbd>Esc</kbd> stops.
        </p>
      )}
      {draft && (
        <form
          className="stack review-draft"
          data-testid="note-form"
          data-face={draft.faceIndex}
          onSubmit={(e) => {
            e.preventDefault();
            onAdd();
          }}
        >
          <span className="muted">{describeFace(draft.faceIndex)}</span>
          <textarea
            aria-label="Note"
            rows={3}
            autoFocus
            value={draft.body}
            placeholder="What is wrong here?"
            onChange={(e) => onDraftBody(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
                e.preventDefault();
                onAdd();
              } else if (e.key === "Escape") {
                e.preventDefault();
                onCancel();
              }
            }}
          />
          {draftError && (
            <span className="error" role="alert">
              {draftError}
            </span>
          )}
          <div className="row wb-buttons">
            <button type="submit" className="primary" disabled={draft.body.trim().length === 0}>
              Add
            </button>
            <button type="button" onClick={onCancel}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {notes.length === 0 ? (
        !draft && <p className="muted">No notes yet.</p>
      ) : (
        <ol className="review-note-list" data-testid="review-notes">
          {notes.map((n, i) => (
            <li
              key={n.id}
              data-testid="review-note"
              data-note={n.id}
              data-face={n.faceIndex ?? ""}
              className={n.id === activeId ? "active" : ""}
            >
              <button type="button" className="link review-note-body" onClick={() => onSelect(n.id)}>
                <span className="review-note-n">{i + 1}</span>
                <span>
                  {n.faceIndex !== null && <span className="muted">face {n.faceIndex} · </span>}
                  {n.body}
                </span>
              </button>
              <button
                type="button"
                className="link"
                aria-label={`Remove note ${i + 1}`}
                onClick={() => onRemove(n.id)}
                disabled={disabled}
              >
                Remove
              </button>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

export interface HistoryEntry {
  id: string;
  decision: "approved" | "rejected";
  revisionNo: number;
  reviewerEmail: string | null;
  summary: string | null;
  createdAt: string;
  notes: Array<{ id: string; body: string; faceIndex: number | null }>;
}

/** Earlier decisions on this part, oldest first. */
export const HistoryPanel = memo(function HistoryPanel({ reviews }: { reviews: readonly HistoryEntry[] }) {
  return (
    <div className="wb-block" data-testid="review-history">
      <strong>Earlier reviews ({reviews.length})</strong>
      {reviews.length === 0 ? (
        <p className="muted">This part was not reviewed before.</p>
      ) : (
        <ul className="wb-list review-history">
          {reviews.map((r) => (
            <li key={r.id} data-testid="review-history-item" data-decision={r.decision}>
              <div className="row">
                <span className={`badge review-decision ${r.decision}`}>
                  {r.decision === "approved" ? "Approved" : "Rejected"}
                </span>
                <span>{r.reviewerEmail ?? "someone"}</span>
              </div>
              <span className="muted">
                revision {r.revisionNo} · <When iso={r.createdAt} />
              </span>
              {r.summary && <p className="review-summary-text">{r.summary}</p>}
              {r.notes.length > 0 && (
                <ol className="review-history-notes">
                  {r.notes.map((n) => (
                    <li key={n.id}>
                      {n.faceIndex !== null && <span className="muted">face {n.faceIndex} · </span>}
                      {n.body}
                    </li>
                  ))}
                </ol>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
});
