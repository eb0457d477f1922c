import { AppError, type PrelabelAcceptanceRow, type PrelabelSummary, prelabelSummarySchema } from "@facet/core";
import type { PoolClient } from "../pool";
import type { LearningQueueOrder } from "../prelabel-models/models";

/** What the models said about a part: its newest pre-label revision, or why there is none. */
export interface PrelabelView {
  revisionNo: number | null;
  createdAt: string | null;
  /** The face numbering the pre-label was made on (confidences are per face of it). */
  faceSignature: string | null;
  /** The pre-label's own labels (what the models proposed, before anyone changed them). */
  labels: (string | null)[];
  summary: PrelabelSummary | null;
  /** Why pre-labelling gave nothing (every model failed), when it did. */
  error: string | null;
}

/** The part's newest pre-label, or its pre-labelling error; null when it was never pre-labelled. */
export async function getPrelabelView(client: PoolClient, partId: string): Promise<PrelabelView | null> {
  const { rows } = await client.query<{
    error: string | null;
    revisionNo: number | null;
    createdAt: Date | null;
    faceSignature: string | null;
    document: { labels?: unknown; prelabel?: unknown } | null;
  }>(
    `select p.prelabel_error as error, r.revision_no as "revisionNo", r.created_at as "createdAt",
            r.face_signature as "faceSignature", r.document
     from public.parts p
     left join lateral (
       select * from public.annotation_revisions r
       where r.part_id = p.id and r.source = 'model' order by r.revision_no desc limit 1
     ) r on true
     where p.id = $1`,
    [partId],
  );
  const r = rows[0];
  if (!r || (r.revisionNo === null && r.error === null)) return null;
  const summary = prelabelSummarySchema.safeParse(r.document?.prelabel);
  return {
    revisionNo: r.revisionNo,
    createdAt: r.createdAt ? r.createdAt.toISOString() : null,
    faceSignature: r.faceSignature,
    labels: Array.isArray(r.document?.labels) ? (r.document.labels as (string | null)[]) : [],
    summary: summary.success ? summary.data : null,
    error: r.error,
  };
}

export type { PrelabelAcceptanceRow };

/**
 * How much of the pre-labels survived review, per model and per class it predicted, over the
 * approved parts of a workspace (or one dataset). See `public.prelabel_acceptance`.
 */
export async function prelabelAcceptance(
  client: PoolClient,
  workspaceId: string,
  datasetId: string | null = null,
): Promise<PrelabelAcceptanceRow[]> {
  const { rows } = await client.query<{
    model: string;
    model_version: string;
    feature: string;
    faces: string;
    accepted: string;
    parts: string;
  }>("select * from public.prelabel_acceptance($1, $2)", [workspaceId, datasetId]);
  return rows.map((r) => ({
    model: r.model,
    modelVersion: r.model_version,
    feature: r.feature,
    faces: Number(r.faces),
    accepted: Number(r.accepted),
    rate: Number(r.faces) > 0 ? Number(r.accepted) / Number(r.faces) : 0,
    parts: Number(r.parts),
  }));
}

/** How a dataset's labelling queue is served (the learned pre-labels' module lists them: QUEUE_ORDERS). */
export type QueueOrder = LearningQueueOrder;

/** How a dataset is pre-labelled, queued and annotated. */
export interface DatasetSettings {
  id: string;
  name: string;
  /** New parts are pre-labelled after tessellation. */
  prelabel: boolean;
  queueOrder: QueueOrder;
  /** Independent annotations each part needs (consensus when above 1). */
  requiredAnnotations: number;
  /** Parts of the dataset one annotator may hold at once (claimed or returned to them). */
  maxHeldParts: number;
}

const SETTINGS_COLUMNS = `id, name, prelabel, queue_order as "queueOrder", required_annotations as "requiredAnnotations",
  max_held_parts as "maxHeldParts"`;

/** A dataset's settings, by id or by name; NOT_FOUND when not visible. */
export async function getDatasetSettings(
  client: PoolClient,
  workspaceId: string,
  ref: { id: string } | { name: string },
): Promise<DatasetSettings> {
  const byId = "id" in ref;
  const { rows } = await client.query<DatasetSettings>(
    `select ${SETTINGS_COLUMNS} from public.datasets where workspace_id = $1 and ${byId ? "id = $2::uuid" : "name = $2"}`,
    [workspaceId, byId ? ref.id : ref.name],
  );
  const dataset = rows[0];
  if (!dataset) throw new AppError("NOT_FOUND", `no dataset "${byId ? ref.id : ref.name}" in this workspace`);
  return dataset;
}

/**
 * Change a dataset's settings (those given). The parts' queue priorities follow a new order (a
 * database trigger); a new number of annotations applies to submissions from now on.
 */
export async function updateDatasetSettings(
  client: PoolClient,
  workspaceId: string,
  datasetId: string,
  patch: Partial<Pick<DatasetSettings, "prelabel" | "queueOrder" | "requiredAnnotations" | "maxHeldParts">>,
): Promise<DatasetSettings> {
  const { rows } = await client.query<DatasetSettings>(
    `update public.datasets set prelabel = coalesce($3, prelabel), queue_order = coalesce($4, queue_order),
       required_annotations = coalesce($5, required_annotations), max_held_parts = coalesce($6, max_held_parts)
     where workspace_id = $1 and id = $2 returning ${SETTINGS_COLUMNS}`,
    [
      workspaceId,
      datasetId,
      patch.prelabel ?? null,
      patch.queueOrder ?? null,
      patch.requiredAnnotations ?? null,
      patch.maxHeldParts ?? null,
    ],
  );
  const dataset = rows[0];
  if (!dataset) {
    throw new AppError("NOT_FOUND", "no such dataset, or you may not change it (admins and engineers may)");
  }
  return dataset;
}
