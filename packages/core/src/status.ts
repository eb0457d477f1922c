import { z } from "zod";

export const PART_STATUSES = [
  "uploaded",
  "processing",
  "failed",
  "unannotated",
  "pre_labeled",
  "in_progress",
  "in_review",
  "approved",
] as const;
export const partStatusSchema = z.enum(PART_STATUSES);
export type PartStatus = z.infer<typeof partStatusSchema>;

/**
 * The part status machine. The database enforces the same table
 * (supabase/migrations/*_part_status_machine.sql); `packages/db/src/status-machine.db.test.ts` checks they agree pair by pair.
 *
 * Beyond the architecture diagram:
 * - `failed -> uploaded` is "retry": the part goes back to the tessellation queue.
 * - `in_progress -> unannotated` is a release of a part that never had pre-labels.
 */
export const PART_TRANSITIONS: Readonly<Record<PartStatus, readonly PartStatus[]>> = {
  uploaded: ["processing"],
  processing: ["unannotated", "failed"],
  failed: ["uploaded"],
  unannotated: ["pre_labeled", "in_progress"],
  pre_labeled: ["in_progress"],
  in_progress: ["pre_labeled", "unannotated", "in_review"],
  in_review: ["in_progress", "approved"],
  approved: [],
};

export function canTransition(from: PartStatus, to: PartStatus): boolean {
  return PART_TRANSITIONS[from].includes(to);
}

/** Statuses from which an annotator can claim a part (besides an expired lease). */
export const CLAIMABLE_STATUSES: readonly PartStatus[] = ["pre_labeled", "unannotated"];

export const STATUS_LABELS: Record<PartStatus, string> = {
  uploaded: "Uploaded",
  processing: "Processing",
  failed: "Failed",
  unannotated: "Unannotated",
  pre_labeled: "Pre-labelled",
  in_progress: "In progress",
  in_review: "In review",
  approved: "Approved",
};
