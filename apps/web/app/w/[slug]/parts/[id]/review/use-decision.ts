"use client";

import { useRouter } from "next/navigation";
import { useCallback, useState } from "react";
import { api, messageOf } from "@/components/api-client";
import type { PartLive } from "@/features/part-stage";
import { canReject, type DraftNote, reviewPayload } from "@/lib/review/notes";
import { decisionBlocked } from "@/lib/review/queue";

/**
 * The decision: the summary, approve or reject (with the notes), why the reviewer cannot decide
 * (their own annotation, a part not waiting for review), and what changed while they were looking.
 */
export function useDecision(input: {
  base: string;
  workspace: string;
  partName: string;
  userId: string;
  annotatorId: string | null;
  status: string;
  revisionNo: number;
  live: PartLive;
  notes: readonly DraftNote[];
}) {
  const { base, workspace, partName, revisionNo, notes, live } = input;
  const router = useRouter();
  const [summary, setSummary] = useState("");
  const [busy, setBusy] = useState(false);
  const [decided, setDecided] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const liveStatus = live.status ?? input.status;
  const statusChanged = !decided && liveStatus !== input.status;
  const newerRevision = !decided && live.latestRevision !== null && live.latestRevision.revisionNo > revisionNo;
  const blocked = decided
    ? null
    : decisionBlocked({ userId: input.userId, annotatorId: input.annotatorId, status: liveStatus });

  const decide = useCallback(
    async (decision: "approved" | "rejected") => {
      setBusy(true);
      setError(null);
      try {
        await api("POST", `${base}/review`, reviewPayload(decision, revisionNo, summary, notes));
        setDecided(true);
        router.push(`/w/${workspace}/review?reviewed=${encodeURIComponent(partName)}&decision=${decision}`);
      } catch (e) {
        setError(messageOf(e));
        setBusy(false);
      }
    },
    [base, revisionNo, workspace, partName, summary, notes, router],
  );

  return {
    summary,
    setSummary,
    busy,
    error,
    liveStatus,
    statusChanged,
    newerRevision,
    blocked,
    rejectable: canReject(notes, summary),
    decide,
  };
}

export type Decision = ReturnType<typeof useDecision>;
