import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type AnnotationDocument, blobKey, JOB_KINDS, jobRunSchema, taxonomySchema } from "@facet/core";
import {
  completeJob,
  type ExportJob,
  failExportJob,
  failUnfinishedExportJob,
  listSnapshotExportParts,
  listSnapshotSplits,
  type Pool,
  recordExportArchive,
  requeueJob,
  type SnapshotExportPart,
  setJobProgress,
  startExportJob,
  withService,
} from "@facet/db";
import { isProcessAlive } from "@facet/db/process";
import type { FacesDocument } from "@facet/geometry";
import { type BlobStore, readIfStored } from "@facet/storage";
import { type ExportContext, type ExportPart, writeExport, ZipArchive } from "../export";
import type { GeometryEngine } from "../geometry/engine";

export const EXPORT = JOB_KINDS.export;

export interface ExportDeps {
  pool: Pool;
  store: BlobStore;
  /** Reads face names of STEP files that carry none (the `step`, `mfcad` and `mfinstseg` formats). */
  geometry?: GeometryEngine;
  runnerName?: "graphile-worker" | "trigger.dev";
  /** Parts read per database round trip. */
  pageSize?: number;
  /** Where the archive is assembled before it is stored (the system's temporary folder). */
  tmpDir?: string;
  log: (line: string) => void;
}

/** An export's working folder: named after the process, so that what a killed one left is found. */
const WORK_PREFIX = "facet-export-";

/**
 * The working folders of exports whose process is gone (killed in the middle of one: an archive
 * of up to gigabytes left in the temporary folder), removed; how many. The worker runs it when it
 * starts.
 */
export async function removeAbandonedExportFolders(tmpDir = os.tmpdir()): Promise<number> {
  let removed = 0;
  for (const name of await readdir(tmpDir).catch(() => [])) {
    const pid = name.startsWith(WORK_PREFIX) ? Number.parseInt(name.slice(WORK_PREFIX.length), 10) : 0;
    if (!pid || isProcessAlive(pid)) continue;
    await rm(path.join(tmpDir, name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}

/** Where an export's archive is stored. */
export const exportArchiveKey = (exportId: string, format: string) => `exports/${exportId}/${format}.zip`;

/** Where an export's time went (milliseconds): reading pages, reading faces files; the rest is writing. */
interface ReadTimings {
  pages: number;
  faces: number;
}

/** Faces files read at once: a page's files are fetched concurrently, not one round trip after another. */
const FACES_CONCURRENCY = 16;

async function mapConcurrent<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  });
  await Promise.all(lanes);
  return out;
}

/**
 * The snapshot's parts, split by split, each page read in its own short transaction. The next page
 * (its rows and faces files) is read while this one is written: the database and the disk work
 * beside the encoder instead of in turn.
 */
async function* snapshotParts(deps: ExportDeps, job: ExportJob, t: ReadTimings): AsyncGenerator<ExportPart> {
  const limit = deps.pageSize ?? 200;
  const splits = await withService(deps.pool, (c) => listSnapshotSplits(c, job.snapshot.workspaceId, job.snapshot.id));
  type Page = { page: SnapshotExportPart[]; faces: (FacesDocument | null)[] };
  const read = async (split: string | null, after: string | null): Promise<Page> => {
    let t0 = performance.now();
    const page: SnapshotExportPart[] = await withService(deps.pool, (c) =>
      listSnapshotExportParts(c, {
        workspaceId: job.snapshot.workspaceId,
        snapshotId: job.snapshot.id,
        split,
        afterPartId: after,
        limit,
      }),
    );
    t.pages += performance.now() - t0;
    t0 = performance.now();
    const faces = await mapConcurrent(page, FACES_CONCURRENCY, async (p) =>
      p.facesKey
        ? (JSON.parse(
            (await readNeeded(deps.store, p.facesKey, `the faces file of part "${p.name}"`)).toString("utf8"),
          ) as FacesDocument)
        : null,
    );
    t.faces += performance.now() - t0;
    return { page, faces };
  };
  for (const split of splits) {
    let pending: Promise<Page> | null = read(split, null);
    while (pending) {
      const { page, faces }: Page = await pending;
      const last = page.at(-1);
      pending = page.length === limit && last ? read(split, last.partId) : null;
      // a failure of the read ahead surfaces when it is awaited, never as an unhandled rejection
      pending?.catch(() => {});
      for (const [i, p] of page.entries()) {
        const { facesKey: _, document, ...pinned } = p;
        yield { ...pinned, document: document as AnnotationDocument, faces: faces[i] ?? null };
      }
    }
  }
}

/**
 * Write a snapshot's export: the format's files, meshes when asked and a manifest, zipped as they
 * are made into a temporary file (memory holds a page of parts and one file at a time), then stored
 * at `exports/<export id>/<format>.zip` and recorded. Idempotent: a finished export is not written
 * again; a retry writes the same bytes (every entry dated by the snapshot) over the same key.
 */
