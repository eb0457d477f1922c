"use client";

import type { Decision } from "./use-decision";

/** The review summary, why a decision is not possible, and Approve / Reject with notes. */
export function DecisionPanel({ decision: p }: { decision: Decision }) {
  return (
    <div className="wb-block stack review-decision-block" data-testid="decision">
      <label className="review-summary">
        <strong>Summary</strong>
        <textarea
          aria-label="Review summary"
          rows={3}
          value={p.summary}
          placeholder="What is good, what to fix"
          onChange={(e) => p.setSummary(e.target.value)}
          disabled={p.busy}
        />
      </label>
      {p.blocked && (
        <p className="muted" data-testid="decision-blocked">
          {p.blocked}
        </p>
      )}
      {p.error && (
        <p className="error" role="alert" data-testid="review-error">
          {p.error}
        </p>
      )}
      <div className="row wb-buttons">
        <button
          type="button"
          className="primary"
          onClick={() => p.decide("approved")}
          disabled={p.busy || p.blocked !== null}
        >
          Approve
        </button>
        <button
          type="button"
          className="danger"
          onClick={() => p.decide("rejected")}
          disabled={p.busy || p.blocked !== null || !p.rejectable}
          title={p.rejectable ? "Send the part back to its annotator" : "Write a summary or pin a note first"}
        >
          Reject with notes
        </button>
      </div>
    </div>
  );
}
