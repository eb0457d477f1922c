import { createHash } from "node:crypto";
import {
  allSnapshots,
  type DerivedArtefact,
  derivedArtefactsPage,
  type Pool,
  recordVerifyRun,
  type StoredBlob,
  sampleDerivedArtefacts,
  sampleStoredBlobs,
  storedBlobsPage,
  verifyTotals,
} from "@facet/db";
import type { BlobStore } from "@facet/storage";
import { checkSnapshot, type SnapshotDrift } from "./verify-snapshot";

export type { SnapshotDrift } from "./verify-snapshot";

/** An object that is not what the database says it is. */
export interface ObjectDrift {
  problem: "missing" | "mismatched";
  key: string;
  /** `blob` (a part's content) or the artefact's kind. */
  kind: "blob" | DerivedArtefact["kind"];
  /** The row naming it: the blob's hash, or the part_geometry / snapshot_exports id. */
  ownerId: string;
  /** The SHA-256 it should have (recorded in the database, or by the store when it was written), if known. */
  expectedSha256: string | null;
  /** What its bytes hash to now; null when missing or not hashed. */
  actualSha256: string | null;
  expectedSize: number | null;
  actualSize: number | null;
  detail: string;
}

interface ObjectCounts {
  /** How many there are in all (a sample checks fewer). */
  total: number;
  checked: number;
  /** Bytes read and hashed. */
  bytes: number;
  mismatched: number;
  missing: number;
  /** Each drift (the first LISTED_DRIFTS of them; the counts above count all). */
  drifts: ObjectDrift[];
}

export interface VerifyReport {
  ok: boolean;
  startedAt: string;
  durationMs: number;
  /** At most this many blobs and this many artefacts were checked, chosen at random; null: all of them. */
  sample: number | null;
  blobs: ObjectCounts;
  artefacts: ObjectCounts & {
    /** Of those checked, how many were compared with a recorded SHA-256 (the rest: presence, size, parse). */
    hashed: number;
  };
  snapshots: { total: number; checked: number; drifted: SnapshotDrift[] };
}

export interface VerifyProgress {
  phase: "blobs" | "artefacts" | "snapshots";
  done: number;
  total: number;
}

export interface VerifyOptions {
  /** A pool on the application database; every query runs as the service role. */
  db: Pool;
  store: BlobStore;
  /** Check at most N random blobs and N random artefacts (snapshots are always all checked). */
  sample?: number;
  onProgress?: (p: VerifyProgress) => void;
  /** Objects read at once (default 4). */
  concurrency?: number;
}

const PAGE = 500;
/** Drifts listed per kind in a report (all are counted). */
export const LISTED_DRIFTS = 1000;

/**
 * Re-hash every stored blob and derived artefact and check every snapshot of every workspace:
 * - a blob's bytes must hash to its address and have its recorded size (streamed, never held whole);
 * - a part_geometry mesh, faces file and thumbnail must exist; part_geometry records no hash of them,
 *   so each is compared with the SHA-256 the store recorded when it was written (the filesystem store's
 *   sidecar, an S3 object's checksum) where the store has one, and a faces file must parse and match
 *   its row's face count and signature; an export archive must hash to its recorded hash and size;
 * - a snapshot's rows must still give its frozen checksum and its manifest in storage must agree.
 * Nothing is changed. The report lists what drifted; `ok` is false when anything did.
 */
