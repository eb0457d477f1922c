import { z } from "zod";
import { sha256HexSchema } from "./content-address";

/**
 * Every kind of background job, declared once. A job is a row in `public.jobs` (kind, part, payload);
 * the embedded runner (graphile-worker) and Trigger.dev both hand its handler only the job's id and
 * the handler reads the row. Maintenance tasks run on a schedule and have no row.
 */
export const JOB_KINDS = {
  /** STEP → mesh, faces file and face graph of a part's content; then its pre-labels. */
  tessellate: "geometry:tessellate",
  /** Write a snapshot's export archive (one format) to storage. */
  export: "curation:export",
  /** Assign splits to a dataset's parts that have none, by its split config. */
  split: "curation:split",
  /** Train, evaluate and (when better) promote a dataset's learned pre-labeler (issue 20). */
  trainPrelabeler: "learning:train",
} as const;

export type JobKind = (typeof JOB_KINDS)[keyof typeof JOB_KINDS];
export const jobKindSchema = z.enum(Object.values(JOB_KINDS) as [JobKind, ...JobKind[]]);

/** What a `public.jobs` row of each kind carries in `payload` (checked where a job is queued). */
export const jobPayloadSchemas = {
  [JOB_KINDS.tessellate]: z
    .object({
      /** The content the part had when the job was queued (ingest). */
      sha256: sha256HexSchema.optional(),
      /** Pre-label the part again after its geometry is known. */
      prelabel: z.literal(true).optional(),
      /** Tessellate again with the current code and parameters (a dataset's "reprocess"). */
      reprocess: z.literal(true).optional(),
    })
    .strict(),
  [JOB_KINDS.export]: z.object({ exportId: z.uuid() }).strict(),
  [JOB_KINDS.split]: z.object({ datasetId: z.uuid() }).strict(),
  // queued by public.request_prelabel_training (manual) or after approvals (auto), in the database
  [JOB_KINDS.trainPrelabeler]: z.object({ datasetId: z.uuid(), reason: z.enum(["auto", "manual"]) }).strict(),
} satisfies Record<JobKind, z.ZodType>;

export type JobPayload<K extends JobKind> = z.infer<(typeof jobPayloadSchemas)[K]>;

/** What a job runner hands a handler: the job's id, nothing else (the row is the truth). */
export const jobRunSchema = z.object({ jobId: z.uuid() });
export type JobRun = z.infer<typeof jobRunSchema>;

/** The Trigger.dev task that runs each kind (deployed mode); the local runner uses the kind itself. */
export const TRIGGER_TASK_FOR_KIND: Record<JobKind, string> = {
  [JOB_KINDS.tessellate]: "geometry-tessellate",
  [JOB_KINDS.export]: "curation-export",
  [JOB_KINDS.split]: "curation-split",
  [JOB_KINDS.trainPrelabeler]: "learning-train",
};

/** Scheduled maintenance: the graphile-worker task name (crontab) and the Trigger.dev schedule id. */
export const MAINTENANCE_TASKS = {
  releaseExpiredClaims: { local: "maintenance:release_expired_claims", trigger: "maintenance-release-expired-claims" },
  housekeeping: { local: "maintenance:housekeeping", trigger: "maintenance-housekeeping" },
  /** Re-hash every blob and artefact and check every snapshot (`facet verify`), weekly. */
  verify: { local: "maintenance:verify", trigger: "maintenance-verify", cron: "0 3 * * 0" },
  dispatch: { local: null, trigger: "jobs-dispatch" },
} as const;
