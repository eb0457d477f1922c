import { type ObjectDrift, recordVerification, type VerifyReport, verifyInstallation } from "@facet/ops";
import { openInstallation } from "../operator";
import { formatBytes, Progress } from "../progress";

/** `facet verify [--sample N]`: the installation check, with a progress bar on stderr; the run is recorded. */
export async function verify(
  env: NodeJS.ProcessEnv,
  opts: { sample: number | null; json: boolean },
  say: (line: string) => void,
): Promise<VerifyReport> {
  const inst = await openInstallation(env);
  try {
    say(`verifying ${inst.where}${opts.sample ? ` (a random sample of ${opts.sample} blobs and artefacts)` : ""}`);
    let bar: Progress | null = null;
    let phase = "";
    const report = await verifyInstallation({
      db: inst.pool,
      store: inst.store,
      ...(opts.sample ? { sample: opts.sample } : {}),
      onProgress: (p) => {
        if (p.phase !== phase) {
          bar?.done();
          phase = p.phase;
          bar = new Progress(p.phase.padEnd(9), p.total, process.stderr, !opts.json);
        }
        bar?.update(p.done, `${p.done}/${p.total}`);
      },
    });
    (bar as Progress | null)?.done();
    await recordVerification(inst.pool, report, "cli");
    return report;
  } finally {
    await inst.pool.end();
  }
}

const LINES = 50;

function driftLines(drifts: ObjectDrift[], count: number): string[] {
  const lines = drifts.slice(0, LINES).map((d) => {
    const kind = d.kind === "blob" ? "blob" : `${d.kind} of ${d.ownerId}`;
    const hashes = d.expectedSha256
      ? ` (expected sha256 ${d.expectedSha256}${d.actualSha256 ? `, actual ${d.actualSha256}` : ""})`
      : "";
    return `  ${d.problem.toUpperCase()} ${d.key} [${kind}]: ${d.detail}${hashes}`;
  });
  if (count > lines.length) lines.push(`  … and ${count - lines.length} more (--json lists up to 1000 of each)`);
  return lines;
}

/** The human summary: counts, then every drift named (the first 50 of each kind). */
export function describeVerification(r: VerifyReport): string {
  const b = r.blobs;
  const a = r.artefacts;
  const s = r.snapshots;
  const of = (checked: number, total: number) => (checked === total ? `${checked}` : `${checked} of ${total}`);
  const lines = [
    `blobs:      ${of(b.checked, b.total)} re-hashed (${formatBytes(b.bytes)}): ${b.mismatched} mismatched, ${b.missing} missing`,
    `artefacts:  ${of(a.checked, a.total)} read (${a.hashed} against a recorded hash, ${formatBytes(a.bytes)}): ${a.mismatched} mismatched, ${a.missing} missing`,
    `snapshots:  ${s.checked} checked (rows and manifest): ${s.drifted.length} drifted`,
    ...driftLines(b.drifts, b.mismatched + b.missing),
    ...driftLines(a.drifts, a.mismatched + a.missing),
    ...s.drifted.flatMap((d) => [
      `  SNAPSHOT ${d.name} (${d.snapshotId}, workspace ${d.workspaceId}):`,
      ...d.problems.slice(0, LINES).map((p) => `    ${p}`),
    ]),
    `${r.ok ? "no drift" : "DRIFT FOUND"} (${(r.durationMs / 1000).toFixed(1)} s${r.sample ? `, sample of ${r.sample}` : ""})`,
  ];
  return lines.join("\n");
}
