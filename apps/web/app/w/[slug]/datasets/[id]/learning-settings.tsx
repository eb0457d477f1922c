"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { api, messageOf } from "@/components/api-client";
import { ProgressBar } from "@/components/curation/progress-bar";
import { type JobView, jobEnded, usePoll } from "@/components/curation/use-poll";

/** How often a dataset retrains: the choices offered (and the current value, if another). */
const RETRAIN_CHOICES = [5, 10, 25, 50, 100, 250, 500];

export const retrainText = (n: number) =>
  `a new version is trained after ${n === 1 ? "each approval" : `every ${n} approvals`}; it replaces the one in use only when it labels the held-back approved parts better`;

/**
 * The learned pre-labeler of a dataset: on/off, how often it retrains, and "Train now" with the
 * training job's progress (and, when it fails, why). `training`: a training already queued or running.
 */
export function LearningSettings(props: {
  workspace: string;
  datasetId: string;
  learned: boolean;
  retrainAfter: number;
  canEdit: boolean;
  saving: boolean;
  change: (key: "learnedPrelabel" | "retrainAfter", value: boolean | number, say: string) => Promise<void>;
  status: (key: "learnedPrelabel" | "retrainAfter", testid: string) => React.ReactNode;
  training: { jobId: string } | null;
  /** A training is queued or running (perhaps not started yet: no job to follow). */
  pending: boolean;
  /** Approvals since the last training was asked for. */
  approvals: number;
  /** The version in use ("v3-1a2b3c4d"), if any. */
  inUse: string | null;
}) {
  const router = useRouter();
  const [jobId, setJobId] = useState<string | null>(props.training?.jobId ?? null);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const { value: polled, error: pollError } = usePoll<{ job: JobView }>(
    jobId ? `/api/workspaces/${props.workspace}/jobs/${jobId}` : null,
    (v) => {
      const ended = jobEnded(v.job.status);
      if (ended) router.refresh();
      return ended;
    },
    1000,
  );
  const job = polled?.job ?? null;
  const running = jobId !== null && (!job || !jobEnded(job.status));
  const quality = `/w/${props.workspace}/quality?dataset=${props.datasetId}#models`;

  async function trainNow() {
    setStarting(true);
    setError(null);
    try {
      const r = await api<{ jobId: string }>(
        "POST",
        `/api/workspaces/${props.workspace}/datasets/${props.datasetId}/models`,
      );
      setJobId(r.jobId);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setStarting(false);
    }
  }

  const standing = (
    <p className="muted" style={{ margin: 0 }} data-testid="learning-standing">
      {props.inUse ? (
        <>
          In use: <strong data-testid="model-in-use">facet-learned {props.inUse}</strong>
        </>
      ) : (
        "No learned model in use yet"
      )}
      ; {props.approvals} approval{props.approvals === 1 ? "" : "s"} since the last training
      {props.pending && !running ? "; a training is queued" : ""}.
    </p>
  );
  if (!props.canEdit) {
    return (
      <>
        <p data-testid="learning-setting" data-value={props.learned ? "on" : "off"}>
          Learned pre-labels: {props.learned ? `on; ${retrainText(props.retrainAfter)}.` : "off."}{" "}
          <Link href={quality}>Models</Link>
        </p>
        {standing}
      </>
    );
  }

  return (
    <div className="stack" data-testid="learning" style={{ gap: 4 }}>
      <h3 style={{ margin: "12px 0 0" }}>Learned pre-labels</h3>
      <p className="muted" style={{ margin: 0 }}>
        A model trained on this dataset&apos;s approved labels, in its own label schema, pre-labels new parts beside the
        configured models. Each version is tested on approved parts it did not learn from; see them under{" "}
        <Link href={quality}>Label quality → Models</Link>.
      </p>
      {standing}
      <div className="row" data-testid="learning-setting" data-value={props.learned ? "on" : "off"}>
        <label className="row" style={{ gap: 8 }}>
          <input
            type="checkbox"
            checked={props.learned}
            disabled={props.saving}
            onChange={(e) =>
              void props.change(
                "learnedPrelabel",
                e.target.checked,
                e.target.checked ? "learned pre-labels on" : "learned pre-labels off",
              )
            }
          />
          Learn from approved labels
        </label>
        {props.status("learnedPrelabel", "learning-setting-saved")}
      </div>
      <div className="stack" data-testid="retrain-after" style={{ gap: 4 }}>
        <div className="row">
          <label className="wb-inline" style={{ flexDirection: "row", gap: 8 }}>
            Retrain after
            <select
              aria-label="Retrain after approvals"
              value={props.retrainAfter}
              disabled={props.saving}
              onChange={(e) => {
                const n = Number(e.target.value);
                void props.change("retrainAfter", n, `retrains after ${n} approvals`);
              }}
            >
              {[...new Set([...RETRAIN_CHOICES, props.retrainAfter])]
                .sort((a, b) => a - b)
                .map((n) => (
                  <option key={n} value={n}>
                    {n} approvals
                  </option>
                ))}
            </select>
          </label>
          {props.status("retrainAfter", "retrain-after-saved")}
        </div>
        <p className="muted" style={{ margin: 0 }}>
          {props.learned ? `${retrainText(props.retrainAfter)}.` : "Off: nothing is trained automatically."}
        </p>
      </div>
      <div className="row">
        <button type="button" onClick={() => void trainNow()} disabled={starting || running}>
          {running ? "Training…" : "Train now"}
        </button>
        {(error || pollError) && (
          <span className="error" role="alert" data-testid="train-error">
            {error ?? pollError}
          </span>
        )}
        {job?.status === "completed" && (
          <span className="notice" role="status" data-testid="train-done">
            Trained. <Link href={quality}>See the new version and its evaluation</Link>.
          </span>
        )}
      </div>
      {running && (
        <ProgressBar
          value={job?.progress ?? 0}
          label="Training"
          message={job?.progressMessage ?? "queued"}
          testId="train-progress"
        />
      )}
      {job && (job.status === "failed" || job.status === "canceled") && (
        <p className="error" role="alert" data-testid="train-failed">
          The training {job.status === "canceled" ? "was canceled" : "failed"}: {job.error ?? "no reason given"}. The
          model in use (if any) stays in use.
        </p>
      )}
    </div>
  );
}
