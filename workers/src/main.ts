import path from "node:path";
import { createBlobStore } from "@facet/storage";
import { parseWorkerEnv } from "./env";
import { startLocalWorker } from "./local-runner";

// The worker process the launcher starts (or `pnpm --filter @facet/workers start` by hand).
const env = parseWorkerEnv();
const store = await createBlobStore(
  env.FACET_STORAGE === "s3"
    ? {
        kind: "s3",
        bucket: env.S3_BUCKET as string,
        region: env.S3_REGION,
        ...(env.S3_ENDPOINT ? { endpoint: env.S3_ENDPOINT } : {}),
        forcePathStyle: env.S3_FORCE_PATH_STYLE === "true",
        accessKeyId: env.S3_ACCESS_KEY_ID as string,
        secretAccessKey: env.S3_SECRET_ACCESS_KEY as string,
      }
    : {
        kind: "fs",
        root: path.resolve(env.FACET_DATA_DIR),
        baseUrl: env.FACET_PUBLIC_URL,
        secret: env.FACET_BLOB_URL_SECRET as string,
      },
);
const worker = await startLocalWorker({
  databaseUrl: env.DATABASE_URL,
  concurrency: env.FACET_WORKER_CONCURRENCY,
  poolSize: env.FACET_WORKER_POOL_SIZE,
  store,
  geometry: {
    timeoutMs: env.FACET_GEOMETRY_TIMEOUT_SECONDS * 1000,
    memoryBytes: env.FACET_GEOMETRY_MEMORY_MB * 1024 * 1024,
  },
});
console.log(`worker: ready (graphile-worker, concurrency ${env.FACET_WORKER_CONCURRENCY})`);

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
