export { startLocalWorker, WORKER_VERSION } from "./local-runner";
export type { LocalWorker, LocalWorkerOptions } from "./local-runner";
export { parseWorkerEnv } from "./env";
