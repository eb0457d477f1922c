"use client";

import type { DraftNote } from "@/lib/review/notes";

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
