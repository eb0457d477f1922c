import type { Taxonomy } from "@facet/core";
import type { PrelabelView, Revision } from "@facet/db";
import type { ReturnedReview } from "./review-notes";

export interface WorkbenchProps {
  workspace: string;
  partId: string;
  partName: string;
  userId: string;
  holds: boolean;
  status: string;
  annotatorId: string | null;
  annotatorEmail: string | null;
  meshUrl: string;
  meshKey: string;
  facesUrl: string;
  facesKey: string;
  faceSignature: string;
  faceCount: number;
  taxonomy: Taxonomy;
  revision: Pick<Revision, "revisionNo" | "document" | "authorEmail" | "source"> | null;
  /** The rejection the part came back with (its notes pinned to faces or points), while it is returned. */
  review: ReturnedReview | null;
  /** What the pre-labelers proposed and how sure they were; null when the part was never pre-labelled. */
  prelabel: Pick<PrelabelView, "faceSignature" | "labels" | "summary" | "error"> | null;
}

/** A message over the panels: an error (red) or a hint. */
export type Notice = { text: string; error: boolean } | null;
