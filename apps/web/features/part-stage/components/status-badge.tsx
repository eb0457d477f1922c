import { type PartStatus, STATUS_LABELS } from "@facet/core";

/** The part's status in words ("In review"); `mark` also puts the status itself on the badge (data-status). */
export function StatusBadge({ status, mark = false }: { status: string; mark?: boolean }) {
  return (
    <span className="badge" data-testid="part-status" data-status={mark ? status : undefined}>
      {STATUS_LABELS[status as PartStatus] ?? status}
    </span>
  );
}