export async function verifyInstallation(o: VerifyOptions): Promise<VerifyReport> {
  const started = Date.now();
  const sample = o.sample ?? null;
  if (sample !== null && (!Number.isSafeInteger(sample) || sample < 1))
    throw new RangeError(`sample must be a positive integer, got ${sample}`);
  const limit = o.concurrency ?? 4;
  const totals = await verifyTotals(o.db);
  const progress = (phase: VerifyProgress["phase"], total: number) => {
    let done = 0;
    o.onProgress?.({ phase, done, total });
    return () => o.onProgress?.({ phase, done: ++done, total });
  };

  /** Every object of a kind (or a random sample), `limit` at a time, with progress. */
  const checkAll = async <T>(
    phase: "blobs" | "artefacts",
    total: number,
    pages: {
      all: (after: string | null) => Promise<T[]>;
      sample: (n: number) => Promise<T[]>;
      keyOf: (t: T) => string;
    },
    check: (item: T) => Promise<void>,
  ) => {
    const tick = progress(phase, sample === null ? total : Math.min(sample, total));
    let after: string | null = null;
    for (;;) {
      const items = sample === null ? await pages.all(after) : await pages.sample(sample);
      await mapLimited(items, limit, async (item) => {
        await check(item);
        tick();
      });
      if (sample !== null || items.length < PAGE) return;
      after = pages.keyOf(items.at(-1) as T);
    }
  };

  const blobs = emptyCounts(totals.blobs);
  await checkAll<StoredBlob>(
    "blobs",
    totals.blobs,
    {
      all: (after) => storedBlobsPage(o.db, after, PAGE),
      sample: (n) => sampleStoredBlobs(o.db, n),
      keyOf: (b) => b.sha256,
    },
    (b) => checkBlob(o.store, b, blobs),
  );
  const artefacts: VerifyReport["artefacts"] = { ...emptyCounts(totals.artefacts), hashed: 0 };
  await checkAll<DerivedArtefact>(
    "artefacts",
    totals.artefacts,
    {
      all: (after) => derivedArtefactsPage(o.db, after, PAGE),
      sample: (n) => sampleDerivedArtefacts(o.db, n),
      keyOf: (a) => a.key,
    },
    (a) => checkArtefact(o.store, a, artefacts),
  );

  const list = await allSnapshots(o.db);
  const snapshots = { total: list.length, checked: 0, drifted: [] as SnapshotDrift[] };
  const tickSnapshot = progress("snapshots", list.length);
  for (const s of list) {
    const drift = await checkSnapshot(o.db, o.store, s);
    snapshots.checked++;
    if (drift) snapshots.drifted.push(drift);
    tickSnapshot();
  }

  const ok = blobs.drifts.length + artefacts.drifts.length + snapshots.drifted.length === 0;
  return {
    ok,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    sample,
    blobs,
    artefacts,
    snapshots,
  };
}

/** One line: what was checked and what drifted. */
export function verifySummary(r: VerifyReport): string {
  const sampled = r.sample === null ? "" : ` (a sample of at most ${r.sample} each)`;
  return (
    `${r.blobs.checked} of ${r.blobs.total} blobs: ${r.blobs.mismatched} mismatched, ${r.blobs.missing} missing; ` +
    `${r.artefacts.checked} of ${r.artefacts.total} artefacts: ${r.artefacts.mismatched} mismatched, ` +
    `${r.artefacts.missing} missing${sampled}; ${r.snapshots.checked} snapshots: ${r.snapshots.drifted.length} drifted`
  );
}

/** Keep a run in the database: the instance's details for the operator, a summary for admins and health. */
export function recordVerification(db: Pool, r: VerifyReport, trigger: "cli" | "schedule"): Promise<string> {
  return recordVerifyRun(db, {
    trigger,
    startedAt: new Date(r.startedAt),
    sample: r.sample,
    ok: r.ok,
    blobs: r.blobs,
    artefacts: r.artefacts,
    snapshots: { checked: r.snapshots.checked, drifted: r.snapshots.drifted.length },
    durationMs: r.durationMs,
    report: r,
  });
}

async function mapLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

function emptyCounts(total: number): ObjectCounts {
  return { total, checked: 0, bytes: 0, mismatched: 0, missing: 0, drifts: [] };
}

function note(out: ObjectCounts, d: ObjectDrift): void {
  out[d.problem]++;
  if (out.drifts.length < LISTED_DRIFTS) out.drifts.push(d);
}

