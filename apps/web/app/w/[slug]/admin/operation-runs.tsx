import { lastOperationRuns } from "@facet/db";
import { requireWorkspace } from "@/lib/session.server";
import { formatUtc } from "@/lib/time-format";

/** A backup older than this is worth a warning. */
const STALE_BACKUP_DAYS = 7;

/**
 * Two lines on the Admin page under Storage integrity: when the installation was last backed up
 * (`facet backup`) and when unreferenced files were last collected (`facet gc`), with the command
 * the operator runs on the server. Only when and whether: the counts are the whole instance's.
 */
export async function OperationRuns({ slug }: { slug: string }) {
  const { workspace, run } = await requireWorkspace(slug);
  const runs = await run((c) => lastOperationRuns(c, workspace.id));
  const backup = runs.find((r) => r.kind === "backup");
  const gc = runs.find((r) => r.kind === "gc");
  const when = (d: Date) => formatUtc(new Date(d).toISOString());
  const backupAge = backup ? (Date.now() - new Date(backup.finishedAt).getTime()) / 86_400_000 : null;
  const backupWarn = !backup?.ok || (backupAge as number) > STALE_BACKUP_DAYS;
  return (
    <>
      <p className={backupWarn ? "error" : "muted"} data-testid="last-backup">
        {!backup
          ? "Backups: none recorded."
          : backup.ok
            ? `Backups: last taken ${when(backup.finishedAt)}.`
            : `Backups: the last attempt failed, ${when(backup.finishedAt)}.`}
        {backup?.ok && (backupAge as number) > STALE_BACKUP_DAYS
          ? ` None for ${Math.floor(backupAge as number)} days.`
          : ""}{" "}
        The operator runs <code>facet backup --out DIR</code> on the server while Facet runs (and{" "}
        <code>facet restore --from DIR</code> into an empty installation).
      </p>
      <p className="muted" data-testid="last-gc">
        {!gc
          ? "Unreferenced files: never collected."
          : `Unreferenced files: last collected ${when(gc.finishedAt)}${gc.ok ? "" : " (failed)"}.`}{" "}
        <code>facet gc --dry-run</code> lists what no part, revision, snapshot or export uses any more;{" "}
        <code>facet gc</code> deletes it.
      </p>
    </>
  );
}
