/**
 * The worker's side of learned pre-labels (as the service): take a training job, read the dataset's
 * approved labels, open a model version, record how it went (promoted only when better), refuse a
 * model whose file turned out corrupt, and find the model a part is pre-labelled with.
 */
import { JOB_KINDS } from "@facet/core";
import type { PoolClient } from "../pool";
import { learnedModelVersion, type StoredEvaluation } from "./models";

/** Approved parts a training needs at least: one held back for the evaluation, four to learn from. */
export const MIN_TRAINING_PARTS = 5;

export interface TrainingJob {
  id: string;
  workspaceId: string;
  datasetId: string;
  reason: "auto" | "manual";
  requestedBy: string | null;
}

/** Take a training job: running, one more attempt. Null when it is gone or ended. */
export async function startTrainingJob(c: PoolClient, jobId: string, runner: string): Promise<TrainingJob | null> {
  const { rows } = await c.query<TrainingJob>(
    `update public.jobs set status = 'running', attempts = attempts + 1, started_at = coalesce(started_at, now()),
            runner = $3, progress = 0, progress_message = 'reading the approved labels'
     where id = $1 and kind = $2 and status in ('queued', 'running')
     returning id, workspace_id as "workspaceId", (payload ->> 'datasetId')::uuid as "datasetId",
               coalesce(payload ->> 'reason', 'manual') as reason, created_by as "requestedBy"`,
    [jobId, JOB_KINDS.trainPrelabeler, runner],
  );
  return rows[0] ?? null;
}

/**
 * The training job failed (its message is what the models page shows with the model row): the job,
 * and its model version when it is still training; the model in use stays in use.
 */
export async function failTrainingJob(c: PoolClient, jobId: string, reason: string): Promise<void> {
  await c.query(
    `update public.prelabel_models set status = 'failed', error = $2, finished_at = now()
     where job_id = $1 and status = 'training'`,
    [jobId, reason.slice(0, 2000)],
  );
  await c.query(
    `update public.jobs set status = 'failed', error = $3, finished_at = now(), progress = 1
     where id = $1 and kind = $2 and status in ('queued', 'running')`,
    [jobId, JOB_KINDS.trainPrelabeler, reason.slice(0, 2000)],
  );
}

export interface TrainingDataset {
  labelSchemaId: string | null;
  /** The dataset's label schema (its taxonomy JSON; the worker checks it). */
  taxonomy: unknown;
}

/** The dataset's current label schema (what the model will predict). */
export async function trainingDataset(c: PoolClient, datasetId: string): Promise<TrainingDataset | null> {
  const { rows } = await c.query<TrainingDataset>(
    `select d.label_schema_id as "labelSchemaId", s.taxonomy
     from public.datasets d left join public.label_schemas s on s.id = d.label_schema_id where d.id = $1`,
    [datasetId],
  );
  return rows[0] ?? null;
}

export interface TrainingPart {
  partId: string;
  partName: string;
  sha256: string;
  revisionId: string;
  /** One feature key (of the dataset's current label schema) per face; null = unlabelled. */
  labels: (string | null)[];
  faceSignature: string;
  facesKey: string;
}

/**
 * Every approved part of the dataset with its latest revision (the approved labels), read in the
 * dataset's current label schema version (through its mappings, private.labels_in_schema), on the
 * part's current geometry. Parts whose labels were made on another face numbering are left out.
 */
export async function trainingParts(c: PoolClient, datasetId: string): Promise<TrainingPart[]> {
  const { rows } = await c.query<TrainingPart>(
    `select p.id as "partId", p.name as "partName", p.blob_sha256 as sha256, r.id as "revisionId",
            private.labels_in_schema(r.document -> 'labels', r.label_schema_id, d.label_schema_id) as labels,
            g.face_signature as "faceSignature", g.faces_key as "facesKey"
     from public.parts p
     join public.datasets d on d.id = p.dataset_id
     join public.part_geometry g on g.id = p.geometry_id
     join lateral (
       select * from public.annotation_revisions r where r.part_id = p.id order by r.revision_no desc limit 1
     ) r on true
     where p.dataset_id = $1 and p.status = 'approved' and r.face_signature = g.face_signature
       and jsonb_typeof(r.document -> 'labels') = 'array'
     order by p.id`,
    [datasetId],
  );
  return rows;
}

