import { blobKey, classifyStorageKey } from "@facet/core";
import {
  BackupRunningError,
  collectBlob,
  collectDerivedFolder,
  collectUnowned,
  GC_MIN_AGE_HOURS,
  missingExports,
  missingSnapshots,
  type Pool,
  unreferencedBlobs,
  unreferencedDerivedFolders,
  withService,
} from "@facet/db";
import type { BlobStore } from "@facet/storage";

/**
 * `facet gc`: the stored objects nothing refers to any more — blobs of discarded parts that no
 * other part, revision, snapshot or live job uses, derived files no geometry row names, manifests
 * and archives of snapshots and exports that are gone — listed with their size and, unless it is a
 * dry run, deleted. Nothing younger than a day is touched (uploads, jobs and exports in flight are),
 * and each deletion re-checks its references under a lock an ingest of the same bytes waits on
 * (packages/db/src/ops/gc.ts). Uploads being staged are housekeeping's (deleted after a day).
 */

export type GarbageKind = "blob" | "derived" | "snapshot" | "export";

export interface Garbage {
  kind: GarbageKind;
  /** The objects (a blob with its derived folders, or one folder's files). */
  keys: string[];
  bytes: number;
  /** The blob, derived folder, snapshot or export it belonged to. */
  of: string;
}

export interface GcReport {
  dryRun: boolean;
  /** What was found unreferenced and old enough; with `dryRun`, what would be deleted. */
  found: Garbage[];
  deleted: { objects: number; bytes: number };
  /** Found, then referenced again (or newly made) by the time it was to be deleted: kept. */
  keptRaced: number;
  /** Objects left alone for being younger than the minimum age. */
  young: number;
  scanned: number;
  durationMs: number;
}

export interface GcProgress {
  phase: "scan" | "delete";
  done: number;
  total: number;
}

export interface GcOptions {
  pool: Pool;
  store: BlobStore;
  dryRun: boolean;
  minAgeHours?: number;
  now?: () => Date;
  onProgress?: (p: GcProgress) => void;
  /** Test seam: runs after the scan, before anything is deleted (an upload completing then, say). */
  beforeDelete?: (found: Garbage[]) => Promise<void>;
}

const BATCH = 500;

interface Listed {
  key: string;
  size: number;
  lastModified: Date;
}

