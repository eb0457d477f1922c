import "server-only";
import { AppError, uuidSchema } from "@facet/core";
import {
  getDatasetSettings,
  getJob,
  getLearningSettings,
  getPrelabelModel,
  listDatasets,
  listPrelabelModels,
  type PoolClient,
  type PrelabelModelDetail,
  type PrelabelModelSummary,
} from "@facet/db";
import type { Evaluation } from "@facet/prelabel";
import type { ModelView } from "./model-view";

/** A dataset named in a path or query: by id, or by name. */
export const datasetRef = (ref: string) => (uuidSchema.safeParse(ref).success ? { id: ref } : { name: ref });

/** Whether a model version is what `wanted` names: "3", "v3" or the full "v3-1a2b3c4d". */
export function namesVersion(m: Pick<PrelabelModelSummary, "version" | "modelVersion">, wanted: string): boolean {
  const w = wanted.trim().toLowerCase();
  return w === m.modelVersion || w === String(m.version) || w === `v${m.version}`;
}

export interface UsableModel {
  id: string;
  datasetId: string;
  version: number;
  modelVersion: string;
  sha256: string;
  sizeBytes: number;
}

/**
 * The model a prediction uses: the named version of the dataset's learned pre-labeler, or the one in
 * use. NOT_FOUND (with what to do) when the dataset has none, or no version of that name with a file.
 */
export async function usableModel(
  c: PoolClient,
  workspaceId: string,
  dataset: { id: string; name: string },
  wanted: string | null,
): Promise<UsableModel> {
  const models = await listPrelabelModels(c, workspaceId, dataset.id);
  const m = wanted ? models.find((x) => namesVersion(x, wanted)) : models.find((x) => x.status === "promoted");
  if (!m) {
    throw new AppError(
      "NOT_FOUND",
      wanted
        ? `the dataset "${dataset.name}" has no model version "${wanted}" (its versions: ${models.map((x) => x.modelVersion ?? `v${x.version}`).join(", ") || "none"})`
        : `the dataset "${dataset.name}" has no learned model in use yet: turn learning on and train one on its page`,
    );
  }
  if (!m.modelSha256 || m.sizeBytes === null || !m.modelVersion) {
    throw new AppError("NOT_FOUND", `model v${m.version} of "${dataset.name}" has no file (${m.status})`);
  }
  return {
    id: m.id,
    datasetId: m.datasetId,
    version: m.version,
    modelVersion: m.modelVersion,
    sha256: m.modelSha256,
    sizeBytes: m.sizeBytes,
  };
}

/** A dataset by id or name (NOT_FOUND otherwise). */
export async function findDataset(c: PoolClient, workspaceId: string, ref: string) {
  const d = await getDatasetSettings(c, workspaceId, datasetRef(ref));
  return { id: d.id, name: d.name };
}

/**
 * The dataset a prediction without `?dataset=` means: the workspace's only dataset with a model in
 * use; otherwise the caller must name one (VALIDATION_FAILED naming them).
 */
export async function onlyLearningDataset(c: PoolClient, workspaceId: string): Promise<{ id: string; name: string }> {
  const withModel: Array<{ id: string; name: string }> = [];
  for (const d of await listDatasets(c, workspaceId)) {
    if ((await getLearningSettings(c, workspaceId, d.id)).promoted) withModel.push({ id: d.id, name: d.name });
  }
  if (withModel.length === 1) return withModel[0] as { id: string; name: string };
  throw new AppError(
    withModel.length === 0 ? "NOT_FOUND" : "VALIDATION_FAILED",
    withModel.length === 0
      ? "no dataset of this workspace has a learned model in use yet"
      : `name the dataset (?dataset=<id or name>): ${withModel.map((d) => d.name).join(", ")} have models`,
  );
}

/** What the quality page shows of a model version (its job's progress while it trains). */
export async function modelView(c: PoolClient, workspaceId: string, summary: PrelabelModelSummary): Promise<ModelView> {
  const detail: PrelabelModelDetail = await getPrelabelModel(c, workspaceId, summary.id);
  const job =
    detail.status === "training" && detail.jobId ? await getJob(c, workspaceId, detail.jobId).catch(() => null) : null;
  return {
    id: detail.id,
    datasetId: detail.datasetId,
    version: detail.version,
    label: detail.modelVersion,
    status: detail.status,
    reason: detail.reason,
    decision: detail.decision,
    error: detail.error,
    progress: job ? job.progress : null,
    progressMessage: job ? job.progressMessage : null,
    trainParts: detail.trainParts,
    trainFaces: detail.trainFaces,
    revisions: detail.revisions.map((r) => ({
      partId: r.partId,
      partName: r.partName,
      revisionNo: r.revisionNo,
      heldOut: r.heldOut,
    })),
    evaluation: detail.evaluation as Evaluation | null,
    baseline: detail.baselineEvaluation
      ? {
          label: detail.baselineVersion === null ? null : `v${detail.baselineVersion}`,
          evaluation: detail.baselineEvaluation as Evaluation,
        }
      : null,
    trainingMs: detail.trainingMs,
    sizeBytes: detail.sizeBytes,
    createdAt: detail.createdAt,
    finishedAt: detail.finishedAt,
  };
}
