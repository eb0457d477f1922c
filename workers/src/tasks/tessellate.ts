import { createHash } from "node:crypto";
import { blobKey, isAppError, JOB_KINDS, jobRunSchema, quarantineKey } from "@facet/core";
import {
  attachGeometry,
  completeJob,
  failJobAndPart,
  failUnfinishedJob as failUnfinished,
  findGeometry,
  type GeometryRecord,
  learnedModelForPart,
  type Pool,
  type PromotedModel,
  prelabelTranslation,
  recordGeometry,
  recordPrelabel,
  refuseModel,
  requeueJob,
  setJobProgress,
  startTessellationJob,
  type TessellationJob,
  withService,
} from "@facet/db";
import {
  DEFAULT_PARAMS,
  type FacesDocument,
  fingerprint,
  TESSELLATOR_VERSION,
  type TessellationParams,
} from "@facet/geometry";
import { LEARNED_MODEL_ID, learnedPrelabeler, type Prelabeler } from "@facet/prelabel";
import { type BlobStore, readIfStored } from "@facet/storage";
import type { GeometryEngine } from "../geometry/engine";
import { GeometryLimitError } from "../geometry/runner";
import { describeMesh, putIfDiffers } from "./describe";
import { type LearnedStep, type PrelabelOutcome, prelabelRecord, runPrelabelers } from "./prelabel";
import { loadModelFile, UnusableModelError } from "./train-prelabeler-model";

export const TESSELLATE = JOB_KINDS.tessellate;

export interface TessellateDeps {
  pool: Pool;
  store: BlobStore;
  /** Where the geometry runs: a supervised child process (graphile-worker) or in-process (Trigger.dev). */
  runner: GeometryEngine;
  /** Recorded on the job: which job system ran it. */
  runnerName?: "graphile-worker" | "trigger.dev";
  params?: TessellationParams;
  /** Run after tessellation on new parts; none: parts wait `unannotated`. */
  prelabelers?: readonly Prelabeler[];
  log: (line: string) => void;
}

/**
 * The part's file, checked against its SHA-256; `missing` when storage has no file under its key (lost,
 * deleted by hand: it will not come back by trying again), `damaged` when its bytes changed.
 */
async function readVerified(
  store: BlobStore,
  key: string,
  expected: string,
): Promise<Uint8Array | "missing" | "damaged"> {
  const bytes = await readIfStored(store, key);
  if (!bytes) return "missing";
  return createHash("sha256").update(bytes).digest("hex") === expected ? bytes : "damaged";
}

const AGAIN = "discard this part and upload the file again, or restore a backup";
export const FILE_MISSING = `the stored file is missing from storage: ${AGAIN}`;
export const FILE_DAMAGED = `the stored file is damaged (its bytes no longer match their SHA-256) and was set aside: ${AGAIN}`;

/**
 * A damaged blob leaves its content address for `quarantine/`: served and exported no more, and an
 * upload of the right bytes can store them again (one finding it still there keeps the damaged copy).
 */
async function setAside(store: BlobStore, sha256: string): Promise<void> {
  try {
    await store.move(blobKey(sha256), quarantineKey(sha256, new Date()));
  } catch (e) {
    // another job of the same content set it aside first
    if (!(isAppError(e) && e.code === "NOT_FOUND")) throw e;
  }
}

async function progress(pool: Pool, jobId: string, value: number, message: string) {
  await withService(pool, (c) => setJobProgress(c, jobId, value, message));
}

/**
 * Tessellate a part's blob: read it back and check its hash, mesh it in the geometry process, store
 * the GLB, the faces document and a thumbnail content-addressed with their provenance, record the
 * surface kinds and the shape's fingerprint (tasks/describe.ts), then move the part to
 * `unannotated` (or `failed` with the reason). Idempotent: run again after a crash, it reuses what
 * exists and never writes a second set of outputs.
 */
