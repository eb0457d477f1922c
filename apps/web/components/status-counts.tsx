import { PART_STATUSES, STATUS_LABELS } from "@facet/core";
import type { StatusCounts } from "@facet/db";

export function StatusCountsView({ counts }: { counts: StatusCounts }) {
  return (
    <div className="stats" data-testid="status-counts">
      {PART_STATUSES.map((s) => (
        <div className="stat" key={s} data-status={s}>
          <div className="n">{counts[s]}</div>
          <div className="l">{STATUS_LABELS[s]}</div>
        </div>
      ))}
    </div>
  );
}
