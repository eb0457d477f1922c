"use client";

import { type PartStatus, STATUS_LABELS } from "@facet/core";
import Link from "next/link";
import { type PartLive, PresenceList, type StagedPart, StatusBadge } from "@/features/part-stage";
import type { Decision } from "./use-decision";
import { When } from "./when";

/**
 * The top of the review panels: where the part is, its live status, the revision under review, who
 * else has it open, and what changed since the page was opened (status, a newer revision).
 */
export function ReviewHeader({
  part: p,
  live,
  decision,
  signatureMatches,
}: {
  part: Pick<StagedPart, "workspace" | "partId" | "partName" | "userId" | "annotatorEmail"> & {
    datasetId: string;
    datasetName: string;
    revision: { revisionNo: number; authorEmail: string | null; createdAt: string };
  };
  live: PartLive;
  decision: Pick<Decision, "liveStatus" | "statusChanged" | "newerRevision">;
  signatureMatches: boolean;
}) {
  const { liveStatus } = decision;
  const others = live.presence.filter((u) => u.userId !== p.userId);
  return (
    <div className="wb-block">
      <p className="muted review-crumbs">
        <Link href={`/w/${p.workspace}/review`}>Review queue</Link> /{" "}
        <Link href={`/w/${p.workspace}/datasets/${p.datasetId}`}>{p.datasetName}</Link>
      </p>
      <div className="row" style={{ justifyContent: "space-between" }}>
        <strong title={p.partName}>
          <Link href={`/w/${p.workspace}/parts/${p.partId}`}>{p.partName}</Link>
        </strong>
        <StatusBadge status={liveStatus} mark />
      </div>
      <span className="muted" data-testid="review-revision" data-revision={p.revision.revisionNo}>
        Revision {p.revision.revisionNo} by {p.annotatorEmail ?? p.revision.authorEmail ?? "someone"} ·{" "}
        <When iso={p.revision.createdAt} />
      </span>
      <PresenceList live={live} userId={p.userId} />
      {others.length > 0 && (
        <span className="muted" data-testid="also-reviewing">
          Also open by {others.map((u) => u.email).join(", ")}.
        </span>
      )}
      {!signatureMatches && (
        <p className="error" role="status">
          These labels were made on an older face numbering (the part was processed again): they cannot be shown.
        </p>
      )}
      {decision.statusChanged && (
        <div className="notice review-status-changed" role="status" data-testid="status-changed">
          The part changed while you were looking: it is{" "}
          {(STATUS_LABELS[liveStatus as PartStatus] ?? liveStatus).toLowerCase()} now
          {liveStatus === "approved" || liveStatus === "in_progress" ? " (someone else decided)" : ""}.{" "}
          <Link href={`/w/${p.workspace}/review`}>Back to the queue</Link>
        </div>
      )}
      {decision.newerRevision && (
        <div className="error" role="status" data-testid="newer-revision">
          Revision {live.latestRevision?.revisionNo} was saved since you opened this page.{" "}
          <button type="button" onClick={() => window.location.reload()}>
            Reload
          </button>
        </div>
      )}
    </div>
  );
}