export async function tessellatePart(deps: TessellateDeps, rawPayload: unknown): Promise<void> {
  const { jobId } = jobRunSchema.parse(rawPayload);
  const params = deps.params ?? DEFAULT_PARAMS;
  const provenance = {
    tessellatorVersion: TESSELLATOR_VERSION,
    paramsHash: fingerprint(JSON.stringify(params)),
  };
  const job = await withService(deps.pool, (c) => startTessellationJob(c, jobId, deps.runnerName ?? "graphile-worker"));
  if (!job) return; // the part was deleted, or the job already ended
  const fail = (reason: string) => withService(deps.pool, (c) => failJobAndPart(c, job, reason));

  try {
    const made = { ...provenance, sha256: job.sha256 };
    let geometry = await withService(deps.pool, (c) => findGeometry(c, made));
    let document: FacesDocument | null = null;
    if (!geometry) {
      const bytes = await readVerified(deps.store, blobKey(job.sha256), job.sha256);
      if (bytes === "missing" || bytes === "damaged") {
        if (bytes === "damaged") await setAside(deps.store, job.sha256);
        await fail(bytes === "missing" ? FILE_MISSING : FILE_DAMAGED);
        return;
      }
      await progress(deps.pool, jobId, 0.2, "meshing");
      let result: Awaited<ReturnType<GeometryEngine["run"]>>;
      try {
        result = await deps.runner.run(bytes, params, { describe: true });
      } catch (e) {
        const reason =
          e instanceof GeometryLimitError || (e as { geometryReason?: string }).geometryReason
            ? (e as Error).message
            : null;
        if (reason === null) throw e;
        await fail(reason);
        deps.log(`tessellate ${job.partId}: failed: ${reason}`);
        return;
      }
      await progress(deps.pool, jobId, 0.8, "storing the mesh");
      const base = `derived/geometry/${job.sha256}/${TESSELLATOR_VERSION}/${provenance.paramsHash}`;
      const faces = new TextEncoder().encode(JSON.stringify(result.document));
      const d = result.document;
      document = d;
      const store = async () => {
        await putIfDiffers(deps.store, `${base}/mesh.glb`, result.glb);
        await putIfDiffers(deps.store, `${base}/faces.json`, faces);
        // the catalog's view of the shape: surface kinds, fingerprint, thumbnail.png beside the mesh
        return describeMesh(deps.store, base, d, result.glb, result.description);
      };
      const description = await store();
      geometry = await withService(deps.pool, (c) =>
        recordGeometry(c, {
          ...made,
          params,
          meshKey: `${base}/mesh.glb`,
          facesKey: `${base}/faces.json`,
          faceCount: d.faceCount,
          triangleCount: d.triangleCount,
          faceSignature: d.signature,
          area: d.area,
          bbox: d.bbox,
          durationMs: result.ms,
          ...description,
        }),
      );
      // Identical files already there were kept, not rewritten. If `facet gc` found them named by no
      // row and deleted them just before this row named them (it holds the blob's row meanwhile, so the
      // row waited), they are gone now: write them again. Once the row exists gc leaves them alone.
      const files = [`${base}/mesh.glb`, `${base}/faces.json`, `${base}/thumbnail.png`];
      if ((await Promise.all(files.map((k) => deps.store.head(k)))).some((h) => h === null)) await store();
    }
    const g = geometry;
    // new parts are pre-labelled before anyone can claim them; waiting ones again when asked
    const fresh = job.prelabel && ["uploaded", "processing"].includes(job.partStatus);
    const again = job.prelabelAgain && job.partStatus === "unannotated";
    let prelabel: PrelabelOutcome | null = null;
    // the dataset's learned pre-labeler joins the configured ones (issue 20)
    const learned = fresh || again ? await learnedStep(deps, job.partId) : undefined;
    if ((deps.prelabelers?.length || learned) && (fresh || again)) {
      await progress(deps.pool, jobId, 0.9, "pre-labelling");
      prelabel = await prelabelNewPart(deps, deps.prelabelers ?? [], job, g, document, learned);
    }
    await withService(deps.pool, async (c) => {
      await attachGeometry(c, job.partId, g, TESSELLATOR_VERSION);
      if (prelabel) await recordPrelabel(c, job.partId, prelabelRecord(prelabel));
      await completeJob(c, jobId, {
        geometryId: g.id,
        faceCount: g.faceCount,
        ...(prelabel ? { prelabel: prelabelSummary(prelabel) } : {}),
      });
    });
    deps.log(
      `tessellate ${job.partId}: ${g.faceCount} faces, ${g.triangleCount} triangles` +
        (prelabel?.ok ? `, pre-labelled in ${prelabel.ms} ms` : prelabel ? `; ${prelabel.reason}` : ""),
    );
  } catch (e) {
    const message = (e as Error).message ?? String(e);
    const last = job.attempts >= job.maxAttempts;
    await (last
      ? fail(`processing failed after ${job.attempts} attempts: ${message}`)
      : withService(deps.pool, (c) => requeueJob(c, jobId, message))
    ).catch(() => {});
    if (!last) throw e; // graphile-worker retries with backoff
  }
}

