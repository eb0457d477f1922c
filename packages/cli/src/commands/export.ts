import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { EXPORT_FORMATS, type ExportFormat } from "@facet/core";
import type { ExportRow } from "@facet/db";
import { type Api, CliError } from "../http";
import { formatBytes, Progress } from "../progress";
import { unpackZip } from "../unzip";
import { downloadVerified, snapshotPath, wsPath } from "./pull";

/** An export as `GET …/exports/<id>` answers it. */
export type ExportInfo = ExportRow & { downloadUrl: string | null };

export { EXPORT_FORMATS, type ExportFormat };

export interface ExportSummary {
  snapshot: string;
  format: ExportFormat;
  includeMeshes: boolean;
  exportId: string;
  /** The archive was made earlier (same snapshot, format and meshes) and served as it was. */
  cached: boolean;
  size: number;
  sha256: string;
  out: string;
  files: number;
  bytesUnpacked: number;
  seconds: number;
}

const POLL_MS = 500;

/**
 * `facet export --snapshot NAME --format F [--meshes] --out DIR`: ask for the export (made once per
 * snapshot, format and meshes; served from the cache afterwards), follow its job, download the
 * archive (hash checked) and unpack it into DIR.
 */
export async function exportSnapshot(
  api: Api,
  auth: Record<string, string>,
  opts: { workspace: string; snapshot: string; format: ExportFormat; meshes: boolean; out: string; json: boolean },
  say: (m: string) => void,
): Promise<ExportSummary> {
  const started = Date.now();
  const r = await api.call<{ export: ExportInfo; started: boolean }>(
    "POST",
    `${snapshotPath(opts.workspace, opts.snapshot)}/exports`,
    { format: opts.format, includeMeshes: opts.meshes },
  );
  let exp = r.export;
  const cached = !r.started && exp.status === "completed";
  say(
    cached
      ? `served from the cache: export ${exp.id} was made earlier (${opts.format}${opts.meshes ? " with meshes" : ""})`
      : `export ${exp.id} ${r.started ? "started" : `already ${exp.status}`}`,
  );
  const progress = new Progress(`export ${opts.format}`, 1, process.stderr, !opts.json);
  while (exp.status === "queued" || exp.status === "running") {
    progress.update(exp.progress, exp.progressMessage ?? exp.status);
    await new Promise((res) => setTimeout(res, POLL_MS));
    exp = (await api.call<{ export: ExportInfo }>("GET", `${wsPath(opts.workspace)}/exports/${exp.id}`)).export;
  }
  progress.done();
  if (exp.status !== "completed")
    throw new CliError("EXPORT_FAILED", `export ${exp.id} ${exp.status}${exp.error ? `: ${exp.error}` : ""}`);
  if (!exp.sha256 || exp.size === null)
    throw new CliError("BAD_RESPONSE", `export ${exp.id} is completed but has no archive hash or size`);

  const out = path.resolve(opts.out);
  await mkdir(out, { recursive: true });
  const zip = path.join(out, `.facet-export-${exp.id}.zip`);
  const url = new URL(exp.downloadUrl ?? `${wsPath(opts.workspace)}/exports/${exp.id}/download`, api.baseUrl);
  const bar = new Progress("download", exp.size, process.stderr, !opts.json);
  let got = 0;
  try {
    await downloadVerified(url.toString(), auth, zip, exp.sha256, (n) => {
      got += n;
      bar.update(got, `${formatBytes(got)} of ${formatBytes(exp.size ?? 0)}`);
    });
    bar.done();
    const unpacked = await unpackZip(zip, out);
    return {
      snapshot: opts.snapshot,
      format: opts.format,
      includeMeshes: opts.meshes,
      exportId: exp.id,
      cached,
      size: exp.size,
      sha256: exp.sha256,
      out,
      files: unpacked.files,
      bytesUnpacked: unpacked.bytes,
      seconds: Math.round(Date.now() - started) / 1000,
    };
  } finally {
    bar.done();
    await rm(zip, { force: true });
  }
}

export function describeExport(s: ExportSummary): string {
  return [
    `${s.format} export of ${s.snapshot}${s.includeMeshes ? " with meshes" : ""}${s.cached ? " (served from the cache)" : ""}: ` +
      `${formatBytes(s.size)} archive, sha256 ${s.sha256} checked`,
    `${s.files} file(s), ${formatBytes(s.bytesUnpacked)}, unpacked into ${s.out} in ${s.seconds.toFixed(1)} s`,
  ].join("\n");
}
