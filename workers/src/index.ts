export { parseWorkerEnv } from "./env";
export type { LocalWorker, LocalWorkerOptions } from "./local-runner";
export { migrateJobQueue, startLocalWorker, WORKER_VERSION } from "./local-runner";