async function* batches<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** Group objects by an owner (a blob's hash, a folder, an id), keeping only owners whose every object is old. */
function groupOld(objects: Array<Listed & { owner: string }>, cutoff: number, young: { n: number }) {
  const groups = new Map<string, { keys: string[]; bytes: number; old: boolean }>();
  for (const o of objects) {
    const g = groups.get(o.owner) ?? { keys: [], bytes: 0, old: true };
    g.keys.push(o.key);
    g.bytes += o.size;
    if (o.lastModified.getTime() > cutoff) {
      g.old = false;
      young.n++;
    }
    groups.set(o.owner, g);
  }
  return groups;
}

export async function collectGarbage(o: GcOptions): Promise<GcReport> {
  const started = performance.now();
  const minAge = o.minAgeHours ?? GC_MIN_AGE_HOURS;
  const cutoff = (o.now?.() ?? new Date()).getTime() - minAge * 3_600_000;
  const young = { n: 0 };
  let scanned = 0;
  const found: Garbage[] = [];
  const progress = (phase: GcProgress["phase"], done: number, total: number) => o.onProgress?.({ phase, done, total });

  // blobs, a batch of hashes at a time
  for await (const batch of batches(o.store.list("blobs/sha256/"), BATCH)) {
    scanned += batch.length;
    const objects = batch.flatMap((b) => {
      const c = classifyStorageKey(b.key);
      return c.kind === "blob" ? [{ ...b, owner: c.sha256 }] : [];
    });
    const groups = groupOld(objects, cutoff, young);
    const old = [...groups].filter(([, g]) => g.old).map(([sha]) => sha);
    const free = await withService(o.pool, (c) => unreferencedBlobs(c, old, minAge));
    for (const sha of free) {
      const g = groups.get(sha) as { keys: string[]; bytes: number };
      found.push({ kind: "blob", keys: g.keys, bytes: g.bytes, of: sha });
    }
    progress("scan", scanned, 0);
  }

  // derived folders: a free blob's go with it; others when no geometry row names a file in them
  const blobGarbage = new Map(found.map((g) => [g.of, g]));
  const derived: Array<Listed & { owner: string; sha256: string }> = [];
  for await (const d of o.store.list("derived/geometry/")) {
    scanned++;
    const c = classifyStorageKey(d.key);
    if (c.kind !== "derived") continue;
    const ofBlob = blobGarbage.get(c.sha256);
    if (ofBlob) {
      ofBlob.keys.push(d.key);
      ofBlob.bytes += d.size;
    } else derived.push({ ...d, owner: c.folder, sha256: c.sha256 });
  }
  const derivedGroups = groupOld(derived, cutoff, young);
  const shaOf = new Map(derived.map((d) => [d.owner, d.sha256]));
  const candidates = [...derivedGroups]
    .filter(([, g]) => g.old)
    .map(([folder]) => ({ folder, sha256: shaOf.get(folder) as string }));
  for (let i = 0; i < candidates.length; i += BATCH) {
    const slice = candidates.slice(i, i + BATCH);
    const free = await withService(o.pool, (c) => unreferencedDerivedFolders(c, slice));
    for (const f of slice) {
      if (!free.has(f.folder)) continue;
      const g = derivedGroups.get(f.folder) as { keys: string[]; bytes: number };
      found.push({ kind: "derived", keys: g.keys, bytes: g.bytes, of: f.folder });
    }
  }

  // snapshot manifests and export archives whose rows are gone
  for (const [kind, prefix, missing] of [
    ["snapshot", "snapshots/", missingSnapshots],
    ["export", "exports/", missingExports],
  ] as const) {
    const objects: Array<Listed & { owner: string }> = [];
    for await (const x of o.store.list(prefix)) {
      scanned++;
      const c = classifyStorageKey(x.key);
      if (c.kind === kind) objects.push({ ...x, owner: c.id });
    }
    const groups = groupOld(objects, cutoff, young);
    const old = [...groups].filter(([, g]) => g.old).map(([id]) => id);
    const gone = await withService(o.pool, (c) => missing(c, old));
    for (const id of gone) {
      const g = groups.get(id) as { keys: string[]; bytes: number };
      found.push({ kind, keys: g.keys, bytes: g.bytes, of: id });
    }
  }

  const report: GcReport = {
    dryRun: o.dryRun,
    found,
    deleted: { objects: 0, bytes: 0 },
    keptRaced: 0,
    young: young.n,
    scanned,
    durationMs: 0,
  };
  if (!o.dryRun) {
    await o.beforeDelete?.(found);
    const remove = (g: Garbage) => async () => {
      for (const key of g.keys) await o.store.delete(key);
    };
    let done = 0;
    for (const g of found) {
      let deleted: boolean;
      if (g.kind === "blob") {
        deleted = await collectBlob(o.pool, g.of, minAge, async () => {
          // what was derived from it, listed again under the lock (a tessellation may have added some)
          const keys: string[] = [];
          for await (const d of o.store.list(`derived/geometry/${g.of}/`)) keys.push(d.key);
          for (const key of keys) await o.store.delete(key);
          await o.store.delete(blobKey(g.of));
        });
      } else if (g.kind === "derived") {
        deleted = await collectDerivedFolder(o.pool, { folder: g.of, sha256: g.of.split("/")[2] as string }, remove(g));
      } else {
        await collectUnowned(o.pool, remove(g));
        deleted = true;
      }
      if (deleted) {
        report.deleted.objects += g.keys.length;
        report.deleted.bytes += g.bytes;
      } else report.keptRaced++;
      progress("delete", ++done, found.length);
    }
  }
  report.durationMs = Math.round(performance.now() - started);
  return report;
}

export { BackupRunningError };
