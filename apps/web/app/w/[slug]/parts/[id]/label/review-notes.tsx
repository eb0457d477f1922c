"use client";

import type { CommentRow, ReviewDecisionRow } from "@facet/db";
import { memo, useState } from "react";
import { api, messageOf } from "@/components/api-client";

/** The rejection a returned part came back with, and its notes. */
export type ReturnedReview = Pick<ReviewDecisionRow, "reviewerEmail" | "summary" | "revisionNo" | "createdAt"> & {
  notes: CommentRow[];
};

/**
 * What the reviewer asked to fix, while the part is back with its annotator: the summary and the
 * notes, numbered like their pins on the part. A note opens its face; "Fixed" resolves it.
 */
export const ReviewNotesPanel = memo(function ReviewNotesPanel({
  review,
  notes,
  activeNote,
  commentsUrl,
  onOpen,
  onResolved,
}: {
  review: ReturnedReview;
  notes: CommentRow[];
  activeNote: string | null;
  commentsUrl: string;
  onOpen: (note: CommentRow) => void;
  onResolved: (note: CommentRow) => void;
}) {
  const [error, setError] = useState<string | null>(null);
  const open = notes.filter((n) => !n.resolvedAt).length;
  return (
    <div className="wb-block stack" data-testid="review-notes">
      <div className="row" style={{ justifyContent: "space-between" }}>
        <strong>Review notes</strong>
        <span className="muted">
          {open} of {notes.length} open
        </span>
      </div>
      <div className="wb-returned" role="status">
        Returned by {review.reviewerEmail ?? "a reviewer"} (revision {review.revisionNo})
        {review.summary ? <>: {review.summary}</> : "."}
      </div>
      <ol className="wb-notes">
        {notes.map((n, i) => (
          <li
            key={n.id}
            data-testid="review-note"
            data-face={n.faceIndex ?? ""}
            data-resolved={n.resolvedAt ? "yes" : "no"}
            className={`${n.id === activeNote ? "active" : ""} ${n.resolvedAt ? "muted" : ""}`}
          >
            <button type="button" className="link" onClick={() => onOpen(n)} title="Show on the part">
              <span className="viewer-pin" aria-hidden>
                {i + 1}
              </span>{" "}
              {n.faceIndex !== null ? `face ${n.faceIndex}` : "point"}
            </button>
            <div className="wb-note-body">{n.body}</div>
            <button
              type="button"
              onClick={async () => {
                try {
                  const { comment } = await api<{ comment: CommentRow }>("PATCH", `${commentsUrl}/${n.id}`, {
                    resolved: !n.resolvedAt,
                  });
                  setError(null);
                  onResolved(comment);
                } catch (e) {
                  setError(messageOf(e));
                }
              }}
            >
              {n.resolvedAt ? "Reopen" : "Fixed"}
            </button>
          </li>
        ))}
      </ol>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
});
