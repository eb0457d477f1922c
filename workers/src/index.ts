export { parseWorkerEnv } from "./env";
export type { LocalWorker, LocalWorkerOptions } from "./local-runner";
export { startLocalWorker, WORKER_VERSION } from "./local-runner";
