import { recordOperationRun } from "@facet/db";
import { collectGarbage, type GcReport } from "@facet/ops";
import { openInstallation } from "../operator";
import { formatBytes, Progress } from "../progress";

/**
 * `facet gc [--dry-run]`: the stored objects nothing refers to any more (blobs of discarded parts,
 * derived files no geometry names, manifests and archives of snapshots and exports that are gone),
 * older than a day; listed with their size, and deleted unless --dry-run.
 */
export async function gc(
  env: NodeJS.ProcessEnv,
  opts: { dryRun: boolean; json: boolean },
  say: (line: string) => void,
): Promise<GcReport> {
  const inst = await openInstallation(env);
  try {
    say(`${opts.dryRun ? "looking for" : "collecting"} unreferenced objects in ${inst.where}`);
    let bar: Progress | null = null;
    const report = await collectGarbage({
      pool: inst.pool,
      store: inst.store,
      dryRun: opts.dryRun,
      onProgress: (p) => {
        if (p.phase === "scan") return;
        bar ??= new Progress("deleting", p.total, process.stderr, !opts.json);
        bar.update(p.done, `${p.done}/${p.total}`);
      },
    });
    (bar as Progress | null)?.done();
    if (!opts.dryRun)
      await recordOperationRun(inst.pool, {
        kind: "gc",
        ok: true,
        summary: { objects: report.deleted.objects, bytes: report.deleted.bytes, kept: report.keptRaced },
      });
    return report;
  } catch (e) {
    if (!opts.dryRun)
      await recordOperationRun(inst.pool, {
        kind: "gc",
        ok: false,
        summary: { error: (e as Error).message.slice(0, 500) },
      }).catch(() => {});
    throw e;
  } finally {
    await inst.pool.end();
  }
}

const LINES = 50;

export function describeGc(r: GcReport): string {
  const objects = r.found.reduce((a, g) => a + g.keys.length, 0);
  const bytes = r.found.reduce((a, g) => a + g.bytes, 0);
  const lines = r.found
    .slice(0, LINES)
    .map((g) => `  ${g.kind.padEnd(8)} ${g.of}  ${g.keys.length} object(s), ${formatBytes(g.bytes)}`);
  if (r.found.length > LINES) lines.push(`  … and ${r.found.length - LINES} more (--json lists all)`);
  const head = r.dryRun
    ? `would delete ${objects} object(s), ${formatBytes(bytes)} (dry run: nothing deleted)`
    : `deleted ${r.deleted.objects} object(s), ${formatBytes(r.deleted.bytes)}` +
      (r.keptRaced > 0 ? `; ${r.keptRaced} kept: referenced again while gc ran` : "");
  return [
    ...lines,
    head,
    `scanned ${r.scanned} object(s) in ${(r.durationMs / 1000).toFixed(1)} s; ${r.young} left alone for being younger than a day`,
  ].join("\n");
}
