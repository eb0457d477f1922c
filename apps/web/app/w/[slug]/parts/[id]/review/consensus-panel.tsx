"use client";

import type { FeatureType } from "@facet/core";
import { memo } from "react";

/** Independent annotations of the part and where they agree (computed on the server). */
export interface ConsensusView {
  required: number;
  annotators: string[];
  /** Per face: each annotator's label, in `annotators` order. */
  labels: (string | null)[][];
  /** Per face: the majority the database decided (what the consensus revision holds). */
  majority: (string | null)[];
  /** Faces whose top vote is shared: their majority is the tie rule's (byte-order first label). */
  tiedFaces: number[];
  /** Per face: the share of annotators giving the majority label (null: fewer than two labelled it). */
  agreement: (number | null)[];
  meanAgreement: number | null;
  disagreeingFaces: number[];
}

export const ConsensusPanel = memo(function ConsensusPanel(p: {
  consensus: ConsensusView;
  features: ReadonlyMap<string, FeatureType>;
  face: number | null;
  showAgreement: boolean;
  onToggle: () => void;
  onNext: () => void;
}) {
  const { consensus: c } = p;
  const name = (key: string | null | undefined) => (key ? (p.features.get(key)?.name ?? key) : "no label");
  return (
    <div className="wb-block stack" data-testid="consensus-panel">
      <div className="row" style={{ justifyContent: "space-between" }}>
        <strong>Independent annotations</strong>
        <span className="muted">
          {c.annotators.length} of {c.required}
        </span>
      </div>
      <div className="muted">{c.annotators.join(", ")}</div>
      <div data-testid="consensus-summary">
        {c.meanAgreement === null
          ? "Not enough annotations to compare yet."
          : `They agree on ${Math.round(c.meanAgreement * 100)}% of faces on average; ${
              c.disagreeingFaces.length === 0
                ? "no face is disputed."
                : `${c.disagreeingFaces.length} face(s) disputed.`
            } The labels shown are each face's majority.`}
      </div>
      <div className="row wb-buttons">
        <button type="button" aria-pressed={p.showAgreement} onClick={p.onToggle}>
          {p.showAgreement ? "Show labels" : "Show agreement"}
        </button>
        <button type="button" onClick={p.onNext} disabled={c.disagreeingFaces.length === 0}>
          Next disputed face
        </button>
      </div>
      {p.face !== null && c.labels[p.face] && (
        <div className="stack" data-testid="consensus-face">
          <span>Face {p.face}:</span>
          {c.annotators.map((who, k) => (
            <span key={who} className="muted">
              {who}: {name(c.labels[p.face as number]?.[k])}
            </span>
          ))}
          <span data-testid="consensus-majority">
            Majority: {name(c.majority[p.face])}
            {c.tiedFaces.includes(p.face) ? " (a tie: the first label in alphabetical order, for you to decide)" : ""}
          </span>
        </div>
      )}
    </div>
  );
});
