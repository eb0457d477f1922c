"use client";

import { type LabelContext, type LabelState, submissionProblems } from "@facet/core";
import { useRouter } from "next/navigation";
import { useCallback, useState } from "react";
import { ApiError, api, messageOf } from "@/components/api-client";
import type { FaceChecks } from "./use-face-checks";
import type { Notice } from "./workbench-props";

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * Submitting the labels for review (refused with the problems found: unlabelled faces, unsure
 * pre-labelled faces not yet confirmed, which it then shows one by one) and releasing the part back
 * to the queue; both save first and go back to the queue.
 */
export function useSubmission(input: {
  base: string;
  workspace: string;
  partName: string;
  state: LabelState;
  ctx: LabelContext | null;
  checks: FaceChecks;
  flush: () => Promise<number>;
  notify: (notice: Notice) => void;
  /** The part was handed in: stop keeping its lease. */
  letGo: () => void;
}) {
  const { base, workspace, partName, state, ctx, checks, flush, notify, letGo } = input;
  const router = useRouter();
  const [problems, setProblems] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);

  const submit = useCallback(async () => {
    if (!ctx) return;
    const found = submissionProblems(state, ctx);
    if (checks.left.length > 0) {
      found.push(
        `${plural(checks.left.length, "unsure pre-labelled face is", "unsure pre-labelled faces are")} not confirmed yet: U shows each, Enter confirms its label (or change it)`,
      );
      checks.showFirst();
    }
    setProblems(found);
    if (found.length > 0) return;
    setBusy(true);
    try {
      const revisionNo = await flush();
      const { status } = await api<{ status: string }>("POST", `${base}/submit`, { revisionNo });
      letGo();
      // in a consensus dataset the part goes back to the queue until enough people have labelled it
      const outcome = status === "in_review" ? "submitted" : "recorded";
      router.push(`/w/${workspace}/queue?${outcome}=${encodeURIComponent(partName)}`);
    } catch (e) {
      if (e instanceof ApiError && e.code === "UNCONFIRMED_FACES") {
        setProblems([e.message]);
        checks.showFirst();
      } else {
        notify({ text: messageOf(e), error: true });
      }
      setBusy(false);
    }
  }, [ctx, state, checks, flush, base, router, workspace, partName, notify, letGo]);

  const release = useCallback(async () => {
    setBusy(true);
    try {
      await flush().catch(() => undefined);
      await api("POST", `${base}/release`);
      letGo();
      router.push(`/w/${workspace}/queue`);
    } catch (e) {
      notify({ text: messageOf(e), error: true });
      setBusy(false);
    }
  }, [flush, base, router, workspace, notify, letGo]);

  const clearProblems = useCallback(() => setProblems([]), []);

  return { problems, clearProblems, busy, submit, release };
}
