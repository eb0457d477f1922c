/**
 * Learned pre-labels (issue 20): a dataset's model versions and its learning settings, read and asked
 * for as a member (row-level security decides: every member of the workspace reads its models; only
 * the worker writes them). For the web app and the CLI:
 *
 * - `listPrelabelModels(client, workspaceId, datasetId)`: every version of the dataset's learned
 *   pre-labeler, newest first, with its status, figures and (for a failed one) why.
 * - `getPrelabelModel(client, workspaceId, modelId)`: one version with its full evaluation on the
 *   held-back parts, the in-use model's evaluation on the same parts, and the exact approved
 *   revisions it trained on and was tested on. NOT_FOUND when not visible.
 * - `requestPrelabelTraining(client, workspaceId, datasetId)`: "train now" (admins and engineers);
 *   CONFLICT while a training of the dataset is queued or running; returns the job's id.
 * - `getLearningSettings(client, workspaceId, datasetId)` / `updateLearningSettings(..., patch)`:
 *   learned_prelabel, retrain_after (1..10000), queue_order (four orders), plus approvals since the
 *   last training, whether one is pending and the model in use. Changing them is for admins and
 *   engineers (FORBIDDEN otherwise, from the database's queue-settings guard).
 * - `learnedModelVersion(version, sha256)`: the version string a pre-label names (`v3-1a2b3c4d`).
 *
 * The worker's side (taking a training job, recording a model) is in ./training.ts.
 */
import { AppError } from "@facet/core";
import type { PoolClient } from "../pool";

export type PrelabelModelStatus = "training" | "failed" | "evaluated" | "promoted" | "retired";

export const QUEUE_ORDERS = ["least_confident", "oldest", "most_novel", "rare_classes"] as const;
/** How a dataset's labelling queue is served (issue 20 adds most_novel and rare_classes). */
export type LearningQueueOrder = (typeof QUEUE_ORDERS)[number];

/**
 * An evaluation as stored: packages/prelabel evaluate.ts's `Evaluation` (per-face accuracy, per-class
 * precision/recall/IoU, the confusion matrix, the parts that went wrong).
 */
export interface StoredEvaluation {
  parts: number;
  faces: number;
  correct: number;
  faceAccuracy: number;
  meanIoU: number;
  perClass: Record<
    string,
    {
      support: number;
      predicted: number;
      truePositives: number;
      precision: number | null;
      recall: number | null;
      iou: number | null;
    }
  >;
  confusion: { classes: string[]; matrix: number[][] };
  failures: { name: string; faces: number; wrong: number; accuracy: number; mistakes: Record<string, number> }[];
}

export interface PrelabelModelSummary {
  id: string;
  datasetId: string;
  version: number;
  /** What pre-labels name it by (`v<N>-<first 8 hex of its file's sha256>`); null until it has a file. */
  modelVersion: string | null;
  status: PrelabelModelStatus;
  /** 'auto': after retrain_after approvals; 'manual': someone asked. */
  reason: "auto" | "manual";
  requestedBy: string | null;
  requestedByName: string | null;
  jobId: string | null;
  /** The feature keys it predicts (its label schema's, in the order of its outputs). */
  classes: string[];
  labelSchemaId: string | null;
  modelSha256: string | null;
  sizeBytes: number | null;
  trainParts: number | null;
  trainFaces: number | null;
  heldOutParts: number;
  /** Per-face accuracy on the held-back parts (null until evaluated). */
  faceAccuracy: number | null;
  meanIoU: number | null;
  /** The model in use when it was trained, on the same held-back parts (null: there was none). */
  baselineVersion: number | null;
  baselineFaceAccuracy: number | null;
  /** Why it was promoted or not, in words. */
  decision: string | null;
  /** Why it failed (training error, too few approved parts, a corrupt file), in words. */
  error: string | null;
  trainingMs: number | null;
  createdAt: string;
  finishedAt: string | null;
  promotedAt: string | null;
  retiredAt: string | null;
}

export interface PrelabelModelRevision {
  partId: string;
  partName: string;
  revisionId: string;
  revisionNo: number;
  /** Held back for the evaluation (not trained on). */
  heldOut: boolean;
}

export interface PrelabelModelDetail extends PrelabelModelSummary {
  evaluation: StoredEvaluation | null;
  baselineModelId: string | null;
  baselineEvaluation: StoredEvaluation | null;
  /** The exact approved revisions it trained on and was evaluated on. */
  revisions: PrelabelModelRevision[];
}

