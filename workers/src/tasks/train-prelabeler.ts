import { DEFAULT_TAXONOMY, JOB_KINDS, jobRunSchema, taxonomySchema } from "@facet/core";
import {
  completeJob,
  failTrainingJob,
  MIN_TRAINING_PARTS,
  openModel,
  type Pool,
  type PromotedModel,
  promotedModel,
  recordTrainedModel,
  refreshQueuePriorities,
  refuseModel,
  type StoredEvaluation,
  setJobProgress,
  startTrainingJob,
  type TrainingJob,
  type TrainingPart,
  trainingDataset,
  trainingParts,
  withService,
} from "@facet/db";
import type { FacesDocument } from "@facet/geometry";
import {
  type EvaluatedPart,
  evaluate,
  holdOut,
  inputFromFacesDocument,
  type LabelledPart,
  type LearnedModel,
  predictLabels,
  trainModel,
} from "@facet/prelabel";
import type { BlobStore } from "@facet/storage";
import { loadModelFile, storeModelFile, UnusableModelError } from "./train-prelabeler-model";

export const TRAIN_PRELABELER = JOB_KINDS.trainPrelabeler;

/** Share of the approved parts held back to evaluate each model (by a hash of the part id: stable across versions). */
export const HOLD_OUT_SHARE = 0.2;
/** Seed of the hold-out and of training: same approved labels, same model. */
export const TRAINING_SEED = 0;

export interface TrainPrelabelerDeps {
  pool: Pool;
  store: BlobStore;
  runnerName?: "graphile-worker" | "trigger.dev";
  log: (line: string) => void;
}

export interface TrainingOutcome {
  modelId: string;
  version: number;
  status: "promoted" | "evaluated" | "failed";
  /** Why it was (not) promoted, or why it failed. */
  decision: string;
  faceAccuracy: number | null;
  baselineFaceAccuracy: number | null;
  trainingMs: number | null;
  sizeBytes: number | null;
  trainParts: number;
  heldOutParts: number;
}

/** A training that cannot go on, for a reason the models page shows as it is. */
class TrainingRefused extends Error {}

/**
 * Train a dataset's learned pre-labeler on its approved parts (their latest revisions, in the
 * dataset's label schema), hold back a stable share of them, evaluate the new model and the model in
 * use on those same parts, store the file content-addressed and record the version; promote it only
 * when its per-face accuracy beats the one in use (the first model is promoted: nothing is in use).
 * A failure leaves the model in use as it is and the version failed with the reason.
 */
export async function trainPrelabeler(deps: TrainPrelabelerDeps, rawPayload: unknown): Promise<TrainingOutcome | null> {
  const { jobId } = jobRunSchema.parse(rawPayload);
  const job = await withService(deps.pool, (c) => startTrainingJob(c, jobId, deps.runnerName ?? "graphile-worker"));
  if (!job) return null;
  const dataset = await withService(deps.pool, (c) => trainingDataset(c, job.datasetId));
  const parsed = dataset?.taxonomy == null ? null : taxonomySchema.safeParse(dataset.taxonomy);
  const classes = (parsed?.success ? parsed.data : DEFAULT_TAXONOMY).featureTypes.map((t) => t.key);
  const opened = await withService(deps.pool, (c) =>
    openModel(c, job, { labelSchemaId: dataset?.labelSchemaId ?? null, classes, seed: TRAINING_SEED }),
  );
  try {
    if (parsed && !parsed.success) throw new TrainingRefused("the dataset's label schema is not valid");
    const outcome = await train(deps, job, opened, classes);
    deps.log(
      `train ${job.datasetId}: v${opened.version} ${outcome.status} (${outcome.decision}) in ${outcome.trainingMs} ms`,
    );
    return outcome;
  } catch (e) {
    const reason =
      e instanceof TrainingRefused
        ? e.message
        : `the training stopped: ${String((e as Error)?.message ?? e).slice(0, 500)}`;
    await withService(deps.pool, (c) => failTrainingJob(c, jobId, reason));
    deps.log(`train ${job.datasetId}: v${opened.version} failed: ${reason}`);
    return {
      modelId: opened.id,
      version: opened.version,
      status: "failed",
      decision: reason,
      faceAccuracy: null,
      baselineFaceAccuracy: null,
      trainingMs: null,
      sizeBytes: null,
      trainParts: 0,
      heldOutParts: 0,
    };
  }
}

