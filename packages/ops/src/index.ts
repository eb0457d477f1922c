/** Operator operations over a whole installation, run by the `facet` CLI and by scheduled jobs. */

export type { Garbage, GarbageKind, GcOptions, GcProgress, GcReport } from "./gc";
export { BackupRunningError, collectGarbage } from "./gc";
export type { ObjectDrift, SnapshotDrift, VerifyOptions, VerifyProgress, VerifyReport } from "./verify";
export { LISTED_DRIFTS, recordVerification, verifyInstallation, verifySummary } from "./verify";
