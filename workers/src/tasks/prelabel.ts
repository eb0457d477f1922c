import {
  blobKey,
  buildFaceGraph,
  DEFAULT_TAXONOMY,
  type PrelabelTranslation,
  type Taxonomy,
  taxonomySchema,
} from "@facet/core";
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

/**
 * The dataset's learned pre-labeler (issue 20), when it has learned pre-labels on and a model in use.
 * It predicts the dataset's own label schema's feature keys, while the rules and remote models speak
 * the default taxonomy's: when it answers, their answers are carried into the dataset's classes
 * first (`translation`, as recordPrelabel would) and everything is combined there.
 */
export interface LearnedStep {
  /** Null when no model could be used (see `failed`). */
  prelabeler: Prelabeler | null;
  /** How the other models' classes reach the dataset's label schema version (null: kept by key). */
  translation: PrelabelTranslation | null;
  /** The dataset's label schema version (the revision is recorded as already in its classes). */
  labelSchemaId: string | null;
  /** Models that could not be used before predicting (a refused model file), and why. */
  failed?: { id: string; reason: string }[];
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
  | {
      ok: true;
      combined: CombinedPrelabel;
      ms: number;
      models: string[];
      /** Combined in this label schema version's classes already (with a learned model): not translated again. */
      inSchemaId?: string | null;
    }
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
  learned?: LearnedStep,
): Promise<PrelabelOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const parsed = target.taxonomy === null ? null : taxonomySchema.safeParse(target.taxonomy);
  if (parsed && !parsed.success) return { ok: false, reason: "the dataset's label schema is not valid", ms: elapsed() };
  // Combined in the classes the models speak (the default taxonomy's: the rules and the remote models'
  // crosswalks map into it), so nothing is lost here: recordPrelabel (packages/db) translates the
  // pre-label into the dataset's label schema version, through its versions' mappings when it has them.
  const taxonomy = DEFAULT_TAXONOMY;
  const prelabelers = learned?.prelabeler ? [...deps.prelabelers, learned.prelabeler] : deps.prelabelers;
  const urls = deps.prelabelers.some((p) => p.id !== "facet-rules") ? await presigned(deps.store, target) : undefined;
  const input = inputFromFacesDocument(document, {
    ...(urls ? { urls } : {}),
    part: { id: target.partId, sha256: target.sha256, name: target.partName },
  });
  const settled = await Promise.allSettled(prelabelers.map((p) => p.predict(input)));
  const results: PrelabelResult[] = [];
  const failed: { id: string; reason: string }[] = [...(learned?.failed ?? [])];
  settled.forEach((s, i) => {
    const id = prelabelers[i]?.id ?? `#${i}`;
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
    const own = parsed?.success ? parsed.data : DEFAULT_TAXONOMY;
    const learnedAnswer = learned?.prelabeler && results.find((r) => r.model.id === learned.prelabeler?.id);
    if (learned && learnedAnswer) {
      // in the dataset's classes: the others' answers carried there, a face a model has no class of
      // the dataset's for is left to the models that have one
      const inSchema = inDatasetClasses(results, learnedAnswer, learned.translation, own);
      const combined = combinePrelabels(inSchema.results, {
        faceSignature: document.signature,
        faceCount: document.faceCount,
        featureKeys: own.featureTypes.map((t) => t.key),
        failed,
        context: { graph: buildFaceGraph(document), taxonomy: own },
      });
      // a model said nothing of the dataset's classes on the faces it abstained on
      const said = combined.document.prelabel?.predictions;
      for (const [id, faces] of inSchema.abstained) {
        const labels = said?.[id];
        if (labels) for (const f of faces) labels[f] = null;
      }
      return {
        ok: true,
        combined,
        ms: elapsed(),
        models: results.map((r) => r.model.id),
        inSchemaId: learned.labelSchemaId,
      };
    }
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

/**
 * Every answer in the dataset's classes, over one list of classes: the learned model's as it is; the
 * others' classes carried through the schema's mappings (a split class to its first target; a class
 * the schema lacks dropped) and each face's probabilities summed per class it reaches. A model whose
 * most probable class for a face reaches no class of the dataset's abstains there: its row becomes the
 * mean of the models that answered, so the combination averages over those only and records no
 * disagreement for it.
 */
export function inDatasetClasses(
  results: readonly PrelabelResult[],
  learned: PrelabelResult,
  translation: PrelabelTranslation | null,
  taxonomy: Taxonomy,
): { results: PrelabelResult[]; abstained: Map<string, number[]> } {
  const keys = translation?.keys ?? new Set(taxonomy.featureTypes.map((t) => t.key));
  const reach = (key: string): string | null => {
    let k = key;
    for (const m of translation?.mappings ?? []) k = m[k]?.[0] ?? k;
    return keys.has(k) ? k : null;
  };
  const classes = [...new Set([...learned.classes, ...results.flatMap((r) => r.classes.map(reach))])].filter(
    (c): c is string => c !== null,
  );
  const column = new Map(classes.map((c, i) => [c, i]));
  const rows = results.map((r) => {
    if (r === learned) {
      return r.probabilities.map((row) => {
        const out = new Array<number>(classes.length).fill(0);
        r.classes.forEach((c, k) => {
          out[column.get(c) as number] = row[k] ?? 0;
        });
        return out;
      });
    }
    const to = r.classes.map((c) => {
      const k = reach(c);
      return k === null ? -1 : (column.get(k) as number);
    });
    return r.probabilities.map((row) => {
      const top = row.reduce((best, v, i) => (v > (row[best] ?? -1) ? i : best), 0);
      if ((to[top] ?? -1) < 0) return null; // abstains on this face
      const out = new Array<number>(classes.length).fill(0);
      row.forEach((p, k) => {
        const i = to[k] ?? -1;
        if (i >= 0) out[i] = (out[i] as number) + p;
      });
      const sum = out.reduce((a, b) => a + b, 0);
      return sum > 0 ? out.map((p) => p / sum) : null;
    });
  });
  const faceCount = learned.probabilities.length;
  const abstained = new Map<string, number[]>();
  for (let f = 0; f < faceCount; f++) {
    const answered = rows.map((r) => r[f]).filter((row): row is number[] => row != null);
    const mean = classes.map((_, i) => answered.reduce((a, row) => a + (row[i] ?? 0), 0) / answered.length);
    rows.forEach((r, k) => {
      if (r[f] != null) return;
      r[f] = mean;
      const id = results[k]?.model.id as string;
      abstained.set(id, [...(abstained.get(id) ?? []), f]);
    });
  }
  const carried = results.map((r, k) => ({
    model: r.model,
    classes,
    probabilities: rows[k] as number[][],
    instances: r.instances.flatMap((inst) => {
      const feature = r === learned ? inst.feature : reach(inst.feature);
      return feature === null ? [] : [{ ...inst, feature }];
    }),
  }));
  return { results: carried, abstained };
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
  return {
    ok: true,
    document,
    meanConfidence,
    disagreements: disagreeingFaces.length,
    ...(outcome.inSchemaId !== undefined ? { inSchemaId: outcome.inSchemaId } : {}),
  };
}
