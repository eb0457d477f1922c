import { lastVerifySummary } from "@facet/db";
import { requireWorkspace } from "@/lib/session.server";
import { formatUtc } from "@/lib/time-format";

/** A verify run older than this is worth a warning (the job runs weekly). */
const STALE_DAYS = 8;

/**
 * One line on the Admin page: when the installation's files were last verified (`facet verify`, the
 * weekly job) and whether anything drifted; a warning when it drifted, never ran, or is overdue. Only
 * counts: which objects drifted is for the operator (`facet verify` on the server).
 */
export async function StorageIntegrity({ slug }: { slug: string }) {
  const { workspace, run } = await requireWorkspace(slug);
  const last = await run((c) => lastVerifySummary(c, workspace.id));
  const hint = (
    <>
      {" "}
      The operator runs <code>facet verify</code> on the server for the details.
    </>
  );
  if (!last)
    return (
      <p className="error" data-testid="storage-integrity">
        Storage integrity: never verified. A weekly job checks every stored file; or run <code>facet verify</code> on
        the server.
      </p>
    );
  const when = formatUtc(new Date(last.finishedAt).toISOString());
  const checked = `${last.blobsChecked} blob${last.blobsChecked === 1 ? "" : "s"}${last.sample ? ` (a sample of ${last.sample})` : ""}, ${last.snapshotsChecked} snapshot${last.snapshotsChecked === 1 ? "" : "s"}`;
  if (!last.ok)
    return (
      <p className="error" data-testid="storage-integrity">
        Storage integrity: drift found on {when}: {last.drift} problem{last.drift === 1 ? "" : "s"} in {checked}.{hint}
      </p>
    );
  const ageDays = (Date.now() - new Date(last.finishedAt).getTime()) / 86_400_000;
  return (
    <p className={ageDays > STALE_DAYS ? "error" : "muted"} data-testid="storage-integrity">
      Storage integrity: last verified {when}, {checked}, 0 drift.
      {ageDays > STALE_DAYS ? ` Not verified for ${Math.floor(ageDays)} days: is the worker running?` : ""}
    </p>
  );
}
