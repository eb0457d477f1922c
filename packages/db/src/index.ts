export * from "./blobs";
export * from "./curation/catalog";
export * from "./curation/export-requests";
export * from "./curation/exports";
export * from "./curation/similar";
export * from "./curation/snapshots";
export * from "./curation/splits";
export { databaseUnavailable, toAppError } from "./errors";
export type { Check, VerifyHealth, WorkerBeat } from "./health";
export {
  databaseHealth,
  forgetHeartbeats,
  HEARTBEAT_STALE_SECONDS,
  healthChecks,
  listHeartbeats,
  recordHeartbeats,
  verifyHealth,
  workerHealth,
} from "./health";
export type { IngestedPart } from "./ingest";
export { recordIngestedPart } from "./ingest";
export type { HandOverJobs, JobHandOver } from "./job-dispatch";
export { dispatchQueuedJobs } from "./job-dispatch";
export type { TessellationJob } from "./jobs";
export {
  completeJob,
  enqueueJob,
  failJobAndPart,
  failUnfinishedJob,
  releaseExpiredClaims,
  requeueJob,
  setJobProgress,
  startTessellationJob,
} from "./jobs";
export type { RateLimit } from "./limits";
export {
  closeEventStream,
  EVENT_STREAM_LIVE_SECONDS,
  notifySessionsEnded,
  openEventStream,
  pruneEventStreams,
  pruneRateLimits,
  takeRateLimit,
  takeRateLimits,
  touchEventStream,
} from "./limits";
export type { NotificationConnection, NotificationSource, PgSourceOptions } from "./listen";
export { EVENTS_CHANNEL, pgNotificationSource } from "./listen";
export * from "./metrics";
export type { MigrateResult, MigrationFile } from "./migrate";
export { listMigrations, migrate } from "./migrate";
export * from "./ops/gc";
export * from "./ops/operation-runs";
export * from "./ops/verify";
export type { Pool, PoolClient, PoolOptions } from "./pool";
export { createPool } from "./pool";
// learned pre-labels (issue 20): model versions, training, learning settings
export * from "./prelabel-models";
export type { GeometryProvenance, GeometryRecord, PrelabelRecord } from "./processing";
export { attachGeometry, findGeometry, recordGeometry, recordPrelabel } from "./processing";
export { collectTimings, RequestTimings, timed } from "./request-timing";
export type { Claims, RequestContext } from "./session";
export { readAsUser, withService, withShareLink, withUser } from "./session";
export * from "./workspaces/analytics";
export * from "./workspaces/audit";
export * from "./workspaces/comments";
export * from "./workspaces/consensus";
export * from "./workspaces/datasets";
export * from "./workspaces/face-checks";
export * from "./workspaces/history";
export * from "./workspaces/invitations";
export * from "./workspaces/label-schemas";
export * from "./workspaces/members";
export * from "./workspaces/notifications";
export * from "./workspaces/part-detail";
export * from "./workspaces/parts";
export * from "./workspaces/people";
export * from "./workspaces/prelabel";
export * from "./workspaces/review";
// not revisionWhere: its `where` is SQL, for this package only
export { appendRevision, latestRevision, type Revision } from "./workspaces/revisions";
export * from "./workspaces/share-links";
export * from "./workspaces/workbench";
export * from "./workspaces/workspaces";
