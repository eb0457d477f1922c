import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, open, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { crc32, createInflateRaw } from "node:zlib";
import { EXPORT_FORMATS, type ExportFormat } from "@facet/core";
import type { ExportRow } from "@facet/db";
import { type Api, CliError } from "../http";
import { formatBytes, Progress } from "../progress";
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
 * An archive entry's path below `out`, or an error: no absolute paths, drive letters, backslashes
 * or `..` segments (a zip must not write outside the folder it is unpacked into).
 */
export function safeEntryPath(out: string, name: string): string {
  const bad = (why: string) => new CliError("UNSAFE_ARCHIVE", `refusing the archive entry "${name}": ${why}`);
  if (name.startsWith("/") || /^[A-Za-z]:/.test(name)) throw bad("an absolute path");
  if (name.includes("\\")) throw bad("a backslash in its path");
  if (name.includes("\0")) throw bad("a NUL in its path");
  if (name.split("/").some((s) => s === "..")) throw bad("a '..' in its path");
  const target = path.resolve(out, name);
  if (target !== out && !target.startsWith(out + path.sep)) throw bad("outside the output folder");
  return target;
}

export interface ZipEntry {
  name: string;
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/**
 * The entries of a zip on disk, from its central directory (sizes and offsets known before any
 * byte is unpacked; no guessing where an entry ends from signatures in its data).
 */
export async function readZipDirectory(file: string): Promise<ZipEntry[]> {
  const bad = (why: string) => new CliError("BAD_ARCHIVE", `${path.basename(file)} is not a readable zip: ${why}`);
  const fh = await open(file, "r");
  try {
    const { size } = await fh.stat();
    const tailLength = Math.min(size, 22 + 0xffff);
    const tail = Buffer.alloc(tailLength);
    await fh.read(tail, 0, tailLength, size - tailLength);
    let at = -1;
    for (let i = tailLength - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD) {
        at = i;
        break;
      }
    }
    if (at < 0) throw bad("no end of central directory");
    const count = tail.readUInt16LE(at + 10);
    const cdSize = tail.readUInt32LE(at + 12);
    const cdOffset = tail.readUInt32LE(at + 16);
    if (cdOffset + cdSize > size) throw bad("the central directory lies outside the file");
    const cd = Buffer.alloc(cdSize);
    await fh.read(cd, 0, cdSize, cdOffset);
    const entries: ZipEntry[] = [];
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (p + 46 > cdSize || cd.readUInt32LE(p) !== CENTRAL) throw bad(`entry ${i + 1} of the central directory`);
      const nameLength = cd.readUInt16LE(p + 28);
      const entry: ZipEntry = {
        method: cd.readUInt16LE(p + 10),
        crc32: cd.readUInt32LE(p + 16),
        compressedSize: cd.readUInt32LE(p + 20),
        size: cd.readUInt32LE(p + 24),
        localHeaderOffset: cd.readUInt32LE(p + 42),
        name: cd.toString("utf8", p + 46, p + 46 + nameLength),
      };
      if (entry.method !== 0 && entry.method !== 8) throw bad(`${entry.name} uses compression method ${entry.method}`);
      entries.push(entry);
      p += 46 + nameLength + cd.readUInt16LE(p + 30) + cd.readUInt16LE(p + 32);
    }
    // where each entry's data starts: after its local header
    const local = Buffer.alloc(30);
    for (const e of entries) {
      await fh.read(local, 0, 30, e.localHeaderOffset);
      if (local.readUInt32LE(0) !== LOCAL) throw bad(`no local header for ${e.name}`);
      e.localHeaderOffset += 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
      if (e.localHeaderOffset + e.compressedSize > size) throw bad(`${e.name} runs past the end of the file`);
    }
    return entries;
  } finally {
    await fh.close();
  }
}

/**
 * Unpack a zip into `out`: every entry's name is checked before anything is written, then each file
 * is inflated straight to disk and its length and CRC-32 checked.
 */
export async function unpackZip(file: string, out: string): Promise<{ files: number; bytes: number }> {
  const root = path.resolve(out);
  const entries = (await readZipDirectory(file)).map((e) => ({ ...e, target: safeEntryPath(root, e.name) }));
  let files = 0;
  let bytes = 0;
  for (const e of entries) {
    if (e.name.endsWith("/")) {
      await mkdir(e.target, { recursive: true });
      continue;
    }
    await mkdir(path.dirname(e.target), { recursive: true });
    let crc = 0;
    let length = 0;
    const check = new Transform({
      transform(chunk: Buffer, _enc, done) {
        crc = crc32(chunk, crc);
        length += chunk.length;
        done(null, chunk);
      },
    });
    if (e.compressedSize === 0) {
      await writeFile(e.target, "");
    } else {
      const data = createReadStream(file, {
        start: e.localHeaderOffset,
        end: e.localHeaderOffset + e.compressedSize - 1,
        highWaterMark: 1 << 20,
      });
      const sink = createWriteStream(e.target);
      await (e.method === 8 ? pipeline(data, createInflateRaw(), check, sink) : pipeline(data, check, sink)).catch(
        (err: Error) => {
          throw new CliError("BAD_ARCHIVE", `${e.name}: ${err.message}`);
        },
      );
    }
    if (length !== e.size || crc !== e.crc32)
      throw new CliError("BAD_ARCHIVE", `${e.name} unpacked to bytes that do not match the archive's length and CRC`);
    files++;
    bytes += length;
  }
  return { files, bytes };
}

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