export interface OpenedModel {
  id: string;
  version: number;
}

/** Start a model version of the dataset (status training): the next version number. */
export async function openModel(
  c: PoolClient,
  job: TrainingJob,
  m: { labelSchemaId: string | null; classes: readonly string[]; seed: number },
): Promise<OpenedModel> {
  // the dataset row orders concurrent openings (there is one training at a time anyway)
  await c.query("select 1 from public.datasets where id = $1 for update", [job.datasetId]);
  const { rows } = await c.query<OpenedModel>(
    `insert into public.prelabel_models (workspace_id, dataset_id, version, reason, requested_by, job_id,
       label_schema_id, classes, seed)
     select $1, $2, coalesce(max(version), 0) + 1, $3, $4, $5, $6, $7, $8
     from public.prelabel_models where dataset_id = $2
     returning id, version`,
    [job.workspaceId, job.datasetId, job.reason, job.requestedBy, job.id, m.labelSchemaId, [...m.classes], m.seed],
  );
  return rows[0] as OpenedModel;
}

/** The model a dataset uses now, with what is needed to load it. */
export interface PromotedModel {
  id: string;
  datasetId: string;
  version: number;
  sha256: string;
  sizeBytes: number;
  classes: string[];
  labelSchemaId: string | null;
  /** The version string its pre-labels name. */
  modelVersion: string;
}

const PROMOTED_COLUMNS = `m.id, m.dataset_id as "datasetId", m.version, m.model_sha256 as sha256,
  m.size_bytes::float8 as "sizeBytes", m.classes, m.label_schema_id as "labelSchemaId"`;

const promoted = (r: Omit<PromotedModel, "modelVersion">): PromotedModel => ({
  ...r,
  modelVersion: learnedModelVersion(r.version, r.sha256),
});

/** The dataset's promoted model, whether or not learned pre-labels are on (the training's baseline). */
export async function promotedModel(c: PoolClient, datasetId: string): Promise<PromotedModel | null> {
  const { rows } = await c.query<Omit<PromotedModel, "modelVersion">>(
    `select ${PROMOTED_COLUMNS} from public.prelabel_models m where m.dataset_id = $1 and m.status = 'promoted'`,
    [datasetId],
  );
  return rows[0] ? promoted(rows[0]) : null;
}

/**
 * The model a part is pre-labelled with: its dataset's promoted one, when the dataset has learned
 * pre-labels on (null otherwise), with the dataset's label schema version (the classes it combines in).
 */
export async function learnedModelForPart(
  c: PoolClient,
  partId: string,
): Promise<{ datasetLabelSchemaId: string | null; model: PromotedModel } | null> {
  const { rows } = await c.query<Omit<PromotedModel, "modelVersion"> & { datasetLabelSchemaId: string | null }>(
    `select ${PROMOTED_COLUMNS}, d.label_schema_id as "datasetLabelSchemaId"
     from public.parts p join public.datasets d on d.id = p.dataset_id and d.learned_prelabel
     join public.prelabel_models m on m.dataset_id = d.id and m.status = 'promoted'
     where p.id = $1`,
    [partId],
  );
  const row = rows[0];
  if (!row) return null;
  const { datasetLabelSchemaId, ...model } = row;
  return { datasetLabelSchemaId, model: promoted(model) };
}

export interface TrainedModel {
  sha256: string;
  sizeBytes: number;
  trainParts: number;
  trainFaces: number;
  trainingMs: number;
  evaluation: StoredEvaluation;
  baseline: { modelId: string; evaluation: StoredEvaluation } | null;
  /** The approved revisions it trained on and was evaluated on. */
  revisions: { partId: string; revisionId: string; heldOut: boolean }[];
  /** Make it the model in use (the previous one retires). */
  promote: boolean;
  /** Why it was (not) promoted, in words. */
  decision: string;
}

