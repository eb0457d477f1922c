import { createPrelabelers } from "@facet/prelabel";
import { blobStoreConfigFromEnv, createBlobStore } from "@facet/storage";
import { parseWorkerEnv } from "./env";
import { startLocalWorker } from "./local-runner";

// The worker process the launcher starts (or `pnpm --filter @facet/workers start` by hand).
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
  },
  prelabelers: createPrelabelers(env.FACET_PRELABELERS),
});
console.log(
  `worker: ready (graphile-worker, concurrency ${env.FACET_WORKER_CONCURRENCY}; pre-labelers: ${
    env.FACET_PRELABELERS.map((p) => (p.kind === "rules" ? "facet-rules" : p.id)).join(", ") || "none"
  })`,
);

let stopping = false;
const stop = (why: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`worker: ${why}, finishing running jobs...`);
  worker.stop().then(
    () => process.exit(0),
    (e) => {
      console.error(`worker: stop failed: ${(e as Error).message}`);
      process.exit(1);
    },
  );
};
for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => stop(sig));
