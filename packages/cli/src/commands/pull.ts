import { createHash, randomBytes } from "node:crypto";
import {
  closeSync,
  createWriteStream,
  fstatSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { mkdir, readdir, rename, rm } from "node:fs/promises";
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import path from "node:path";
import { Transform } from "node:stream";
import { finished, pipeline } from "node:stream/promises";
import type { SnapshotPart } from "@facet/core";
import type { SnapshotRow } from "@facet/db";
import { sha256File } from "../files";
import { type Api, CliError } from "../http";
import { formatBytes, Progress } from "../progress";

/** A snapshot as the API answers it. */
export type SnapshotInfo = SnapshotRow;

interface PulledPart extends SnapshotPart {
  document?: unknown;
  download?: { url: string; headers: Record<string, string>; expiresAt: string };
}

export const wsPath = (workspace: string) => `/api/workspaces/${encodeURIComponent(workspace)}`;
export const snapshotPath = (workspace: string, ref: string) =>
  `${wsPath(workspace)}/snapshots/${encodeURIComponent(ref)}`;

/** The directory a split's files go to (parts without a split: `unsplit`). */
export const splitDir = (split: string | null) => split ?? "unsplit";

const PARTIAL = ".partial";

// Temporary names: random for this process, counted within it (no random bytes drawn for each file).
const RUN = randomBytes(4).toString("hex");
let made = 0;
const temporaryName = (file: string) => `${file}.${RUN}${(made++).toString(36).padStart(4, "0")}${PARTIAL}`;

/**
 * `data` under `file`, through a temporary name beside it. Synchronous on purpose: these are small
 * files (labels, STEP files up to IN_MEMORY, the manifest) and a pull has nothing else to do meanwhile
 * than to receive bytes, which the kernel buffers; each asynchronous call is a hand-off to libuv's
 * thread pool and back, which on a busy 2-core machine cost a fifth of pull's CPU (bench:pull).
 */
function writeAtomically(file: string, data: string | Buffer): void {
  const tmp = temporaryName(file);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

async function errorOf(res: IncomingMessage): Promise<CliError> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  const status = res.statusCode ?? 0;
  try {
    const e = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
    if (e?.message) return new CliError(e.code ?? "DOWNLOAD_FAILED", e.message, status);
  } catch {
    // not JSON
  }
  return new CliError("DOWNLOAD_FAILED", `storage answered ${status}${text ? `: ${text.slice(0, 200)}` : ""}`, status);
}

/** Connections kept open between files: thousands of small downloads must not each pay a handshake. */
const AGENTS = {
  "http:": new http.Agent({ keepAlive: true, maxSockets: 64 }),
  "https:": new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

/**
 * GET through node:http (a third less time per small file than fetch here), following up to 3
 * redirects; the headers (credentials) go to the origin they were given for only.
 */
function get(url: URL, headers: Record<string, string>, redirects = 3): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const protocol = url.protocol === "https:" ? "https:" : "http:";
    const lib = protocol === "https:" ? https : http;
    lib
      .get(url, { headers, agent: AGENTS[protocol] }, (res) => {
        const status = res.statusCode ?? 0;
        const location = res.headers.location;
        if (status >= 300 && status < 400 && location && redirects > 0) {
          res.resume();
          const next = new URL(location, url);
          resolve(get(next, next.origin === url.origin ? headers : {}, redirects - 1));
        } else {
          resolve(res);
        }
      })
      .on("error", (e) => reject(new CliError("NETWORK", `download failed: ${e.message}`)));
  });
}

function readIfThere(file: string): string | null {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return null;
  }
}

/** Bodies up to this size are held in memory, checked, and written with one call; larger ones are streamed. */
const IN_MEMORY = 4 << 20;

/**
 * GET `url` into `dest`: hashed while it arrives, written to a temporary name beside `dest` and renamed
 * to `dest` only when the SHA-256 is `sha256` (an interruption never leaves a half file under the
 * final name; a mismatch leaves nothing). A small body is checked before anything is written; a large
 * one is streamed to the temporary file. Returns the bytes received.
 */
