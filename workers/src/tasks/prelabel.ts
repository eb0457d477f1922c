import { blobKey, buildFaceGraph, DEFAULT_TAXONOMY, taxonomySchema } from "@facet/core";
import type { PoolClient } from "@facet/db";
import type { FacesDocument } from "@facet/geometry";
import {
  type CombinedPrelabel,
  combinePrelabels,
  inputFromFacesDocument,
  PrelabelError,
  type Prelabeler,
  type PrelabelResult,
} from "@facet/prelabel";
import type { BlobStore } from "@facet/storage";

export interface PrelabelStepDeps {
  store: BlobStore;
  prelabelers: readonly Prelabeler[];
  log: (line: string) => void;
}

export interface PrelabelTarget {
  partId: string;
  partName: string;
  sha256: string;
  /** The dataset's label schema (null when it has none): classes outside it are left unlabelled. */
  taxonomy: unknown;
  meshKey: string;
  facesKey: string;
}

/** What pre-labelling made of a part: a revision to write, or why there is none. */
export type PrelabelOutcome =
  | { ok: true; combined: CombinedPrelabel; ms: number; models: string[] }
  | { ok: false; reason: string; ms: number };

const why = (e: unknown) =>
  e instanceof PrelabelError ? e.message : `it failed: ${String((e as Error)?.message ?? e).slice(0, 300)}`;

/**
 * What a revision and a part can hold (annotationDocumentSchema in packages/core: model ids and
 * versions up to 64 characters, a failure's reason up to 1000; parts.prelabel_error up to 2000).
 * The remote contract lets a model name itself with up to 128 characters, and several failing
 * models' reasons add up: cut to fit, or the whole pre-label is lost (a long version made
 * combinePrelabels throw) or the part cannot be recorded at all (the check on prelabel_error
 * failed the job's last transaction, so the part ended `failed` after its retries).
 */
const MODEL_NAME_MAX = 64;
const FAILED_REASON_MAX = 1000;
const PRELABEL_ERROR_MAX = 2000;
const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/**
 * Run every configured pre-labeler on a part's faces (at once), and combine the answers. A model
 * that fails is recorded with the reason; when none answers, the outcome says why and the part
 * waits unannotated. Never throws for a model's failure: pre-labelling must not hold up a part.
 */
export async function runPrelabelers(
  deps: PrelabelStepDeps,
  target: PrelabelTarget,
  document: FacesDocument,
): Promise<PrelabelOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const parsed = target.taxonomy === null ? null : taxonomySchema.safeParse(target.taxonomy);
  if (parsed && !parsed.success) return { ok: false, reason: "the dataset's label schema is not valid", ms: elapsed() };
  const taxonomy = parsed?.data ?? DEFAULT_TAXONOMY;
  const urls = deps.prelabelers.some((p) => p.id !== "facet-rules") ? await presigned(deps.store, target) : undefined;
  const input = inputFromFacesDocument(document, {
    ...(urls ? { urls } : {}),
    part: { id: target.partId, sha256: target.sha256, name: target.partName },
  });
  const settled = await Promise.allSettled(deps.prelabelers.map((p) => p.predict(input)));
  const results: PrelabelResult[] = [];
  const failed: { id: string; reason: string }[] = [];
  settled.forEach((s, i) => {
    const id = deps.prelabelers[i]?.id ?? `#${i}`;
    if (s.status === "fulfilled") {
      const { id: modelId, version } = s.value.model;
      // a prefix, not an ellipsis: the version stays recognisable in acceptance figures
      results.push({
        ...s.value,
        model: { id: modelId.slice(0, MODEL_NAME_MAX), version: version.slice(0, MODEL_NAME_MAX) },
      });
    } else failed.push({ id, reason: clip(why(s.reason), FAILED_REASON_MAX) });
  });
  for (const f of failed) deps.log(`prelabel ${target.partId}: ${f.id} gave no answer: ${f.reason}`);
  if (results.length === 0) {
    const reason = failed.map((f) => `${f.id}: ${f.reason}`).join("; ") || "no pre-labeler is configured";
    return { ok: false, reason: clip(`pre-labelling gave no answer (${reason})`, PRELABEL_ERROR_MAX), ms: elapsed() };
  }
  try {
    const combined = combinePrelabels(results, {
      faceSignature: document.signature,
      faceCount: document.faceCount,
      featureKeys: taxonomy.featureTypes.map((t) => t.key),
      failed,
      context: { graph: buildFaceGraph(document), taxonomy },
    });
    return { ok: true, combined, ms: elapsed(), models: results.map((r) => r.model.id) };
  } catch (e) {
    return {
      ok: false,
      reason: clip(`pre-labels could not be combined: ${why(e)}`, PRELABEL_ERROR_MAX),
      ms: elapsed(),
    };
  }
}

/** Short-lived URLs of the part's files, for remote models that read them. */
async function presigned(store: BlobStore, target: PrelabelTarget) {
  const get = async (key: string) => (await store.presignGet(key, { expiresInSeconds: 3600 })).url;
  return {
    step: await get(blobKey(target.sha256)),
    mesh: await get(target.meshKey),
    faces: await get(target.facesKey),
  };
}

/**
 * Write the outcome, in the transaction that makes the part `unannotated` after tessellation: the
 * pre-label revision (source `model`, model-assisted, with confidences) and `pre_labeled`, or the
 * reason there is none. Idempotent: a revision already written for this face numbering is kept.
 */
export async function recordPrelabel(c: PoolClient, partId: string, outcome: PrelabelOutcome): Promise<void> {
  if (!outcome.ok) {
    await c.query("update public.parts set prelabel_error = $2 where id = $1 and status = 'unannotated'", [
      partId,
      outcome.reason,
    ]);
    return;
  }
  const { document, meanConfidence, disagreeingFaces } = outcome.combined;
  const { rows } = await c.query<{ status: string; has: boolean }>(
    `select p.status, exists (select 1 from public.annotation_revisions r
       where r.part_id = p.id and r.source = 'model' and r.face_signature = $2) as has
     from public.parts p where p.id = $1 for update`,
    [partId, document.faceSignature],
  );
  const part = rows[0];
  if (part?.status !== "unannotated") return; // deleted, or someone already started on it
  if (!part.has) {
    await c.query(
      `insert into public.annotation_revisions (part_id, revision_no, author_id, label_schema_id, face_signature,
         document, model_assisted, source)
       select p.id, coalesce((select max(r.revision_no) from public.annotation_revisions r where r.part_id = p.id), 0) + 1,
              null, d.label_schema_id, $2, $3, true, 'model'
       from public.parts p join public.datasets d on d.id = p.dataset_id where p.id = $1`,
      [partId, document.faceSignature, JSON.stringify(document)],
    );
  }
  await c.query(
    `update public.parts set status = 'pre_labeled', prelabel_confidence = $2, prelabel_disagreements = $3,
       prelabel_error = null
     where id = $1`,
    [partId, meanConfidence, disagreeingFaces.length],
  );
}