async function train(
  deps: TrainPrelabelerDeps,
  job: TrainingJob,
  opened: { id: string; version: number },
  classes: string[],
): Promise<TrainingOutcome> {
  const progress = (value: number, message: string) =>
    withService(deps.pool, (c) => setJobProgress(c, job.id, value, message));
  const approved = await withService(deps.pool, (c) => trainingParts(c, job.datasetId));
  if (approved.length < MIN_TRAINING_PARTS) {
    throw new TrainingRefused(
      `too few approved parts to learn from: ${approved.length} approved with labels on their current geometry; ` +
        `a training needs at least ${MIN_TRAINING_PARTS} (one is held back to evaluate the model)`,
    );
  }
  await progress(0.05, `reading the faces of ${approved.length} approved parts`);
  const { ordered, heldOut: held } = planTraining(approved);
  const parts = await labelledParts(deps.store, ordered);
  const learnFrom = parts.filter((p) => !held.has(p.name));
  const test = parts.filter((p) => held.has(p.name));

  await progress(0.1, `training on ${learnFrom.length} parts`);
  let last = 0;
  // the trainer takes parts in name order: named by their content, the same files make the same model
  const content = new Map(ordered.map((p) => [p.partId, p.sha256]));
  const trained = await trainModel(
    learnFrom.map((p) => ({ ...p, name: content.get(p.name) as string })),
    {
      seed: TRAINING_SEED,
      classes,
      onProgress: (done, total) => {
        const now = Date.now();
        if (now - last < 1000 || total === 0) return;
        last = now;
        void progress(0.1 + 0.7 * (done / total), `training: step ${done} of ${total}`).catch(() => {});
      },
    },
  );

  await progress(0.85, `evaluating on ${test.length} held-back parts`);
  const evaluation = evaluateOn(trained.model, test, classes);
  const baseline = await baselineOn(deps, job.datasetId, test, classes);
  const file = await storeModelFile(deps.store, trained.model);

  const promote = baseline === null || evaluation.faceAccuracy > baseline.evaluation.faceAccuracy;
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const decision =
    baseline === null
      ? `promoted: no model was in use (per-face accuracy ${pct(evaluation.faceAccuracy)} on ${test.length} held-back parts)`
      : promote
        ? `promoted: per-face accuracy ${pct(evaluation.faceAccuracy)} beats v${baseline.model.version}'s ${pct(baseline.evaluation.faceAccuracy)} on the same ${test.length} held-back parts`
        : `not promoted: per-face accuracy ${pct(evaluation.faceAccuracy)} does not beat v${baseline.model.version}'s ${pct(baseline.evaluation.faceAccuracy)} on the same ${test.length} held-back parts`;
  const byName = new Map(approved.map((p) => [p.partId, p]));
  const outcome: TrainingOutcome = {
    modelId: opened.id,
    version: opened.version,
    status: promote ? "promoted" : "evaluated",
    decision,
    faceAccuracy: evaluation.faceAccuracy,
    baselineFaceAccuracy: baseline?.evaluation.faceAccuracy ?? null,
    trainingMs: Math.round(trained.ms),
    sizeBytes: file.sizeBytes,
    trainParts: learnFrom.length,
    heldOutParts: test.length,
  };
  await withService(deps.pool, async (c) => {
    await recordTrainedModel(c, opened.id, {
      sha256: file.sha256,
      sizeBytes: file.sizeBytes,
      trainParts: trained.parts,
      trainFaces: trained.faces,
      trainingMs: trained.ms,
      evaluation,
      baseline: baseline ? { modelId: baseline.model.id, evaluation: baseline.evaluation } : null,
      revisions: parts.map((p) => ({
        partId: p.name,
        revisionId: (byName.get(p.name) as TrainingPart).revisionId,
        heldOut: held.has(p.name),
      })),
      promote,
      decision,
    });
    await completeJob(c, job.id, { ...outcome });
  });
  // the queue orders that follow the approvals and the model (most novel, rare classes) move now
  await withService(deps.pool, (c) => refreshQueuePriorities(c, job.datasetId)).catch((e) =>
    deps.log(`train ${job.datasetId}: the queue was not worked out again: ${(e as Error).message}`),
  );
  return outcome;
}