/** Read an object through its stream: its SHA-256 and length (and its bytes when `keep`, for small files). */
async function hashObject(
  store: BlobStore,
  key: string,
  keep: boolean,
): Promise<{ sha256: string; size: number; bytes?: Buffer }> {
  const hash = createHash("sha256");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of await store.get(key)) {
    const b = chunk as Buffer;
    hash.update(b);
    size += b.length;
    if (keep) chunks.push(b);
  }
  return { sha256: hash.digest("hex"), size, ...(keep ? { bytes: Buffer.concat(chunks) } : {}) };
}

async function checkBlob(store: BlobStore, b: StoredBlob, out: ObjectCounts): Promise<void> {
  out.checked++;
  const base = { key: b.storageKey, kind: "blob" as const, ownerId: b.sha256, expectedSha256: b.sha256 };
  const head = await store.head(b.storageKey);
  if (!head) {
    note(out, {
      ...base,
      problem: "missing",
      actualSha256: null,
      expectedSize: b.size,
      actualSize: null,
      detail: "missing from storage",
    });
    return;
  }
  const got = await hashObject(store, b.storageKey, false);
  out.bytes += got.size;
  if (got.sha256 !== b.sha256 || got.size !== b.size) {
    note(out, {
      ...base,
      problem: "mismatched",
      actualSha256: got.sha256,
      expectedSize: b.size,
      actualSize: got.size,
      detail:
        got.sha256 !== b.sha256
          ? `its bytes hash to ${got.sha256}`
          : `${got.size} bytes, the database recorded ${b.size}`,
    });
  }
}

async function checkArtefact(
  store: BlobStore,
  a: DerivedArtefact,
  out: ObjectCounts & { hashed: number },
): Promise<void> {
  out.checked++;
  const head = await store.head(a.key);
  const base = { key: a.key, kind: a.kind, ownerId: a.ownerId, expectedSize: a.size };
  if (!head) {
    note(out, {
      ...base,
      problem: "missing",
      expectedSha256: a.sha256,
      actualSha256: null,
      actualSize: null,
      detail: "missing from storage",
    });
    return;
  }
  // the database's hash (exports), else the one the store recorded when the object was written
  const expected = a.sha256 ?? head.sha256 ?? null;
  const got = await hashObject(store, a.key, a.kind === "faces");
  out.bytes += got.size;
  if (expected) out.hashed++;
  const problems: string[] = [];
  if (expected && got.sha256 !== expected)
    problems.push(
      a.sha256
        ? `its bytes hash to ${got.sha256}`
        : `its bytes hash to ${got.sha256}, not the ${expected} the store recorded when it was written`,
    );
  if (a.size !== null && got.size !== a.size) problems.push(`${got.size} bytes, the database recorded ${a.size}`);
  if (got.size === 0) problems.push("empty");
  if (a.kind === "faces" && got.bytes) problems.push(...facesProblems(got.bytes, a));
  if (problems.length > 0)
    note(out, {
      ...base,
      problem: "mismatched",
      expectedSha256: expected,
      actualSha256: got.sha256,
      actualSize: got.size,
      detail: problems.join("; "),
    });
}

/** A faces file must parse and describe the geometry its row records. */
function facesProblems(bytes: Buffer, a: DerivedArtefact): string[] {
  let doc: { faces?: unknown; faceCount?: unknown; signature?: unknown };
  try {
    doc = JSON.parse(bytes.toString("utf8")) as typeof doc;
  } catch (e) {
    return [`not JSON (${(e as Error).message.slice(0, 120)})`];
  }
  const out: string[] = [];
  if (!Array.isArray(doc.faces)) return ["no faces array"];
  if (a.faceCount !== null && doc.faces.length !== a.faceCount)
    out.push(`${doc.faces.length} faces, the geometry row records ${a.faceCount}`);
  if (a.faceSignature !== null && doc.signature !== a.faceSignature)
    out.push(`face signature ${String(doc.signature)}, the geometry row records ${a.faceSignature}`);
  return out;
}
