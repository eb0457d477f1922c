"use client";

import type { FaceChange } from "@facet/core";
import { memo } from "react";
import { DIFF_COLOURS, DIFF_KIND_LABELS } from "@/lib/review/diff";
import type { ReviewDiff } from "./use-review-diff";

const KINDS: Array<Exclude<FaceChange, "same">> = ["added", "removed", "changed"];

function rgb(c: readonly [number, number, number]): string {
  return `rgb(${c[0]} ${c[1]} ${c[2]})`;
}

/** The diff mode radios, the counts per kind of change, stepping through the changes. */
export const DiffPanel = memo(function DiffPanel({ review }: { review: ReviewDiff }) {
  const { options, mode, counts, changeInfo, changePosition } = review;
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
                onChange={() => review.changeMode(o.mode)}
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
            <button type="button" onClick={() => review.step(-1)} disabled={changed === 0} title="Previous change ([)">
              Previous change <kbd>[</kbd>
            </button>
            <button type="button" onClick={() => review.step(1)} disabled={changed === 0} title="Next change (])">
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