/** The version string a pre-label made by this model names. */
export function learnedModelVersion(version: number, sha256: string): string {
  return `v${version}-${sha256.slice(0, 8)}`;
}

const SUMMARY_SELECT = `
  select m.id, m.dataset_id as "datasetId", m.version, m.status, m.reason, m.requested_by as "requestedBy",
         coalesce(pr.display_name, pr.email) as "requestedByName", m.job_id as "jobId", m.classes,
         m.label_schema_id as "labelSchemaId", m.model_sha256 as "modelSha256", m.size_bytes::float8 as "sizeBytes",
         m.train_parts as "trainParts", m.train_faces as "trainFaces",
         (select count(*)::int from public.prelabel_model_revisions r where r.model_id = m.id and r.held_out)
           as "heldOutParts",
         (m.evaluation ->> 'faceAccuracy')::float8 as "faceAccuracy", (m.evaluation ->> 'meanIoU')::float8 as "meanIoU",
         b.version as "baselineVersion", (m.baseline_evaluation ->> 'faceAccuracy')::float8 as "baselineFaceAccuracy",
         m.decision, m.error, m.training_ms as "trainingMs", m.created_at as "createdAt",
         m.finished_at as "finishedAt", m.promoted_at as "promotedAt", m.retired_at as "retiredAt"`;
const SUMMARY_FROM = `
  from public.prelabel_models m
  left join public.prelabel_models b on b.id = m.baseline_model_id
  left join public.profiles pr on pr.user_id = m.requested_by`;

type SummaryRow = Omit<
  PrelabelModelSummary,
  "modelVersion" | "createdAt" | "finishedAt" | "promotedAt" | "retiredAt"
> & {
  createdAt: Date;
  finishedAt: Date | null;
  promotedAt: Date | null;
  retiredAt: Date | null;
};

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function summary(r: SummaryRow): PrelabelModelSummary {
  return {
    ...r,
    modelVersion: r.modelSha256 ? learnedModelVersion(r.version, r.modelSha256) : null,
    createdAt: r.createdAt.toISOString(),
    finishedAt: iso(r.finishedAt),
    promotedAt: iso(r.promotedAt),
    retiredAt: iso(r.retiredAt),
  };
}

/** Every model version of a dataset, newest first (as the caller: members of the workspace). */
export async function listPrelabelModels(
  client: PoolClient,
  workspaceId: string,
  datasetId: string,
): Promise<PrelabelModelSummary[]> {
  const { rows } = await client.query<SummaryRow>(
    `${SUMMARY_SELECT} ${SUMMARY_FROM} where m.workspace_id = $1 and m.dataset_id = $2 order by m.version desc`,
    [workspaceId, datasetId],
  );
  return rows.map(summary);
}

/** One model version with its evaluations and training set; NOT_FOUND when not visible. */
export async function getPrelabelModel(
  client: PoolClient,
  workspaceId: string,
  modelId: string,
): Promise<PrelabelModelDetail> {
  const { rows } = await client.query<
    SummaryRow & {
      evaluation: StoredEvaluation | null;
      baselineModelId: string | null;
      baselineEvaluation: StoredEvaluation | null;
    }
  >(
    `${SUMMARY_SELECT}, m.evaluation, m.baseline_model_id as "baselineModelId",
            m.baseline_evaluation as "baselineEvaluation"
     ${SUMMARY_FROM} where m.workspace_id = $1 and m.id = $2`,
    [workspaceId, modelId],
  );
  const row = rows[0];
  if (!row) throw new AppError("NOT_FOUND", "no such model in this workspace");
  const revisions = await client.query<PrelabelModelRevision>(
    `select r.part_id as "partId", p.name as "partName", r.revision_id as "revisionId",
            a.revision_no as "revisionNo", r.held_out as "heldOut"
     from public.prelabel_model_revisions r
     join public.parts p on p.id = r.part_id
     join public.annotation_revisions a on a.id = r.revision_id
     where r.model_id = $1 order by r.held_out desc, p.name, p.id`,
    [modelId],
  );
  const { evaluation, baselineModelId, baselineEvaluation, ...rest } = row;
  return { ...summary(rest), evaluation, baselineModelId, baselineEvaluation, revisions: revisions.rows };
}

