/**
 * The deployed mode's job system: Trigger.dev tasks wrapping the same handlers graphile-worker runs
 * locally. `trigger.config.ts` (beside this package's package.json) bundles them and ships the
 * geometry kernel's wasm with `additionalFiles`. A task cannot run without the Trigger.dev service; the
 * handlers they call are tested against the real database in this repository.
 */
import { MAINTENANCE_TASKS } from "@facet/core";
import { createPool, dispatchQueuedJobs, type Pool } from "@facet/db";
import { triggerJobs } from "@facet/jobs/trigger";
import { recordVerification, verifyInstallation, verifySummary } from "@facet/ops";
import { createPrelabelers, type Prelabeler } from "@facet/prelabel";
import { type BlobStore, blobStoreConfigFromEnv, createBlobStore } from "@facet/storage";
import { logger, schedules, task } from "@trigger.dev/sdk";
import { InProcessGeometry } from "../geometry/engine";
import { backfillGeometryDescriptions } from "../tasks/describe";
import { exportSnapshot, failUnfinishedExport } from "../tasks/export";
import { housekeeping } from "../tasks/housekeeping";
import { releaseExpiredClaims } from "../tasks/release-expired-claims";
import { splitDataset } from "../tasks/split";
import { failUnfinishedJob, tessellatePart } from "../tasks/tessellate";
import { failUnfinishedTraining, trainPrelabeler } from "../tasks/train-prelabeler";
import { parseTriggerTaskEnv } from "./env";

/** One pool, store and warm geometry kernel per machine, shared by the runs it executes. */
let shared: Promise<{
  pool: Pool;
  store: BlobStore;
  geometry: InProcessGeometry;
  prelabelers: Prelabeler[];
}> | null = null;
function deps() {
  shared ??= (async () => {
    const env = parseTriggerTaskEnv();
    return {
      pool: createPool(env.DATABASE_URL, { max: 4, applicationName: "facet-trigger" }),
      store: await createBlobStore(blobStoreConfigFromEnv(env)),
      geometry: new InProcessGeometry(env.FACET_OCCT_WASM),
      prelabelers: createPrelabelers(env.FACET_PRELABELERS),
    };
  })();
  return shared;
}

export const tessellate = task({
  id: "geometry-tessellate",
  // the kernel peaks near 0.5 GB on the largest NIST parts; customer files can be far bigger: a 4 GB
  // machine, and a bigger one after an out-of-memory
  machine: "large-1x",
  maxDuration: 600,
  retry: {
    maxAttempts: 3,
    factor: 2,
    minTimeoutInMs: 5_000,
    maxTimeoutInMs: 120_000,
    outOfMemory: { machine: "large-2x" },
  },
  run: async (payload: { jobId: string }) => {
    const d = await deps();
    await tessellatePart(
      {
        pool: d.pool,
        store: d.store,
        runner: d.geometry,
        runnerName: "trigger.dev",
        prelabelers: d.prelabelers,
        log: (l) => logger.info(l),
      },
      payload,
    );
  },
  // every attempt failed outside the handler (out of memory, time limit): the part says why
  onFailure: async ({ payload, error }) => {
    const d = await deps();
    const why = error instanceof Error ? error.message : String(error);
    await failUnfinishedJob(d.pool, payload, `processing stopped: ${why.slice(0, 300)}`);
  },
});

/** A snapshot's export archive (tasks/export.ts): memory stays bounded, time grows with the snapshot. */
export const curationExport = task({
  id: "curation-export",
  machine: "medium-1x",
  maxDuration: 3600,
  retry: { maxAttempts: 3, factor: 2, minTimeoutInMs: 5_000, maxTimeoutInMs: 120_000 },
  run: async (payload: { jobId: string }) => {
    const d = await deps();
    await exportSnapshot(
      { pool: d.pool, store: d.store, geometry: d.geometry, runnerName: "trigger.dev", log: (l) => logger.info(l) },
      payload,
    );
  },
  onFailure: async ({ payload, error }) => {
    const why = error instanceof Error ? error.message : String(error);
    await failUnfinishedExport((await deps()).pool, payload, `the export stopped: ${why.slice(0, 300)}`);
  },
});

