"use client";

import { type PartLive, PresenceList, StatusBadge } from "@/features/part-stage";
import type { SaveStatus } from "./use-autosave";
import type { Notice } from "./workbench-props";

/**
 * The top of the labelling panels: the part, its live status, who is here, whether the labels are
 * saved (or who holds the part), what went wrong with the hold, and the latest notice.
 */
export function LabelHeader(p: {
  partName: string;
  status: string;
  userId: string;
  annotatorEmail: string | null;
  live: PartLive;
  holding: boolean;
  saveStatus: SaveStatus;
  saveText: string;
  lost: string | null;
  newerElsewhere: boolean;
  notice: Notice;
  onDismiss: () => void;
}) {
  const { saveStatus, lost, notice } = p;
  return (
    <div className="wb-block">
      <div className="row" style={{ justifyContent: "space-between" }}>
        <strong title={p.partName}>{p.partName}</strong>
        <StatusBadge status={p.live.status ?? p.status} />
      </div>
      <PresenceList live={p.live} userId={p.userId} />
      <div className="muted" data-testid="save-status" data-kind={saveStatus.kind}>
        {p.holding ? p.saveText : `Read-only · held by ${p.annotatorEmail ?? "nobody"}`}
      </div>
      {(saveStatus.kind === "conflict" || p.newerElsewhere || lost) && (
        <div className="error" role="alert" data-testid="conflict">
          {lost
            ? `You no longer hold this part: ${lost}.`
            : saveStatus.kind === "conflict"
              ? `Your last change was not saved: ${saveStatus.message}.`
              : "Someone saved a newer revision of this part."}{" "}
          <button type="button" onClick={() => window.location.reload()}>
            Reload
          </button>
        </div>
      )}
      {notice && (
        <div className={notice.error ? "error" : "notice"} role="status" data-testid="notice">
          {notice.text}{" "}
          <button type="button" className="link" onClick={p.onDismiss} aria-label="Dismiss">
            ×
          </button>
        </div>
      )}
    </div>
  );
}
