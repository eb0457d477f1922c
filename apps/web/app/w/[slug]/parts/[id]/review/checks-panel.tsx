"use client";

import { checkCounts, FACE_CHECKS, type FaceCheck } from "@facet/core";
import { memo, useMemo } from "react";
import { CHECK_COLOURS, CHECK_NAMES } from "@/lib/review/checks";

const rgb = (c: readonly [number, number, number]) => `rgb(${c[0]} ${c[1]} ${c[2]})`;

/**
 * What the annotator did with the pre-labelled faces of the revision under review: how many they
 * changed, confirmed, kept after a look, and accepted without a look, and a view colouring the faces so.
 */
export const ChecksPanel = memo(function ChecksPanel({
  checks,
  shown,
  onToggle,
}: {
  checks: readonly FaceCheck[];
  shown: boolean;
  onToggle: () => void;
}) {
  const counts = useMemo(() => checkCounts(checks), [checks]);
  return (
    <div className="wb-block stack" data-testid="review-checks">
      <div className="row" style={{ justifyContent: "space-between" }}>
        <strong>The annotator's checks</strong>
        <button type="button" aria-pressed={shown} onClick={onToggle}>
          {shown ? "Hide checks" : "Show on the part"}
        </button>
      </div>
      <ul className="wb-list">
        {FACE_CHECKS.map((c) => (
          <li key={c} data-check={c}>
            <span>
              <span className="wb-chip" style={{ background: rgb(CHECK_COLOURS[c]) }} aria-hidden="true" />{" "}
              {CHECK_NAMES[c]}
            </span>
            <span data-testid={`check-count-${c}`}>{counts[c]}</span>
          </li>
        ))}
      </ul>
      {counts.unseen > 0 && (
        <span className="muted">
          {counts.unseen} of {checks.length} pre-labelled faces went to review without the annotator looking at them.
        </span>
      )}
    </div>
  );
});
