import { EventEmitter } from "node:events";
import { MAINTENANCE_TASKS } from "@facet/core";
import { createPool, type Pool } from "@facet/db";
import { recordVerification, verifyInstallation, verifySummary } from "@facet/ops";
import type { Prelabeler } from "@facet/prelabel";
import type { BlobStore } from "@facet/storage";
import { makeWorkerUtils, type Runner, run, type TaskList, type WorkerEvents } from "graphile-worker";
import { GeometryPool } from "./geometry/runner";
import { beat, deadWorkers, forget, HEARTBEAT_INTERVAL_MS } from "./heartbeat";
import { graphileLogger, type Logger, logJobEvents, stdoutLogger } from "./job-log";
import { backfillGeometryDescriptions } from "./tasks/describe";
import { EXPORT, exportSnapshot, removeAbandonedExportFolders } from "./tasks/export";
import { housekeeping } from "./tasks/housekeeping";
import { releaseExpiredClaims } from "./tasks/release-expired-claims";
import { SPLIT, splitDataset } from "./tasks/split";
import { TESSELLATE, tessellatePart } from "./tasks/tessellate";
import { TRAIN_PRELABELER, trainPrelabeler } from "./tasks/train-prelabeler";

export const WORKER_VERSION = "0.1.0";

export interface LocalWorker {
  runner: Runner;
  stop(): Promise<void>;
}

export interface LocalWorkerOptions {
  databaseUrl: string;
  concurrency: number;
  poolSize: number;
  store: BlobStore;
  /** `processes`: geometry processes (each one file at a time); default one per job slot. */
  geometry: { timeoutMs: number; memoryBytes: number; processes?: number };
  /** Run on every new part after tessellation. */
  prelabelers: readonly Prelabeler[];
  log?: (line: string) => void;
  /** Structured lines: each job's start, end and failure (default: JSON lines on stdout, process `worker`). */
  logger?: Logger;
  /** How long a connection waits for a restarting database (default DATABASE_WAIT_MS). */
  databaseWaitMs?: number;
  /** The queue cannot go on in this process (a job's end could not be recorded): the process should stop. */
  onFatalError?: (why: string) => void;
}

/** How long the worker's connections wait for a restarting database before a job fails. */
export const DATABASE_WAIT_MS = 60_000;

/**
 * graphile-worker records a job's end (completed, or failed to be retried) through its batcher, even
 * one job at a time (delay 0). The direct call leaves a rejected promise nobody awaits when it cannot
 * (a refused connection while PostgreSQL restarts: the process died of an unhandled rejection); the
 * batcher reports it (pool:fatalError) and stops the queue, and the worker stops for its supervisor
 * to start it again. The pool's connections wait for a restarting database first (DATABASE_WAIT_MS).
 */
const RECORD_ENDS_THROUGH_BATCHER = { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } };

const messageOf = (e: unknown) => String((e as Error)?.message ?? e);

/** The jobs graphile-worker holds locked for these workers released: they run again. */
async function unlock(
  pool: Pool,
  logger: NonNullable<Parameters<typeof makeWorkerUtils>[0]["logger"]>,
  workerIds: string[],
): Promise<void> {
  if (workerIds.length === 0) return;
  const utils = await makeWorkerUtils({ pgPool: pool, logger });
  try {
    await utils.forceUnlockWorkers(workerIds);
  } finally {
    await utils.release();
  }
}

/**
 * The embedded default's job runner: graphile-worker on the application database. The same
 * handlers are wrapped by Trigger.dev tasks in the deployed mode.
 */
