"use client";

import { useMemo, useState } from "react";
import { useStable } from "@/components/use-stable";
import type { PartStage } from "@/features/part-stage";
import { disagreeingFaces, nextInList, uncertainFaces } from "@/lib/workbench/prelabel";
import type { WorkbenchProps } from "./workbench-props";

/**
 * The pre-labels on this face numbering: confidence per face (shown as colours on demand), the faces
 * to check first and those the models disagree on, each stepped through from the selected face.
 */
export function usePrelabelView(stage: PartStage, prelabel: WorkbenchProps["prelabel"], faceSignature: string) {
  const [showConfidence, setShowConfidence] = useState(false);
  const stale = !!prelabel?.summary && prelabel.faceSignature !== faceSignature;
  const confidence = prelabel?.summary && !stale ? prelabel.summary.confidence : null;
  const uncertain = useMemo(() => (confidence ? uncertainFaces(confidence) : []), [confidence]);
  const disagreeing = useMemo(
    () => (stale ? [] : disagreeingFaces(prelabel?.summary?.disagreement)),
    [prelabel, stale],
  );
  const focus = (face: number | null) => {
    if (face !== null) stage.focusFace(face);
  };
  const nextUncertain = useStable(() => focus(nextInList(uncertain, stage.current)));
  const nextDisagreement = useStable(() => focus(nextInList(disagreeing, stage.current)));
  const toggleConfidence = useStable(() => {
    if (confidence) setShowConfidence((v) => !v);
  });
  const shown = showConfidence && !!confidence;
  return useMemo(
    () => ({
      stale,
      confidence,
      uncertain,
      disagreeing,
      /** Colour the faces by confidence (only when there is one). */
      showConfidence: shown,
      nextUncertain,
      nextDisagreement,
      toggleConfidence,
    }),
    [stale, confidence, uncertain, disagreeing, shown, nextUncertain, nextDisagreement, toggleConfidence],
  );
}

export type PrelabelView = ReturnType<typeof usePrelabelView>;