export async function downloadVerified(
  url: string,
  headers: Record<string, string>,
  dest: string,
  sha256: string,
  onBytes: (n: number) => void,
): Promise<number> {
  const res = await get(new URL(url), headers);
  const status = res.statusCode ?? 0;
  if (status < 200 || status >= 300) throw await errorOf(res);
  const declared = Number(res.headers["content-length"] ?? Number.NaN);
  const hash = createHash("sha256");
  let bytes = 0;
  const received = (chunk: Buffer) => {
    hash.update(chunk);
    bytes += chunk.length;
    onBytes(chunk.length);
  };
  const tmp = temporaryName(dest);
  const checked = () => {
    const got = hash.digest("hex");
    if (got !== sha256) throw new CliError("HASH_MISMATCH", `the bytes received hash to ${got}, not ${sha256}`);
  };
  if (declared <= IN_MEMORY) {
    const chunks: Buffer[] = [];
    res.on("data", (chunk: Buffer) => {
      received(chunk);
      chunks.push(chunk);
    });
    try {
      await finished(res);
    } catch (e) {
      throw new CliError("NETWORK", `download failed: ${(e as Error).message}`);
    }
    if (bytes !== declared) throw new CliError("NETWORK", `download failed: ${bytes} of ${declared} bytes arrived`);
    checked();
    writeAtomically(dest, chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, bytes));
    return bytes;
  }
  try {
    await pipeline(
      res,
      new Transform({
        transform(chunk: Buffer, _enc, done) {
          received(chunk);
          done(null, chunk);
        },
      }),
      createWriteStream(tmp),
    );
  } catch (e) {
    await rm(tmp, { force: true });
    throw new CliError("NETWORK", `download failed: ${(e as Error).message}`);
  }
  try {
    checked();
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  await rename(tmp, dest);
  return bytes;
}

/**
 * The SHA-256 of the file at `file`, or null when there is none (the second run of a pull reads every
 * file it has). A small file is read in one synchronous call, as writeAtomically writes it.
 */
async function existingSha256(file: string): Promise<string | null> {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return null;
  }
  try {
    if (fstatSync(fd).size > IN_MEMORY) return await sha256File(file);
    return createHash("sha256").update(readFileSync(fd)).digest("hex");
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/**
 * Removes the leftover temporary files of an interrupted run (they never carry a final name); the names
 * that remain.
 */
async function removePartials(dir: string): Promise<Set<string>> {
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.endsWith(PARTIAL)).map((n) => rm(path.join(dir, n), { force: true })));
  return new Set(names.filter((n) => !n.endsWith(PARTIAL)));
}

export interface PullSummary {
  snapshot: string;
  split: string | null;
  out: string;
  parts: number;
  downloaded: number;
  present: number;
  failed: number;
  bytesDownloaded: number;
  labelsWritten: number;
  seconds: number;
  failures: Array<{ name: string; sha256: string; code: string; message: string }>;
}

const PAGE = 500;

/**
 * `facet pull --snapshot NAME [--split S] --out DIR`: the snapshot's STEP files named by their hash
 * and their pinned annotation documents, one folder per split, and the manifest. Every file is
 * checked against its hash; what is already there with the right hash is not downloaded again.
 */
