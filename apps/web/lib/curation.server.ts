import "server-only";
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import {
  AppError,
  blobKey,
  type SnapshotManifest,
  type SnapshotVerifyReport,
  snapshotChecksumText,
  snapshotDatabaseProblems,
  snapshotManifestKey,
  snapshotManifestProblems,
  snapshotManifestSchema,
} from "@facet/core";
import { checkSnapshotInDatabase, type PoolClient, snapshotManifest, snapshotParts } from "@facet/db";
import type { BlobStore } from "@facet/storage";

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

/** Write a snapshot's manifest beside it in storage (idempotent: the same bytes under the same key). */
export async function writeManifest(store: BlobStore, manifest: SnapshotManifest): Promise<void> {
  const bytes = Buffer.from(`${JSON.stringify(manifest, null, 1)}\n`);
  const key = snapshotManifestKey(manifest.snapshot.id);
  const digest = sha256(bytes);
  if ((await store.head(key))?.sha256 === digest) return;
  await store.put(key, Readable.from([bytes]), { size: bytes.byteLength, sha256: digest });
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export async function readManifest(store: BlobStore, snapshotId: string): Promise<SnapshotManifest | null> {
  const key = snapshotManifestKey(snapshotId);
  if (!(await store.head(key))) return null;
  return snapshotManifestSchema.parse(JSON.parse((await readAll(await store.get(key))).toString("utf8")));
}

/** What verifying answers (the type lives in core: the CLI and the page read it too). */
export type VerifyReport = SnapshotVerifyReport;

type Run = <T>(fn: (c: PoolClient) => Promise<T>) => Promise<T>;

/**
 * Do the database, the manifest in storage and the stored files agree? The database's checksum is
 * recomputed from the pinned revisions as they are now; the manifest's from its own lines; every
 * part's file is looked up (and, deep, read back and hashed).
 */
export async function verifySnapshot(
  run: Run,
  store: BlobStore,
  workspaceId: string,
  ref: string,
  options: { deep: boolean },
): Promise<VerifyReport> {
  const manifestInDb = await run((c) => snapshotManifest(c, workspaceId, ref));
  const id = manifestInDb.snapshot.id;
  const db = await run((c) => checkSnapshotInDatabase(c, workspaceId, id));
  const problems = snapshotDatabaseProblems(db);

  let manifest: SnapshotManifest | null = null;
  try {
    manifest = await readManifest(store, id);
  } catch (e) {
    problems.push(`manifest: unreadable (${(e as Error).message.slice(0, 200)})`);
  }
  let manifestSum: string | null = null;
  if (!manifest && !problems.some((p) => p.startsWith("manifest:")))
    problems.push(`manifest: missing from storage (${snapshotManifestKey(id)})`);
  if (manifest) {
    manifestSum = sha256(snapshotChecksumText(manifest.parts));
    problems.push(...snapshotManifestProblems(manifest, manifestSum, manifestInDb, db.stored));
  }

  const blobs = { checked: 0, missing: 0, damaged: 0, deep: options.deep };
  const seen = new Set<string>();
  let after: string | null = null;
  for (;;) {
    const page = await run((c) => snapshotParts(c, { workspaceId, snapshotId: id, after, limit: 1000 }));
    if (page.length === 0) break;
    after = page.at(-1)?.partId ?? null;
    const todo = page.filter((p) => !seen.has(p.blobSha256));
    for (const p of todo) seen.add(p.blobSha256);
    await mapLimited(todo, 8, async (p) => {
      blobs.checked += 1;
      const key = blobKey(p.blobSha256);
      const head = await store.head(key);
      if (!head) {
        blobs.missing += 1;
        problems.push(`file: part "${p.name}" (${p.blobSha256}) is missing from storage`);
        return;
      }
      let actual = head.sha256;
      if (options.deep) {
        const hash = createHash("sha256");
        for await (const chunk of await store.get(key)) hash.update(chunk as Buffer);
        actual = hash.digest("hex");
      }
      if (actual !== undefined && actual !== p.blobSha256) {
        blobs.damaged += 1;
        problems.push(`file: part "${p.name}" (${p.blobSha256}) is damaged: its bytes hash to ${actual}`);
      }
    });
  }
  return {
    ok: problems.length === 0,
    problems,
    checks: {
      database: { checksum: db.stored, recomputed: db.recomputed, parts: db.partCount.rows },
      manifest: { present: manifest !== null, checksum: manifest?.checksum ?? null, recomputed: manifestSum },
      blobs,
    },
  };
}

async function mapLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

/** An export as the API gives it: with the address of its download once it is finished. */
export function exportWithDownload<E extends { id: string; status: string }>(workspace: string, e: E) {
  return {
    ...e,
    downloadUrl:
      e.status === "completed" ? `/api/workspaces/${encodeURIComponent(workspace)}/exports/${e.id}/download` : null,
  };
}

/** Refuse a request about a snapshot the manifest of which cannot be found (for downloads). */
export function needManifest(m: SnapshotManifest | null, ref: string): SnapshotManifest {
  if (!m) throw new AppError("NOT_FOUND", `the manifest of snapshot "${ref}" is not in storage: run verify`);
  return m;
}
