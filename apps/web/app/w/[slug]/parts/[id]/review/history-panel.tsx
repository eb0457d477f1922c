"use client";

import type { CommentRow, ReviewDecisionRow } from "@facet/db";
import { memo } from "react";
import { When } from "./when";

/** An earlier decision on the part, with its notes. */
export type HistoryEntry = Omit<ReviewDecisionRow, "reviewerId"> & {
  notes: Array<Pick<CommentRow, "id" | "body" | "faceIndex">>;
};

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