/** Record a trained and evaluated model; promoted when decided so (the previous one retires). */
export async function recordTrainedModel(c: PoolClient, modelId: string, t: TrainedModel): Promise<void> {
  const { rows } = await c.query<{ datasetId: string }>(
    `update public.prelabel_models set status = 'evaluated', model_sha256 = $2, size_bytes = $3, train_parts = $4,
       train_faces = $5, training_ms = $6, evaluation = $7, baseline_model_id = $8, baseline_evaluation = $9,
       decision = $10, finished_at = now()
     where id = $1 returning dataset_id as "datasetId"`,
    [
      modelId,
      t.sha256,
      t.sizeBytes,
      t.trainParts,
      t.trainFaces,
      Math.round(t.trainingMs),
      JSON.stringify(t.evaluation),
      t.baseline?.modelId ?? null,
      t.baseline ? JSON.stringify(t.baseline.evaluation) : null,
      t.decision.slice(0, 2000),
    ],
  );
  const datasetId = rows[0]?.datasetId;
  if (!datasetId) throw new Error(`model ${modelId} is gone`);
  await c.query(
    `insert into public.prelabel_model_revisions (model_id, part_id, revision_id, held_out)
     select $1, x.part_id, x.revision_id, x.held_out
     from unnest($2::uuid[], $3::uuid[], $4::boolean[]) x(part_id, revision_id, held_out)`,
    [
      modelId,
      t.revisions.map((r) => r.partId),
      t.revisions.map((r) => r.revisionId),
      t.revisions.map((r) => r.heldOut),
    ],
  );
  if (t.promote) {
    await c.query(
      `update public.prelabel_models set status = 'retired', retired_at = now()
       where dataset_id = $1 and status = 'promoted'`,
      [datasetId],
    );
    await c.query("update public.prelabel_models set status = 'promoted', promoted_at = now() where id = $1", [
      modelId,
    ]);
  }
}

/**
 * A model's file turned out unusable (corrupt, or not the bytes its hash names): it is never used
 * again (failed, with the reason), and when it was the one in use, the dataset falls back to the
 * model in use before it (the newest earlier promoted one still sound), or to none. Returns the model
 * now in use, if any.
 */
export async function refuseModel(c: PoolClient, modelId: string, reason: string): Promise<PromotedModel | null> {
  const { rows } = await c.query<{ datasetId: string; status: string }>(
    `select dataset_id as "datasetId", status from public.prelabel_models where id = $1 for update`,
    [modelId],
  );
  const refused = rows[0];
  if (!refused || refused.status === "failed") return refused ? promotedModel(c, refused.datasetId) : null;
  await c.query(
    "update public.prelabel_models set status = 'failed', error = $2, retired_at = coalesce(retired_at, now()) where id = $1",
    [modelId, reason.slice(0, 2000)],
  );
  if (refused.status === "promoted") {
    await c.query(
      `update public.prelabel_models set status = 'promoted', promoted_at = now()
       where id = (select id from public.prelabel_models
                   where dataset_id = $1 and status = 'retired' and promoted_at is not null and error is null
                   order by version desc limit 1)`,
      [refused.datasetId],
    );
  }
  return promotedModel(c, refused.datasetId);
}

/** Model files every model row names (gc keeps them, verify checks them). */
export async function modelFiles(c: PoolClient): Promise<{ sha256: string; sizeBytes: number }[]> {
  const { rows } = await c.query<{ sha256: string; sizeBytes: number }>(
    `select model_sha256 as sha256, max(size_bytes)::float8 as "sizeBytes" from public.prelabel_models
     where model_sha256 is not null group by model_sha256 order by model_sha256`,
  );
  return rows;
}