/**
 * Pre-label a part whose geometry is ready. Never throws: whatever goes wrong (the faces document
 * unreadable, a URL not signed, every model failing) becomes the reason the part waits unannotated.
 */
async function prelabelNewPart(
  deps: TessellateDeps,
  prelabelers: readonly Prelabeler[],
  job: TessellationJob,
  g: GeometryRecord,
  document: FacesDocument | null,
  learned?: LearnedStep,
): Promise<PrelabelOutcome> {
  const started = performance.now();
  try {
    return await runPrelabelers(
      { store: deps.store, prelabelers, log: deps.log },
      {
        partId: job.partId,
        partName: job.partName,
        sha256: job.sha256,
        taxonomy: job.taxonomy,
        meshKey: g.meshKey,
        facesKey: g.facesKey,
      },
      document ?? (await readFacesDocument(deps.store, g.facesKey)),
      learned,
    );
  } catch (e) {
    const reason = `pre-labelling could not run: ${String((e as Error)?.message ?? e).slice(0, 500)}`;
    return { ok: false, reason, ms: Math.round(performance.now() - started) };
  }
}

/**
 * The dataset's learned pre-labeler for a part (undefined when learned pre-labels are off or no model
 * is in use), its file read and checked (decoded models are cached by hash). A file that is not what
 * its hash names or does not decode is refused: its model is never used again, the dataset falls back
 * to the model in use before it (or none), and the failure is recorded with the pre-label. Never
 * throws: a model that cannot be loaded leaves the part to the other pre-labelers.
 */
async function learnedStep(deps: TessellateDeps, partId: string): Promise<LearnedStep | undefined> {
  const failed: { id: string; reason: string }[] = [];
  try {
    const setup = await withService(deps.pool, (c) => learnedModelForPart(c, partId));
    if (!setup) return undefined;
    const schemaId = setup.datasetLabelSchemaId;
    const translation = schemaId ? await withService(deps.pool, (c) => prelabelTranslation(c, schemaId)) : null;
    let model: PromotedModel | null = setup.model;
    while (model) {
      const current: PromotedModel = model;
      try {
        const loaded = await loadModelFile(deps.store, current.sha256);
        return {
          prelabeler: learnedPrelabeler(loaded, current.modelVersion),
          translation,
          labelSchemaId: schemaId,
          failed,
        };
      } catch (e) {
        if (!(e instanceof UnusableModelError)) throw e;
        failed.push({ id: LEARNED_MODEL_ID, reason: `${current.modelVersion} refused: ${e.message}`.slice(0, 1000) });
        deps.log(`prelabel ${partId}: learned model ${current.modelVersion} refused: ${e.message}`);
        model = await withService(deps.pool, (c) => refuseModel(c, current.id, e.message));
      }
    }
    return { prelabeler: null, translation, labelSchemaId: schemaId, failed };
  } catch (e) {
    const reason = `the learned model could not be loaded: ${String((e as Error)?.message ?? e).slice(0, 300)}`;
    deps.log(`prelabel ${partId}: ${reason}`);
    return {
      prelabeler: null,
      translation: null,
      labelSchemaId: null,
      failed: [...failed, { id: LEARNED_MODEL_ID, reason }],
    };
  }
}

/** The faces document of geometry made earlier (for another part with the same content). */
async function readFacesDocument(store: BlobStore, key: string): Promise<FacesDocument> {
  return JSON.parse((await store.read(key)).toString("utf8")) as FacesDocument;
}

/** What the job's record says of pre-labelling. */
function prelabelSummary(p: PrelabelOutcome) {
  return p.ok
    ? { ms: p.ms, models: p.models, meanConfidence: p.combined.meanConfidence }
    : { ms: p.ms, error: p.reason };
}

/**
 * The job system gave up on a job outside the handler (Trigger.dev: the run's machine ran out of
 * memory or hit its time limit on every attempt): the part fails with that reason, unless the job
 * already ended.
 */
export async function failUnfinishedJob(pool: Pool, rawPayload: unknown, reason: string): Promise<void> {
  const { jobId } = jobRunSchema.parse(rawPayload);
  await withService(pool, (c) => failUnfinished(c, jobId, reason));
}
