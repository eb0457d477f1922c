"use client";

import type { FeatureType } from "@facet/core";
import type { FaceViewerProps } from "@facet/viewer";
import { type ReactNode, useMemo } from "react";
import { faceColours } from "@/lib/workbench/colours";
import type { PartStage } from "../use-part-stage";
import { Chip } from "./legend-panel";
import { StageCanvas } from "./stage-canvas";

/** The features on the part with their face counts, and how many faces are unlabelled. */
export function LabelsLegend({
  labels,
  features,
  onSelect,
}: {
  labels: ReadonlyArray<string | null>;
  features: readonly FeatureType[];
  /** Clicking a feature selects its faces (absent: the legend only reads). */
  onSelect?: (key: string) => void;
}) {
  const counts = new Map<string, number>();
  let unlabelled = 0;
  for (const l of labels) {
    if (l) counts.set(l, (counts.get(l) ?? 0) + 1);
    else unlabelled++;
  }
  const rows = features.filter((f) => counts.has(f.key)).map((f) => ({ f, n: counts.get(f.key) ?? 0 }));
  return (
    <aside className="share-legend card" data-testid="labels-legend" aria-label="Legend">
      <strong>Legend</strong>
      {rows.length === 0 ? (
        <p className="muted">No labels yet.</p>
      ) : (
        <ul>
          {rows.map(({ f, n }) => (
            <li key={f.key} data-feature={f.key}>
              {onSelect ? (
                <button type="button" className="link share-grow" onClick={() => onSelect(f.key)}>
                  <Chip colour={f.colour} /> {f.name}
                </button>
              ) : (
                <span className="share-grow">
                  <Chip colour={f.colour} /> {f.name}
                </span>
              )}
              <span className="muted" data-testid="legend-count">
                {n}
              </span>
            </li>
          ))}
        </ul>
      )}
      {unlabelled > 0 && (
        <p className="muted">
          {unlabelled} face{unlabelled === 1 ? "" : "s"} unlabelled
        </p>
      )}
    </aside>
  );
}

/**
 * A part with its labels, read-only: each face in its feature's colour, the face under the pointer
 * named with its label, and the legend beside it. The share page and the part page show labels so.
 */
export function LabelledPart({
  stage,
  meshUrl,
  meshKey,
  labels,
  features,
  onFaceClick,
  faceText = (face) => `face ${face}`,
  selectByLegend = false,
  children,
}: {
  stage: PartStage;
  meshUrl: string;
  meshKey?: string;
  labels: ReadonlyArray<string | null>;
  features: readonly FeatureType[];
  onFaceClick?: FaceViewerProps["onFaceClick"];
  /** What the hover line says of a face before its label (default: "face N"). */
  faceText?: (face: number) => string;
  /** Clicking a feature in the legend selects its faces. */
  selectByLegend?: boolean;
  /** Overlays drawn over the part (pins). */
  children?: ReactNode;
}) {
  const { model, hovered, setSelection } = stage;
  const colours = useMemo(() => faceColours(labels, features), [labels, features]);
  const byKey = useMemo(() => new Map(features.map((f) => [f.key, f])), [features]);
  const hoverText =
    hovered === null
      ? model
        ? `${model.faceCount} faces · drag to orbit, scroll to zoom`
        : ""
      : `${faceText(hovered)} · ${(() => {
          const key = labels[hovered];
          return key ? (byKey.get(key)?.name ?? key) : "unlabelled";
        })()}`;
  const select = (key: string) => setSelection(new Set(labels.flatMap((l, f) => (l === key ? [f] : []))));
  return (
    <div className="share-3d">
      <div className="share-viewer-wrap">
        <StageCanvas
          stage={stage}
          look="share"
          meshUrl={meshUrl}
          {...(meshKey ? { meshKey } : {})}
          colours={colours}
          {...(onFaceClick ? { onFaceClick } : {})}
        >
          {children}
          <div className="share-hover" aria-live="polite" data-testid="labelled-hover">
            {hoverText}
          </div>
        </StageCanvas>
      </div>
      <LabelsLegend labels={labels} features={features} {...(selectByLegend ? { onSelect: select } : {})} />
    </div>
  );
}
