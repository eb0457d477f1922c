import type { Evaluation } from "@facet/prelabel";

/** One version of a dataset's learned pre-labeler, as the quality page shows it. */
export interface ModelView {
  id: string;
  datasetId: string;
  /** 1, 2, 3… per dataset. */
  version: number;
  /** The version the pre-labels name ("v3-1a2b3c4d"), once the file exists. */
  label: string | null;
  status: "training" | "failed" | "evaluated" | "promoted" | "retired";
  reason: "auto" | "manual";
  /** Why it was (not) promoted, in words; for a failed one, the error. */
  decision: string | null;
  error: string | null;
  /** The training job's progress while it trains (0..1) and what it does now. */
  progress: number | null;
  progressMessage: string | null;
  trainParts: number | null;
  trainFaces: number | null;
  /** The approved revisions it trained on (held_out false) and was tested on (true). */
  revisions: Array<{ partId: string; partName: string; revisionNo: number; heldOut: boolean }>;
  evaluation: Evaluation | null;
  /** The model in use when it was trained, on the very same held-back parts. */
  baseline: { label: string | null; evaluation: Evaluation } | null;
  trainingMs: number | null;
  sizeBytes: number | null;
  createdAt: string;
  finishedAt: string | null;
}
