import { blobKey, buildFaceGraph, DEFAULT_TAXONOMY, taxonomySchema } from "@facet/core";
import type { PrelabelRecord } from "@facet/db";
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
  /**
   * The dataset's label schema (null when it has none), checked here; the pre-label is combined in the
   * models' classes and translated into this schema when it is recorded.
   */
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
  // Combined in the classes the models speak (the default taxonomy's: the rules and the remote models'
  // crosswalks map into it), so nothing is lost here: recordPrelabel (packages/db) translates the
  // pre-label into the dataset's label schema version, through its versions' mappings when it has them.
  const taxonomy = DEFAULT_TAXONOMY;
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

/** What the database records of an outcome (`recordPrelabel` in packages/db writes it). */
export function prelabelRecord(outcome: PrelabelOutcome): PrelabelRecord {
  if (!outcome.ok) return { ok: false, reason: outcome.reason };
  const { document, meanConfidence, disagreeingFaces } = outcome.combined;
  return { ok: true, document, meanConfidence, disagreements: disagreeingFaces.length };
}
