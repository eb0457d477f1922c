"use client";

import { PresenceList, type StagedPart, StatusBadge } from "@/features/part-stage";
import type { Hold } from "./use-hold";
import type { Notice } from "./workbench-props";

/**
 * The top of the labelling panels: the part, its live status, who is here, whether the labels are
 * saved (or who holds the part), what went wrong with the hold, and the latest notice.
 */
export function LabelHeader({
  part,
  hold,
  notice,
  onDismiss,
}: {
  part: Pick<StagedPart, "partName" | "status" | "userId" | "annotatorEmail">;
  hold: Hold;
  notice: Notice;
  onDismiss: () => void;
}) {
  const { live, lost } = hold;
  const saveStatus = hold.save.status;
  return (
    <div className="wb-block">
      <div className="row" style={{ justifyContent: "space-between" }}>
        <strong title={part.partName}>{part.partName}</strong>
        <StatusBadge status={live.status ?? part.status} />
      </div>
      <PresenceList live={live} userId={part.userId} />
      <div className="muted" data-testid="save-status" data-kind={saveStatus.kind}>
        {hold.holding ? hold.saveText : `Read-only · held by ${part.annotatorEmail ?? "nobody"}`}
      </div>
      {(saveStatus.kind === "conflict" || hold.newerElsewhere || lost) && (
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
          <button type="button" className="link" onClick={onDismiss} aria-label="Dismiss">
            ×
          </button>
        </div>
      )}
    </div>
  );
}
