"use client";

import { useMemo, useState } from "react";
import { useStable } from "@/components/use-stable";
import type { PartStage } from "@/features/part-stage";
import { disagreeingFaces, nextInList } from "@/lib/workbench/prelabel";
import type { WorkbenchProps } from "./workbench-props";

/**
 * The pre-labels on this face numbering: confidence per face (shown as colours on demand) and the
 * faces the models disagree on, stepped through from the selected face. (The unsure faces to
 * confirm are useFaceChecks'.)
 */
export function usePrelabelView(stage: PartStage, prelabel: WorkbenchProps["prelabel"], faceSignature: string) {
  const [showConfidence, setShowConfidence] = useState(false);
  const stale = !!prelabel?.summary && prelabel.faceSignature !== faceSignature;
  const confidence = prelabel?.summary && !stale ? prelabel.summary.confidence : null;
  const disagreeing = useMemo(
    () => (stale ? [] : disagreeingFaces(prelabel?.summary?.disagreement)),
    [prelabel, stale],
  );
  const focus = (face: number | null) => {
    if (face !== null) stage.focusFace(face);
  };
  const nextDisagreement = useStable(() => focus(nextInList(disagreeing, stage.current)));
  const toggleConfidence = useStable(() => {
    if (confidence) setShowConfidence((v) => !v);
  });
  const shown = showConfidence && !!confidence;
  return useMemo(
    () => ({
      stale,
      confidence,
      disagreeing,
      /** Colour the faces by confidence (only when there is one). */
      showConfidence: shown,
      nextDisagreement,
      toggleConfidence,
    }),
    [stale, confidence, disagreeing, shown, nextDisagreement, toggleConfidence],
  );
}

export type PrelabelView = ReturnType<typeof usePrelabelView>;