export async function exportSnapshot(deps: ExportDeps, rawPayload: unknown): Promise<void> {
  const { jobId } = jobRunSchema.parse(rawPayload);
  const job = await withService(deps.pool, (c) => startExportJob(c, jobId, deps.runnerName ?? "graphile-worker"));
  if (!job) return;
  const ex = job.export;
  if (ex.completedAt && ex.archiveKey && ex.archiveSha256 && (await deps.store.head(ex.archiveKey))) {
    await withService(deps.pool, (c) =>
      completeJob(c, jobId, {
        exportId: ex.id,
        key: ex.archiveKey,
        size: ex.archiveSize,
        sha256: ex.archiveSha256,
        cached: true,
      }),
    );
    return;
  }
  const started = performance.now();
  const dir = await mkdtemp(path.join(deps.tmpDir ?? os.tmpdir(), `${WORK_PREFIX}${process.pid}-`));
  try {
    const parsed = taxonomySchema.safeParse(job.taxonomy);
    if (!parsed.success) throw new ExportFailure("the snapshot's label schema is missing or not a valid taxonomy");
    const file = path.join(dir, "archive.zip");
    const archive = new ZipArchive(createWriteStream(file), job.snapshot.createdAt);
    const ctx: ExportContext = {
      snapshot: job.snapshot,
      taxonomy: parsed.data,
      sink: archive,
      step: (part) => readNeeded(deps.store, blobKey(part.blobSha256), `the STEP file of part "${part.name}"`),
      probeFaces: deps.geometry
        ? async (bytes) => {
            const geometry = deps.geometry as GeometryEngine;
            // names only: the coarsest mesh the kernel makes is enough
            const r = await geometry.run(bytes, { relativeDeflection: 0.05, angularDeflection: 1.5 });
            return r.document.faces;
          }
        : undefined,
    };
    const total = Math.max(1, job.snapshot.partCount);
    let last = 0;
    const timings: ReadTimings = { pages: 0, faces: 0 };
    const { parts, unrepresented } = await writeExport(ctx, snapshotParts(deps, job, timings), {
      format: ex.format,
      includeMeshes: ex.includeMeshes,
      readMesh: (key) => readNeeded(deps.store, key, "a part's mesh file"),
      onPart: async (done) => {
        const now = performance.now();
        if (now - last < 1000 && done < total) return;
        last = now;
        await withService(deps.pool, (c) =>
          setJobProgress(c, jobId, 0.02 + 0.88 * (done / total), `${done} of ${total} parts written`),
        );
      },
    });
    const { size, sha256, files } = await archive.end();
    const written = performance.now();
    await withService(deps.pool, (c) => setJobProgress(c, jobId, 0.92, "storing the archive"));
    const key = exportArchiveKey(ex.id, ex.format);
    const head = await deps.store.head(key);
    if (head?.sha256 !== sha256) await deps.store.put(key, createReadStream(file), { size, sha256 });
    const ms = Math.round(performance.now() - started);
    const where = {
      readingPages: Math.round(timings.pages),
      readingFaces: Math.round(timings.faces),
      writing: Math.round(written - started - timings.pages - timings.faces),
      storing: Math.round(performance.now() - written),
    };
    await withService(deps.pool, async (c) => {
      await recordExportArchive(c, ex.id, { key, size, sha256 });
      await completeJob(c, jobId, {
        exportId: ex.id,
        key,
        size,
        sha256,
        parts,
        files,
        unrepresented: unrepresented.length,
        ms,
        timings: where,
      });
    });
    deps.log(
      `export ${ex.id} (${ex.format}): ${parts} parts, ${files} files, ${size} bytes in ${ms} ms ${JSON.stringify(where)}`,
    );
  } catch (e) {
    const message = (e as Error).message ?? String(e);
    const last = e instanceof ExportFailure || job.attempts >= job.maxAttempts;
    await withService(deps.pool, (c) =>
      last
        ? failExportJob(
            c,
            jobId,
            e instanceof ExportFailure ? message : `the export failed after ${job.attempts} attempts: ${message}`,
          )
        : requeueJob(c, jobId, message),
    ).catch(() => {});
    if (!last) throw e; // the runner retries
    deps.log(`export ${ex.id}: failed: ${message}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A failure no retry can mend (the export fails at once with this message). */
export class ExportFailure extends Error {}

/** A stored file the export cannot go on without: one that is gone fails the export at once, saying which. */
async function readNeeded(store: BlobStore, key: string, what: string): Promise<Buffer> {
  const bytes = await readIfStored(store, key);
  if (bytes) return bytes;
  throw new ExportFailure(
    `${what} is missing from storage: restore it from a backup (facet verify lists every missing file)`,
  );
}

/** The job system gave up on an export job outside the handler: it fails with that reason unless it ended. */
export async function failUnfinishedExport(pool: Pool, rawPayload: unknown, reason: string): Promise<void> {
  const { jobId } = jobRunSchema.parse(rawPayload);
  await withService(pool, (c) => failUnfinishedExportJob(c, jobId, reason));
}
