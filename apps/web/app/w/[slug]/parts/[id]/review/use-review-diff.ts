"use client";

import { changedFaces, diffCounts, type FeatureType, stepChange } from "@facet/core";
import { useCallback, useMemo, useState } from "react";
import type { PartStage } from "@/features/part-stage";
import { type DiffBase, type DiffMode, describeChange, diffFor, diffModeOptions, fitLabels } from "@/lib/review/diff";
import { NO_FACES } from "@/lib/workbench/selection";

/**
 * What the reviewer compares the labels with (the plain labels, the pre-label, the previous
 * submission), the changed faces, and stepping through them with [ and ] (framed, not selected).
 */
export function useReviewDiff(input: {
  stage: PartStage;
  faceSignature: string;
  faceCount: number;
  /** The labels under review, fitted to the part's faces. */
  current: (string | null)[];
  prelabel: DiffBase | null;
  previous: DiffBase | null;
  features: ReadonlyMap<string, FeatureType>;
}) {
  const { stage, faceSignature, faceCount, current, prelabel, previous, features } = input;
  const { selection, setSelection, show, viewer } = stage;
  const [mode, setMode] = useState<DiffMode>("labels");
  const [changeFace, setChangeFace] = useState<number | null>(null);

  const options = useMemo(
    () => diffModeOptions({ faceSignature, prelabel, previous }),
    [faceSignature, prelabel, previous],
  );
  const option = options.find((o) => o.mode === mode);
  const diff = useMemo(() => diffFor(option, current), [option, current]);
  const baseLabels = useMemo(
    () => (diff && option?.base ? fitLabels(option.base.labels, faceCount) : null),
    [diff, option, faceCount],
  );
  const changed = useMemo(() => (diff ? changedFaces(diff) : []), [diff]);
  const counts = useMemo(() => (diff ? diffCounts(diff) : null), [diff]);

  const changeMode = useCallback((next: DiffMode) => {
    setMode(next);
    setChangeFace(null);
  }, []);

  const step = useCallback(
    (direction: 1 | -1) => {
      if (!diff) return;
      const from = changeFace ?? (selection.size === 1 ? ([...selection][0] as number) : null);
      const next = stepChange(changed, from, direction);
      if (next === null) return;
      setChangeFace(next);
      // framed, not selected: the selection's tint would hide the colour of the change
      show([next]);
      setSelection(NO_FACES);
      viewer.current?.fit([next]);
    },
    [diff, changed, changeFace, selection, show, setSelection, viewer],
  );

  const changeInfo = useMemo(() => {
    if (!diff || changeFace === null) return null;
    return {
      face: changeFace,
      text: describeChange(changeFace, current[changeFace], baseLabels?.[changeFace], features),
    };
  }, [diff, changeFace, current, baseLabels, features]);
  const changePosition = useMemo(() => {
    if (changeFace === null) return null;
    const i = changed.indexOf(changeFace);
    return i < 0 ? null : `${i + 1} of ${changed.length}`;
  }, [changed, changeFace]);

  return useMemo(
    () => ({
      mode,
      options,
      diff,
      baseLabels,
      changed,
      counts,
      changeMode,
      setChangeFace,
      step,
      changeInfo,
      changePosition,
    }),
    [mode, options, diff, baseLabels, changed, counts, changeMode, step, changeInfo, changePosition],
  );
}

export type ReviewDiff = ReturnType<typeof useReviewDiff>;
