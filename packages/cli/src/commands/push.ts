import { createReadStream } from "node:fs";
import { eachLimit, findStepFiles, type LocalFile, sha256File } from "../files";
import { type Api, CliError, putStream } from "../http";
import { formatBytes, Progress } from "../progress";

interface PresignedRequest {
  method: "PUT";
  url: string;
  headers: Record<string, string>;
}
type BeginResult =
  | { name: string; sha256: string; status: "present"; part: { id: string } }
  | { name: string; sha256: string; status: "linked"; part: { id: string } }
  | { name: string; sha256: string; status: "upload"; put: PresignedRequest }
  | { name: string; sha256: string; status: "rejected"; error: { code: string; message: string } };

export interface PushSummary {
  dataset: string;
  workspace: string;
  files: number;
  new: number;
  uploaded: number;
  linked: number;
  skipped: number;
  failed: number;
  ignored: number;
  bytesTotal: number;
  bytesUploaded: number;
  seconds: number;
  filesPerSecond: number;
  megabytesPerSecond: number;
  failures: Array<{ file: string; code: string; message: string }>;
}

const BATCH = 500;

/** A server that says how long to wait (rate limits) is waited for, up to this long a time. */
const MAX_RETRY_AFTER_SECONDS = 120;

async function retrying<T>(fn: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof CliError) || !e.transient || i >= attempts) throw e;
      const asked = e.retryAfterSeconds;
      if (asked !== null && asked > MAX_RETRY_AFTER_SECONDS) throw e;
      await new Promise((r) => setTimeout(r, asked !== null ? asked * 1000 : 300 * 2 ** i));
    }
  }
}

/**
 * `facet push DIR --dataset NAME`: hash every STEP file, declare them in batches, upload only what
 * the server does not have, straight to storage, in parallel; then confirm each upload.
 */
export async function push(
  api: Api,
  opts: { dir: string; workspace: string; dataset: string; concurrency: number; json: boolean },
): Promise<PushSummary> {
  const { files, ignored } = await findStepFiles(opts.dir);
  const bytesTotal = files.reduce((a, f) => a + f.size, 0);
  const base = `/api/workspaces/${encodeURIComponent(opts.workspace)}/datasets/${encodeURIComponent(opts.dataset)}`;
  const summary: PushSummary = {
    dataset: opts.dataset,
    workspace: opts.workspace,
    files: files.length,
    new: 0,
    uploaded: 0,
    linked: 0,
    skipped: 0,
    failed: 0,
    ignored,
    bytesTotal,
    bytesUploaded: 0,
    seconds: 0,
    filesPerSecond: 0,
    megabytesPerSecond: 0,
    failures: [],
  };
  const progress = new Progress("push", files.length, process.stderr, !opts.json);
  let processed = 0;
  let hashedBytes = 0;
  const tick = () =>
    progress.update(
      processed,
      `${processed}/${files.length} files · ${summary.skipped} skipped · ${summary.new} new · ${summary.failed} failed · ` +
        `${formatBytes(summary.bytesUploaded)} sent (${formatBytes(summary.bytesUploaded / Math.max(progress.seconds, 0.001))}/s)`,
    );
  const fail = (file: LocalFile, code: string, message: string) => {
    summary.failed++;
    summary.failures.push({ file: file.path, code, message });
  };

  for (let i = 0; i < files.length; i += BATCH) {
    const batch = files.slice(i, i + BATCH);
    const hashes = new Map<LocalFile, string>();
    await eachLimit(batch, 4, async (f) => {
      hashes.set(f, await sha256File(f.path, (n) => (hashedBytes += n)));
      progress.update(processed, `hashing ${formatBytes(hashedBytes)} of ${formatBytes(bytesTotal)}`);
    });
    const { files: answers } = await retrying(() =>
      api.call<{ files: BeginResult[] }>("POST", `${base}/uploads`, {
        files: batch.map((f) => ({ name: f.name, size: f.size, sha256: hashes.get(f) })),
      }),
    );
    const uploads: Array<{ file: LocalFile; answer: Extract<BeginResult, { status: "upload" }> }> = [];
    answers.forEach((answer, j) => {
      const file = batch[j] as LocalFile;
      if (answer.status === "present") {
        summary.skipped++;
        processed++;
      } else if (answer.status === "linked") {
        summary.linked++;
        summary.new++;
        processed++;
      } else if (answer.status === "rejected") {
        fail(file, answer.error.code, answer.error.message);
        processed++;
      } else {
        uploads.push({ file, answer });
      }
    });
    tick();
    // the same bytes twice in one batch: upload once, confirm each name
    const inFlight = new Map<string, Promise<void>>();
    await eachLimit(uploads, opts.concurrency, async ({ file, answer }) => {
      try {
        let sent = inFlight.get(answer.sha256);
        if (!sent) {
          sent = retrying(async () => {
            let bytes = 0;
            try {
              await putStream(answer.put.url, answer.put.headers, createReadStream(file.path), file.size, (n) => {
                bytes += n;
                summary.bytesUploaded += n;
                tick();
              });
            } catch (e) {
              summary.bytesUploaded -= bytes; // counted again on a retry
              throw e;
            }
          });
          inFlight.set(answer.sha256, sent);
        }
        await sent;
        const done = await retrying(() =>
          api.call<{ created: boolean }>("POST", `${base}/uploads/complete`, {
            name: file.name,
            size: file.size,
            sha256: answer.sha256,
          }),
        );
        if (done.created) {
          summary.uploaded++;
          summary.new++;
        } else {
          summary.skipped++;
        }
      } catch (e) {
        const err = e instanceof CliError ? e : new CliError("ERROR", (e as Error).message);
        fail(file, err.code, err.message);
      }
      processed++;
      tick();
    });
  }
  progress.done();
  summary.seconds = Math.round(progress.seconds * 1000) / 1000;
  summary.filesPerSecond = Math.round((files.length / Math.max(summary.seconds, 0.001)) * 10) / 10;
  summary.megabytesPerSecond = Math.round((summary.bytesUploaded / 1e6 / Math.max(summary.seconds, 0.001)) * 10) / 10;
  return summary;
}

export function describePush(s: PushSummary): string {
  const lines = [
    `${s.files} STEP file(s) in ${s.seconds.toFixed(1)} s: ${s.new} new (${s.uploaded} uploaded, ${s.linked} already stored), ` +
      `${s.skipped} skipped (already in ${s.dataset}), ${s.failed} failed` +
      (s.ignored ? `; ${s.ignored} other file(s) ignored` : ""),
    `${formatBytes(s.bytesUploaded)} sent of ${formatBytes(s.bytesTotal)} · ${s.filesPerSecond} files/s · ${s.megabytesPerSecond} MB/s`,
  ];
  for (const f of s.failures.slice(0, 20)) lines.push(`  ✗ ${f.file}: ${f.message} (${f.code})`);
  if (s.failures.length > 20) lines.push(`  … and ${s.failures.length - 20} more`);
  return lines.join("\n");
}