export async function pull(
  api: Api,
  opts: { workspace: string; snapshot: string; split: string | null; out: string; concurrency: number; json: boolean },
): Promise<PullSummary> {
  const base = snapshotPath(opts.workspace, opts.snapshot);
  const { snapshot } = await api.call<{ snapshot: SnapshotInfo }>("GET", base);
  const total =
    opts.split === null
      ? snapshot.partCount
      : snapshot.splits.filter((s) => splitDir(s.split) === opts.split).reduce((a, s) => a + s.parts, 0);
  if (opts.split !== null && total === 0) {
    const known = snapshot.splits.map((s) => splitDir(s.split)).join(", ") || "none";
    throw new CliError(
      "NOT_FOUND",
      `snapshot ${snapshot.name} has no part in split "${opts.split}" (splits: ${known})`,
    );
  }
  await mkdir(opts.out, { recursive: true });
  await removePartials(opts.out);
  const manifest = await api.call<unknown>("GET", `${base}/manifest`);
  writeAtomically(path.join(opts.out, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);

  const summary: PullSummary = {
    snapshot: snapshot.name,
    split: opts.split,
    out: opts.out,
    parts: 0,
    downloaded: 0,
    present: 0,
    failed: 0,
    bytesDownloaded: 0,
    labelsWritten: 0,
    seconds: 0,
    failures: [],
  };
  const progress = new Progress("pull", total, process.stderr, !opts.json);
  // the line is made at most every 80 ms (Progress draws no more often), not for every chunk of every file
  let drawn = 0;
  const tick = () => {
    if (opts.json || (Date.now() - drawn < 80 && summary.parts < total)) return;
    drawn = Date.now();
    progress.update(
      summary.parts,
      `${summary.parts}/${total} files · ${summary.downloaded} downloaded · ${summary.present} present · ` +
        `${summary.failed} failed · ${formatBytes(summary.bytesDownloaded)} ` +
        `(${formatBytes(summary.bytesDownloaded / Math.max(progress.seconds, 0.001))}/s)`,
    );
  };
  // Each split's folder made and cleared of an interrupted run's leftovers once, before any file goes
  // in; what it held then is known, so a file that was not there is not looked for (a fresh pull of
  // many files would otherwise try to open two missing files for each).
  const dirs = new Map<string, Promise<Set<string>>>();
  const prepare = (dir: string) => mkdir(dir, { recursive: true }).then(() => removePartials(dir));
  // one split's parts (`none`: those without a split), or all
  const page = (after: string | null) => {
    const q = new URLSearchParams({ limit: String(PAGE), documents: "1", urls: "1" });
    if (opts.split !== null) q.set("split", opts.split === splitDir(null) ? "none" : opts.split);
    if (after) q.set("after", after);
    return api.call<{ parts: PulledPart[]; next: string | null }>("GET", `${base}/parts?${q}`);
  };

  const one = async (part: PulledPart) => {
    const dir = path.join(opts.out, splitDir(part.split));
    let ready = dirs.get(dir);
    if (!ready) {
      ready = prepare(dir);
      dirs.set(dir, ready);
    }
    const had = await ready;
    const step = path.join(dir, `${part.blobSha256}.step`);
    try {
      const have = had.has(`${part.blobSha256}.step`) ? await existingSha256(step) : null;
      if (have === part.blobSha256) {
        summary.present++;
      } else {
        if (!part.download) throw new CliError("BAD_RESPONSE", "the server gave no download for this part");
        const { url, headers } = part.download;
        await downloadVerified(url, headers, step, part.blobSha256, (n) => {
          summary.bytesDownloaded += n;
          tick();
        });
        summary.downloaded++;
      }
      const labels = `${JSON.stringify(
        {
          partId: part.partId,
          name: part.name,
          blobSha256: part.blobSha256,
          revisionId: part.revisionId,
          revisionNo: part.revisionNo,
          documentSha256: part.documentSha256,
          faceSignature: part.faceSignature,
          faceCount: part.faceCount,
          schemaVersion: part.schemaVersion,
          status: part.status,
          split: part.split,
          document: part.document ?? null,
        },
        null,
        2,
      )}\n`;
      const name = `${part.blobSha256}.labels.json`;
      const file = path.join(dir, name);
      if (!had.has(name) || readIfThere(file) !== labels) {
        writeAtomically(file, labels);
        summary.labelsWritten++;
      }
    } catch (e) {
      const err = e instanceof CliError ? e : new CliError("ERROR", (e as Error).message);
      summary.failed++;
      summary.failures.push({ name: part.name, sha256: part.blobSha256, code: err.code, message: err.message });
    }
    summary.parts++;
    tick();
  };

  // One pool of downloads over all pages (a page's last files do not hold the next page's first ones
  // back); the next page is asked for as soon as one is taken, and read while this one downloads.
  const asked = (after: string | null) => {
    const p = page(after);
    p.catch(() => undefined); // awaited when its turn comes; not an unhandled rejection meanwhile
    return p;
  };
  let parts: PulledPart[] = [];
  let taken = 0;
  let upcoming: ReturnType<typeof page> | null = asked(null);
  let turning: Promise<void> | null = null;
  const take = async (): Promise<PulledPart | null> => {
    for (;;) {
      if (taken < parts.length) return parts[taken++] as PulledPart;
      if (!upcoming) return null;
      turning ??= (async () => {
        const got = await (upcoming as ReturnType<typeof page>);
        upcoming = got.next ? asked(got.next) : null;
        parts = got.parts;
        taken = 0;
      })().finally(() => {
        turning = null;
      });
      await turning;
    }
  };
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      for (let part = await take(); part; part = await take()) await one(part);
    }),
  );
  progress.done();
  summary.seconds = Math.round(progress.seconds * 1000) / 1000;
  return summary;
}

export function describePull(s: PullSummary): string {
  const lines = [
    `${s.parts} part(s) of ${s.snapshot}${s.split === null ? "" : ` (split ${s.split})`} in ${s.out}, ` +
      `${s.seconds.toFixed(1)} s: ${s.downloaded} downloaded (${formatBytes(s.bytesDownloaded)}), ` +
      `${s.present} already present, ${s.failed} failed`,
  ];
  if (s.downloaded === 0 && s.failed === 0) lines.push("nothing transferred: every file was already there");
  for (const f of s.failures.slice(0, 20)) lines.push(`  ✗ ${f.name} (${f.sha256}): ${f.message} (${f.code})`);
  if (s.failures.length > 20) lines.push(`  … and ${s.failures.length - 20} more`);
  return lines.join("\n");
}
