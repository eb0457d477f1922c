import os from "node:os";
import { createPrelabelers } from "@facet/prelabel";
import { blobStoreConfigFromEnv, createBlobStore } from "@facet/storage";
import { parseWorkerEnv } from "./env";
import { stdoutLogger } from "./job-log";
import { startLocalWorker } from "./local-runner";

// The worker process the launcher starts (or `pnpm --filter @facet/workers start` by hand). It logs
// JSON lines on stdout (job start, end and failure among them); the launcher shows them readably.
const log = stdoutLogger("worker");
const env = parseWorkerEnv();
const store = await createBlobStore(blobStoreConfigFromEnv(env));
const worker = await startLocalWorker({
  databaseUrl: env.DATABASE_URL,
  concurrency: env.FACET_WORKER_CONCURRENCY,
  poolSize: env.FACET_WORKER_POOL_SIZE,
  store,
  geometry: {
    timeoutMs: env.FACET_GEOMETRY_TIMEOUT_SECONDS * 1000,
    memoryBytes: env.FACET_GEOMETRY_MEMORY_MB * 1024 * 1024,
    processes: env.FACET_GEOMETRY_PROCESSES ?? Math.min(env.FACET_WORKER_CONCURRENCY, os.cpus().length),
  },
  prelabelers: createPrelabelers(env.FACET_PRELABELERS),
  logger: log,
  // stopped, the supervisor (the launcher) starts the worker again, which unlocks this one's jobs
  onFatalError: (why) => {
    log.error("stopping: the job queue cannot go on in this process", { error: why });
    process.exit(1);
  },
});
log.info("ready", {
  runner: "graphile-worker",
  concurrency: env.FACET_WORKER_CONCURRENCY,
  prelabelers: env.FACET_PRELABELERS.map((p) => (p.kind === "rules" ? "facet-rules" : p.id)).join(", ") || "none",
});

let stopping = false;
const stop = (why: string) => {
  if (stopping) return;
  stopping = true;
  log.info("stopping: finishing running jobs", { signal: why });
  worker.stop().then(
    () => process.exit(0),
    (e) => {
      log.error("stop failed", { error: e });
      process.exit(1);
    },
  );
};
for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => stop(sig));