export async function startLocalWorker(o: LocalWorkerOptions): Promise<LocalWorker> {
  const logger = o.logger ?? stdoutLogger("worker");
  const log = o.log ?? ((l: string) => logger.info(l.replace(/^worker: /, "")));
  // two more connections for the learning runner (its listener and its one job)
  // while PostgreSQL restarts, jobs ending wait for it (a minute at most) to record their end
  const pool: Pool = createPool(o.databaseUrl, {
    max: o.poolSize + 2,
    applicationName: "facet-worker",
    waitForDatabaseMs: o.databaseWaitMs ?? DATABASE_WAIT_MS,
  });

  // Jobs locked by workers that died (killed mid-job) go back to the queue now, not in 4 hours.
  const graphileLog = graphileLogger(logger);
  const utils = await makeWorkerUtils({ pgPool: pool, logger: graphileLog });
  try {
    await utils.migrate();
    const dead = await deadWorkers(pool);
    if (dead.length > 0) {
      await utils.forceUnlockWorkers(dead);
      await forget(pool, dead);
      log(`worker: unlocked the jobs of ${dead.length} worker(s) that stopped without finishing`);
    }
  } finally {
    await utils.release();
  }
  const abandoned = await removeAbandonedExportFolders();
  if (abandoned > 0) log(`worker: removed the working folders of ${abandoned} export(s) that were interrupted`);

  const runner = new GeometryPool(o.geometry.processes ?? o.concurrency, {
    timeoutMs: o.geometry.timeoutMs,
    memoryBytes: o.geometry.memoryBytes,
    recycleBytes: Math.min(o.geometry.memoryBytes, 1.2 * 1024 ** 3),
  });
  const taskList: TaskList = {
    [TESSELLATE]: (payload) =>
      tessellatePart({ pool, store: o.store, runner, prelabelers: o.prelabelers, log }, payload),
    [EXPORT]: (payload) => exportSnapshot({ pool, store: o.store, geometry: runner, log }, payload),
    [SPLIT]: async (payload) => {
      await splitDataset({ pool, log }, payload);
    },
    "maintenance:release_expired_claims": async () => {
      const n = await releaseExpiredClaims(pool);
      if (n > 0) log(`worker: returned ${n} part(s) with expired claims to the queue`);
    },
    "maintenance:housekeeping": async () => {
      const r = await housekeeping({ pool, store: o.store });
      if (r.staleUploads > 0) log(`worker: removed ${r.staleUploads} abandoned upload(s)`);
      if (r.interruptedWrites > 0)
        log(`worker: removed ${r.interruptedWrites} temporary file(s) of writes that were interrupted`);
    },
    [MAINTENANCE_TASKS.verify.local]: async () => {
      const r = await verifyInstallation({ db: pool, store: o.store });
      await recordVerification(pool, r, "schedule");
      log(`worker: verify: ${r.ok ? "no drift" : "DRIFT"} (${verifySummary(r)})`);
    },
    "maintenance:describe_geometry": async () => {
      const r = await backfillGeometryDescriptions({ pool, store: o.store, log });
      if (r.described > 0)
        log(`worker: fingerprinted ${r.described} earlier geometr${r.described === 1 ? "y" : "ies"}`);
    },
  };

  // Training a learned pre-labeler runs in a runner of its own, one job at a time: however long it
  // takes, the main runner's slots stay free for tessellation, pre-labelling and exports.
  const learningTasks: TaskList = {
    [TRAIN_PRELABELER]: async (payload) => {
      await trainPrelabeler({ pool, store: o.store, log }, payload);
    },
  };

  // listen before the pool starts: its workers are created inside run()
  const ids = new Set<string>();
  const events: WorkerEvents = new EventEmitter() as WorkerEvents;
  // graphile-worker 0.17 locks jobs under the pool's id (and older versions under each worker's)
  events.on("pool:create", ({ workerPool }) => ids.add(workerPool.id));
  events.on("worker:create", ({ worker }) => ids.add(worker.workerId));
  events.on("pool:listen:error", ({ error }) => log(`worker: database listen error: ${String(error)}`));
  // graphile-worker gave up recording a job's end (the database away for minutes): the job stays
  // locked by this process, for hours. The process stops instead; its supervisor starts it again, and
  // a new worker process unlocks the jobs of one that is gone.
  events.on("worker:fatalError", ({ error, worker }) =>
    o.onFatalError?.(`${worker.workerId} could not record the end of its job: ${messageOf(error)}`),
  );
  events.on("pool:fatalError", ({ error, action }) =>
    o.onFatalError?.(`the job queue could not ${action ?? "go on"}: ${messageOf(error)}`),
  );
  logJobEvents(events, logger);
  const graphile = await run({
    preset: RECORD_ENDS_THROUGH_BATCHER,
    events,
    logger: graphileLog,
    pgPool: pool,
    concurrency: o.concurrency,
    noHandleSignals: true,
    pollInterval: 1000,
    taskList,
    crontab: [
      "* * * * * maintenance:release_expired_claims ?max=1",
      "*/10 * * * * maintenance:housekeeping ?max=1",
      // geometry made before fingerprints and thumbnails existed, a batch every 5 minutes
      "*/5 * * * * maintenance:describe_geometry ?max=1",
      // storage integrity (facet verify), weekly; a run missed while stopped is not caught up
      `${MAINTENANCE_TASKS.verify.cron} ${MAINTENANCE_TASKS.verify.local} ?max=1`,
    ].join("\n"),
  });

  const learning = await run({
    preset: RECORD_ENDS_THROUGH_BATCHER,
    events,
    logger: graphileLog,
    pgPool: pool,
    concurrency: 1,
    noHandleSignals: true,
    pollInterval: 1000,
    taskList: learningTasks,
  });

  const heartbeat = async () => {
    try {
      await beat(pool, ids.size > 0 ? [...ids] : [`idle-${process.pid}`], "graphile-worker", WORKER_VERSION);
    } catch (e) {
      log(`worker: heartbeat failed: ${(e as Error).message}`);
    }
  };
  await heartbeat();
  const timer = setInterval(heartbeat, HEARTBEAT_INTERVAL_MS);
  timer.unref();

  let stopping: Promise<void> | null = null;
  return {
    runner: graphile,
    stop() {
      stopping ??= (async () => {
        clearInterval(timer);
        // a runner that stopped of itself (the queue could not go on) says so again: nothing to stop
        await Promise.all([graphile, learning].map((r) => r.stop().catch(() => {})));
        runner.stop();
        // Jobs this process still holds locked (a queue gave up recording a job's end) go back to the
        // queue now. Only then is the process forgotten: if the database is still away, the next
        // worker finds this one gone and unlocks them.
        const unlocked = await unlock(pool, graphileLog, [...ids]).then(
          () => true,
          () => false,
        );
        if (unlocked) await forget(pool, [...ids, `idle-${process.pid}`]).catch(() => {});
        await pool.end();
      })();
      return stopping;
    },
  };
}