export const curationSplit = task({
  id: "curation-split",
  machine: "small-2x",
  maxDuration: 900,
  retry: { maxAttempts: 1 },
  run: async (payload: { jobId: string }) => {
    const d = await deps();
    await splitDataset({ pool: d.pool, runnerName: "trigger.dev", log: (l) => logger.info(l) }, payload);
  },
});

/**
 * Train, evaluate and maybe promote a dataset's learned pre-labeler (tasks/train-prelabeler.ts): a
 * machine of its own, one training at a time (its queue), never in the way of tessellation.
 */
export const learningTrain = task({
  id: "learning-train",
  machine: "medium-2x",
  maxDuration: 3600,
  queue: { name: "learning", concurrencyLimit: 1 },
  retry: { maxAttempts: 1 },
  run: async (payload: { jobId: string }) => {
    const d = await deps();
    await trainPrelabeler(
      { pool: d.pool, store: d.store, runnerName: "trigger.dev", log: (l) => logger.info(l) },
      payload,
    );
  },
  onFailure: async ({ payload, error }) => {
    const why = error instanceof Error ? error.message : String(error);
    await failUnfinishedTraining((await deps()).pool, payload, `the training stopped: ${why.slice(0, 300)}`);
  },
});

/** Safety net for the web app's immediate hand-over: queued jobs never wait more than a minute. */
export const dispatchJobs = schedules.task({
  id: "jobs-dispatch",
  cron: "* * * * *",
  run: async () => {
    const n = await dispatchQueuedJobs((await deps()).pool, triggerJobs);
    if (n > 0) logger.info(`dispatched ${n} queued job(s)`);
  },
});

export const releaseClaims = schedules.task({
  id: "maintenance-release-expired-claims",
  cron: "* * * * *",
  run: async () => {
    const n = await releaseExpiredClaims((await deps()).pool);
    if (n > 0) logger.info(`returned ${n} part(s) with expired claims to the queue`);
  },
});

/** Rate-limit rows and abandoned uploads (see tasks/housekeeping.ts). */
export const housekeepingTask = schedules.task({
  id: "maintenance-housekeeping",
  cron: "*/10 * * * *",
  run: async () => {
    const d = await deps();
    const r = await housekeeping({ pool: d.pool, store: d.store });
    if (r.staleUploads > 0) logger.info(`removed ${r.staleUploads} abandoned upload(s)`);
    if (r.interruptedWrites > 0) logger.info(`removed ${r.interruptedWrites} temporary file(s) of interrupted writes`);
  },
});

/** Storage integrity (ops/verify.ts, `facet verify`), weekly: every blob and artefact re-hashed, every snapshot. */
export const verifyTask = schedules.task({
  id: MAINTENANCE_TASKS.verify.trigger,
  cron: MAINTENANCE_TASKS.verify.cron,
  machine: "small-2x",
  maxDuration: 6 * 3600,
  run: async () => {
    const d = await deps();
    const r = await verifyInstallation({ db: d.pool, store: d.store });
    await recordVerification(d.pool, r, "schedule");
    (r.ok ? logger.info : logger.error)(`verify: ${r.ok ? "no drift" : "DRIFT"} (${verifySummary(r)})`);
  },
});

/** Fingerprints and thumbnails of geometry made before they existed (see tasks/describe.ts), a batch a run. */
export const describeGeometryTask = schedules.task({
  id: "maintenance-describe-geometry",
  cron: "*/5 * * * *",
  run: async () => {
    const d = await deps();
    const r = await backfillGeometryDescriptions({ pool: d.pool, store: d.store, log: (l) => logger.info(l) });
    if (r.described > 0) logger.info(`fingerprinted ${r.described} earlier geometries`);
  },
});
