import type { PrelabelView, Revision } from "@facet/db";
import type { StagedPart } from "@/features/part-stage";
import type { ReturnedReview } from "./review-notes";

export interface WorkbenchProps extends StagedPart {
  holds: boolean;
  revision: Pick<Revision, "revisionNo" | "document" | "authorEmail" | "source" | "faceChecks"> | null;
  /** Pre-labelled faces below this confidence must be confirmed or changed before submission (the dataset's). */
  confirmBelow: number;
  /** The rejection the part came back with (its notes pinned to faces or points), while it is returned. */
  review: ReturnedReview | null;
  /** What the pre-labelers proposed and how sure they were; null when the part was never pre-labelled. */
  prelabel: Pick<PrelabelView, "faceSignature" | "labels" | "summary" | "error"> | null;
}

/** A message over the panels: an error (red) or a hint. */
export type Notice = { text: string; error: boolean } | null;
