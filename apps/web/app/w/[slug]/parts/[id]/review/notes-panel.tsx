"use client";

import type { DraftNotes } from "./use-draft-notes";

/** The notes of this review: pin mode, the note being written, the list. */
export function NotesPanel({
  notes: state,
  describeFace,
  disabled,
}: {
  /** The review's notes and the one being written (useDraftNotes). */
  notes: DraftNotes;
  describeFace: (face: number) => string;
  disabled: boolean;
}) {
  const { notes, activeNote: activeId, pinning, draft, draftError } = state;
  return (
    <div className="wb-block review-notes" data-testid="review-notes-panel">
      <div className="row" style={{ justifyContent: "space-between" }}>
        <strong>Notes ({notes.length})</strong>
        <button
          type="button"
          aria-pressed={pinning}
          className={pinning ? "on" : ""}
          data-testid="pin-note"
          onClick={state.togglePinning}
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
            state.commitDraft();
          }}
        >
          <span className="muted">{describeFace(draft.faceIndex)}</span>
          <textarea
            aria-label="Note"
            rows={3}
            autoFocus
            value={draft.body}
            placeholder="What is wrong here?"
            onChange={(e) => state.setDraftBody(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
                e.preventDefault();
                state.commitDraft();
              } else if (e.key === "Escape") {
                e.preventDefault();
                state.cancelDraft();
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
            <button type="button" onClick={state.cancelDraft}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {notes.length === 0 ? (
        !draft && <p className="muted">No notes yet.</p>
      ) : (
        <ol className="review-note-list" data-testid="review-notes">
          {notes.map((note, i) => (
            <li
              key={note.id}
              data-testid="review-note"
              data-note={note.id}
              data-face={note.faceIndex ?? ""}
              className={note.id === activeId ? "active" : ""}
            >
              <button type="button" className="link review-note-body" onClick={() => state.selectNote(note.id)}>
                <span className="review-note-n">{i + 1}</span>
                <span>
                  {note.faceIndex !== null && <span className="muted">face {note.faceIndex} · </span>}
                  {note.body}
                </span>
              </button>
              <button
                type="button"
                className="link"
                aria-label={`Remove note ${i + 1}`}
                onClick={() => state.remove(note.id)}
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