/**
 * "Train now" (admins and engineers; the database function checks): queues a training of the
 * dataset's learned pre-labeler. CONFLICT while one is queued or running. Returns the job's id.
 */
export async function requestPrelabelTraining(
  client: PoolClient,
  workspaceId: string,
  datasetId: string,
): Promise<{ jobId: string }> {
  const { rows } = await client.query<{ id: string }>("select public.request_prelabel_training($1, $2) as id", [
    workspaceId,
    datasetId,
  ]);
  return { jobId: (rows[0] as { id: string }).id };
}

export interface LearningSettings {
  datasetId: string;
  /** New parts are pre-labelled by the promoted learned model too. */
  learnedPrelabel: boolean;
  /** A training is queued after this many approvals since the last one was asked for. */
  retrainAfter: number;
  queueOrder: LearningQueueOrder;
  /** Approvals since the last training was asked for (all approvals before the first). */
  approvalsSinceTraining: number;
  /** A training of the dataset is queued or running. */
  trainingPending: boolean;
  /** The model in use (promoted), if any. */
  promoted: PrelabelModelSummary | null;
}

/** A dataset's learning settings and where its learning stands (as the caller). */
export async function getLearningSettings(
  client: PoolClient,
  workspaceId: string,
  datasetId: string,
): Promise<LearningSettings> {
  const { rows } = await client.query<Omit<LearningSettings, "promoted">>(
    `with last as (
       select max(j.created_at) as at,
              bool_or(j.status in ('queued', 'running')) as pending
       from public.jobs j
       where j.workspace_id = $1 and j.kind = 'learning:train' and j.payload ->> 'datasetId' = $2::uuid::text)
     select d.id as "datasetId", d.learned_prelabel as "learnedPrelabel", d.retrain_after as "retrainAfter",
            d.queue_order as "queueOrder", coalesce(last.pending, false) as "trainingPending",
            (select count(*)::int from public.parts p
             where p.dataset_id = d.id and p.status = 'approved'
               and p.status_changed_at > coalesce(last.at, '-infinity')) as "approvalsSinceTraining"
     from public.datasets d, last
     where d.workspace_id = $1 and d.id = $2::uuid`,
    [workspaceId, datasetId],
  );
  const settings = rows[0];
  if (!settings) throw new AppError("NOT_FOUND", "no such dataset in this workspace");
  const promoted = await client.query<SummaryRow>(
    `${SUMMARY_SELECT} ${SUMMARY_FROM} where m.workspace_id = $1 and m.dataset_id = $2 and m.status = 'promoted'`,
    [workspaceId, datasetId],
  );
  return { ...settings, promoted: promoted.rows[0] ? summary(promoted.rows[0]) : null };
}

export interface LearningSettingsPatch {
  learnedPrelabel?: boolean;
  retrainAfter?: number;
  queueOrder?: LearningQueueOrder;
}

/**
 * Change a dataset's learning settings (those given; admins and engineers). A new queue order
 * re-orders the dataset's queue (a database trigger).
 */
export async function updateLearningSettings(
  client: PoolClient,
  workspaceId: string,
  datasetId: string,
  patch: LearningSettingsPatch,
): Promise<LearningSettings> {
  const after = patch.retrainAfter;
  if (after !== undefined && !(Number.isInteger(after) && after >= 1 && after <= 10000)) {
    throw new AppError("VALIDATION_FAILED", "retrain after: a whole number of approvals from 1 to 10000");
  }
  if (patch.queueOrder !== undefined && !QUEUE_ORDERS.includes(patch.queueOrder)) {
    throw new AppError("VALIDATION_FAILED", `queue order: one of ${QUEUE_ORDERS.join(", ")}`);
  }
  const { rowCount } = await client.query(
    `update public.datasets set learned_prelabel = coalesce($3, learned_prelabel),
       retrain_after = coalesce($4, retrain_after), queue_order = coalesce($5, queue_order)
     where workspace_id = $1 and id = $2`,
    [workspaceId, datasetId, patch.learnedPrelabel ?? null, after ?? null, patch.queueOrder ?? null],
  );
  if (!rowCount) {
    throw new AppError("NOT_FOUND", "no such dataset, or you may not change it (admins and engineers may)");
  }
  return getLearningSettings(client, workspaceId, datasetId);
}
