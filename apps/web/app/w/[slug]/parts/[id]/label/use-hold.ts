"use client";

import type { FaceCheck, LabelState } from "@facet/core";
import { useState } from "react";
import { usePartEvents } from "@/features/part-stage";
import { useActiveTime } from "./use-active-time";
import { useAutosave } from "./use-autosave";
import { useLease } from "./use-lease";
import type { WorkbenchProps } from "./workbench-props";

const SAVE_TEXT = {
  pending: "Unsaved changes…",
  saving: "Saving…",
  conflict: "Not saved",
  error: "Save failed, retrying…",
} as const;

/**
 * The annotator's hold on the part: the live state (status, holder, who is here, newer revisions),
 * the lease kept while the page is open, and the autosave of every change. Editable only while the
 * caller holds the part and nothing refused a save.
 */
export function useHold(
  props: Pick<WorkbenchProps, "userId" | "holds" | "status" | "annotatorId" | "faceSignature" | "revision">,
  base: string,
  history: { state: LabelState; version: number; faceChecks: FaceCheck[] | null },
) {
  const [lost, setLost] = useState<string | null>(null);
  const live = usePartEvents(`${base}/events`, { status: props.status, annotatorId: props.annotatorId });
  const stillHeld = live.status === "in_progress" && live.annotatorId === props.userId;
  const holding = props.holds && stillHeld && lost === null;
  const lease = useLease(`${base}/lease`, props.holds && stillHeld, setLost);
  // the active time spent on the part while it is held (analytics)
  useActiveTime(`${base}/active-time`, holding);

  const save = useAutosave({
    url: `${base}/revisions`,
    faceSignature: props.faceSignature,
    state: history.state,
    faceChecks: history.faceChecks,
    version: history.version,
    initialRevision: props.revision?.revisionNo ?? null,
    enabled: holding,
  });
  const editable = holding && save.status.kind !== "conflict";
  const newerElsewhere =
    live.latestRevision !== null &&
    live.latestRevision.revisionNo > save.revision.current &&
    live.latestRevision.authorId !== props.userId;
  const saveText =
    save.status.kind === "saved"
      ? save.status.revisionNo
        ? `Saved · revision ${save.status.revisionNo}`
        : "Saved"
      : SAVE_TEXT[save.status.kind];

  return { live, lost, holding, editable, save, newerElsewhere, saveText, letGo: lease.letGo };
}

export type Hold = ReturnType<typeof useHold>;