/** The approved parts as the engine takes them: faces from their faces.json, one label per face. */
/**
 * The order parts are learnt in and the ones held back, both by the parts' content (SHA-256), never
 * by their ids: the same approved files give the same split and the same model in any dataset, in
 * any run (ids are random), and a part stays held back whatever other parts come and go. Returns
 * the parts in training order and the ids of those held back.
 */
export function planTraining<P extends Pick<TrainingPart, "partId" | "sha256">>(
  approved: readonly P[],
): { ordered: P[]; heldOut: Set<string> } {
  const ordered = [...approved].sort((a, b) =>
    a.sha256 !== b.sha256 ? (a.sha256 < b.sha256 ? -1 : 1) : a.partId < b.partId ? -1 : a.partId > b.partId ? 1 : 0,
  );
  const heldSha = holdOut(
    ordered.map((p) => p.sha256),
    HOLD_OUT_SHARE,
    TRAINING_SEED,
  );
  return { ordered, heldOut: new Set(ordered.filter((p) => heldSha.has(p.sha256)).map((p) => p.partId)) };
}

async function labelledParts(store: BlobStore, approved: readonly TrainingPart[]): Promise<LabelledPart[]> {
  const parts: LabelledPart[] = [];
  for (const p of approved) {
    const doc = JSON.parse((await store.read(p.facesKey)).toString("utf8")) as FacesDocument;
    if (doc.signature !== p.faceSignature || doc.faces.length !== p.labels.length) {
      throw new TrainingRefused(
        `${p.partName}: its faces file does not match its labels (${doc.faces.length} faces, ${p.labels.length} labels)`,
      );
    }
    parts.push({ name: p.partId, input: inputFromFacesDocument(doc), labels: p.labels });
  }
  return parts;
}

function evaluateOn(model: LearnedModel, test: readonly LabelledPart[], classes: readonly string[]): StoredEvaluation {
  const evaluated: EvaluatedPart[] = test.map((p) => ({
    name: p.name,
    truth: p.labels,
    predicted: predictLabels(model, p.input),
  }));
  return evaluate(evaluated, classes);
}

/**
 * The model in use, evaluated on the same held-back parts (null when none is in use). A model in
 * use whose file turned out unusable is refused (never used again) and the one before it is judged.
 */
async function baselineOn(
  deps: TrainPrelabelerDeps,
  datasetId: string,
  test: readonly LabelledPart[],
  classes: readonly string[],
): Promise<{ model: PromotedModel; evaluation: StoredEvaluation } | null> {
  let inUse = await withService(deps.pool, (c) => promotedModel(c, datasetId));
  while (inUse) {
    try {
      const model = await loadModelFile(deps.store, inUse.sha256);
      return { model: inUse, evaluation: evaluateOn(model, test, classes) };
    } catch (e) {
      if (!(e instanceof UnusableModelError)) throw e;
      const refused: PromotedModel = inUse;
      deps.log(`train ${datasetId}: the model in use (v${refused.version}) is refused: ${e.message}`);
      inUse = await withService(deps.pool, (c) => refuseModel(c, refused.id, e.message));
    }
  }
  return null;
}

/**
 * The job system gave up on a training outside its handler (Trigger.dev: out of memory, time limit):
 * the job and its model version fail with that reason; the model in use stays in use.
 */
export async function failUnfinishedTraining(pool: Pool, rawPayload: unknown, reason: string): Promise<void> {
  const { jobId } = jobRunSchema.parse(rawPayload);
  await withService(pool, (c) => failTrainingJob(c, jobId, reason));
}
