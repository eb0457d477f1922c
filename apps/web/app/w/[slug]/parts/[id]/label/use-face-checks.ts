"use client";

import {
  checkCounts,
  type FaceCheck,
  type FaceMark,
  faceChecks,
  marksFromChecks,
  unconfirmedFaces,
  unsureFaces,
} from "@facet/core";
import { useEffect, useMemo, useState } from "react";
import { useStable } from "@/components/use-stable";
import type { PartStage } from "@/features/part-stage";
import { nextInList } from "@/lib/workbench/prelabel";
import type { WorkbenchProps } from "./workbench-props";

/**
 * What the annotator did with each pre-labelled face, against anchoring on the pre-labels: a face
 * becomes `seen` when it is the one selected face, `confirmed` when the annotator says its label is
 * right (Enter), `changed` when its label differs from the pre-label. The unsure faces (confidence
 * below the dataset's threshold) must be confirmed or changed before submission: `left` lists those
 * still waiting, least sure first. The checks ride along with every save (the database keeps them);
 * a confirmation is a change of its own (it saves), a look is not (it goes with the next save).
 */
export function useFaceChecks(input: {
  stage: PartStage;
  prelabel: WorkbenchProps["prelabel"];
  faceSignature: string;
  confirmBelow: number;
  labels: readonly (string | null)[];
  /** The checks of the revision the workbench opened on (carried forward). */
  saved: readonly FaceCheck[] | null | undefined;
}) {
  const { stage, prelabel, faceSignature, confirmBelow, labels } = input;
  const pre =
    prelabel?.summary && prelabel.faceSignature === faceSignature && prelabel.labels.length === labels.length
      ? prelabel.labels
      : null;
  const confidence = pre ? (prelabel?.summary?.confidence ?? null) : null;
  const [marks, setMarks] = useState<ReadonlyMap<number, FaceMark>>(() => marksFromChecks(input.saved));
  /** Bumped by each confirmation: a change the autosave saves. */
  const [version, setVersion] = useState(0);

  const current = stage.current;
  useEffect(() => {
    if (!pre || current === null) return;
    setMarks((m) => (m.has(current) ? m : new Map(m).set(current, "seen")));
  }, [pre, current]);

  const unsure = useMemo(() => (confidence ? unsureFaces(confidence, confirmBelow) : []), [confidence, confirmBelow]);
  const left = useMemo(() => (pre ? unconfirmedFaces(unsure, labels, pre, marks) : []), [pre, unsure, labels, marks]);
  const checks = useMemo(() => faceChecks(labels, pre, marks), [labels, pre, marks]);
  const counts = useMemo(() => (checks ? checkCounts(checks) : null), [checks]);

  /** Frame the next unsure face still to confirm (or, when none is left, the next unsure face). */
  const next = useStable(() => {
    const face = nextInList(left.length > 0 ? left : unsure, stage.current);
    if (face !== null) stage.focusFace(face);
  });

  /** Frame the first (least sure) face still to confirm. */
  const showFirst = useStable(() => {
    if (left.length > 0) stage.focusFace(left[0] as number);
  });

  /** Confirm the selected faces' labels (pre-labelled faces only), then frame the next face to confirm. */
  const confirmAndNext = useStable(() => {
    const faces = pre ? [...stage.selection] : [];
    if (faces.length > 0) {
      setMarks((m) => {
        const out = new Map(m);
        for (const f of faces) out.set(f, "confirmed");
        return out;
      });
      setVersion((v) => v + 1);
    }
    const rest = left.filter((f) => !faces.includes(f));
    if (rest.length > 0) stage.focusFace(rest[0] as number);
  });

  return useMemo(
    () => ({
      /** There is a pre-label on these faces to check against. */
      active: pre !== null,
      threshold: confirmBelow,
      unsure,
      left,
      checks,
      counts,
      version,
      next,
      showFirst,
      confirmAndNext,
    }),
    [pre, confirmBelow, unsure, left, checks, counts, version, next, showFirst, confirmAndNext],
  );
}

export type FaceChecks = ReturnType<typeof useFaceChecks>;
