import { AppError, blobKey } from "@facet/core";
import type { Pool, PoolClient } from "../pool";
import { withService } from "../session";

/**
 * What `facet gc` asks the database: which stored objects nothing refers to any more, and the
 * deletion of a blob under a lock that no ingest can slip past (workers/src/ops/gc.ts walks the
 * store and calls these). Everything here is instance-wide: one blob serves many workspaces.
 */

/**
 * The advisory lock (on the facet database) that keeps gc and backup apart: a backup holds it shared
 * for its whole run (it copies blobs after the database's stop point, and gc must not delete any
 * of them meanwhile); each gc deletion takes it exclusively for its own transaction, or gives up.
 */
export const STORAGE_GC_LOCK = "7227304163592110671";

/** Hours an object must have existed before gc may delete it (uploads and jobs in flight are younger). */
export const GC_MIN_AGE_HOURS = 24;

/** The refused deletion when a backup runs: the caller stops and says so. */
export class BackupRunningError extends AppError {
  constructor() {
    super("CONFLICT", "a backup is running: gc deletes nothing until it ends (run it again afterwards)");
  }
}

/** The gc lock for this transaction, or BackupRunningError. */
async function takeGcLock(c: PoolClient): Promise<void> {
  const { rows } = await c.query<{ ok: boolean }>("select pg_try_advisory_xact_lock($1::bigint) as ok", [
    STORAGE_GC_LOCK,
  ]);
  if (!rows[0]?.ok) throw new BackupRunningError();
}

/** Referenced by: a part, a revision (any, even of a deleted part's history), a snapshot, a live job. */
const BLOB_UNREFERENCED = `
  not exists (select 1 from public.parts p where p.blob_sha256 = s.sha)
  and not exists (select 1 from public.annotation_revisions r where r.blob_sha256 = s.sha)
  and not exists (select 1 from public.snapshot_parts sp where sp.blob_sha256 = s.sha)
  and not exists (select 1 from public.jobs j where j.status in ('queued', 'running') and j.payload ->> 'sha256' = s.sha)`;

/**
 * Of these stored blobs, those nothing refers to and whose row (if any) is older than `minAgeHours`
 * (the object's own age is the caller's to check: a rename keeps an upload's time).
 */
export async function unreferencedBlobs(c: PoolClient, hashes: string[], minAgeHours: number): Promise<Set<string>> {
  if (hashes.length === 0) return new Set();
  const { rows } = await c.query<{ sha: string }>(
    `select s.sha from unnest($1::text[]) s(sha)
     where ${BLOB_UNREFERENCED}
       and not exists (select 1 from public.blobs b
                       where b.sha256 = s.sha and b.created_at > now() - make_interval(hours => $2))`,
    [hashes, minAgeHours],
  );
  return new Set(rows.map((r) => r.sha));
}

/**
 * Of these derived folders (`derived/geometry/<sha>/<tessellator>/<params>`), those no part_geometry
 * row names a file in, whose blob no live tessellation job is working on.
 */
export async function unreferencedDerivedFolders(
  c: PoolClient,
  folders: Array<{ folder: string; sha256: string }>,
): Promise<Set<string>> {
  if (folders.length === 0) return new Set();
  const { rows } = await c.query<{ folder: string }>(
    `select f.folder from unnest($1::text[], $2::text[]) f(folder, sha)
     where not exists (
             select 1 from public.part_geometry g
             where g.blob_sha256 = f.sha
               and (starts_with(g.mesh_key, f.folder || '/') or starts_with(g.faces_key, f.folder || '/')
                    or starts_with(coalesce(g.thumbnail_key, ''), f.folder || '/')))
       and not exists (
             select 1 from public.jobs j join public.parts p on p.id = j.part_id
             where j.status in ('queued', 'running') and p.blob_sha256 = f.sha)`,
    [folders.map((f) => f.folder), folders.map((f) => f.sha256)],
  );
  return new Set(rows.map((r) => r.folder));
}

/** Of these snapshot ids, those with no snapshot row (their manifests are left over). */
export async function missingSnapshots(c: PoolClient, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await c.query<{ id: string }>(
    "select s.id::text from unnest($1::uuid[]) s(id) where not exists (select 1 from public.snapshots x where x.id = s.id)",
    [ids],
  );
  return new Set(rows.map((r) => r.id));
}

/** Of these export ids, those with no export row (their archives are left over). */
export async function missingExports(c: PoolClient, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await c.query<{ id: string }>(
    `select s.id::text from unnest($1::uuid[]) s(id)
     where not exists (select 1 from public.snapshot_exports x where x.id = s.id)`,
    [ids],
  );
  return new Set(rows.map((r) => r.id));
}

/**
 * Delete one blob if nothing refers to it, inside one transaction that holds its row: the row is
 * claimed first (inserted when the object has none, so a concurrent ingest of the same bytes waits
 * on it), references are checked again under the lock, `deleteObjects` removes the stored files, and
 * the row goes (its part_geometry and workspace proofs with it, by cascade). An ingest that waited
 * then finds no row and no object, and stores the upload it holds; one that committed first made a
 * reference, and the blob stays. Returns whether it was deleted.
 */
export async function collectBlob(
  pool: Pool,
  sha256: string,
  minAgeHours: number,
  deleteObjects: () => Promise<void>,
): Promise<boolean> {
  return withService(pool, async (c) => {
    await takeGcLock(c);
    const claimed = await c.query(
      `insert into public.blobs (sha256, size, storage_key, verified_at) values ($1, 1, $2, null)
       on conflict (sha256) do nothing`,
      [sha256, blobKey(sha256)],
    );
    const { rows } = await c.query<{ young: boolean }>(
      `select b.created_at > now() - make_interval(hours => $2) as young
       from public.blobs b where b.sha256 = $1 for update`,
      [sha256, minAgeHours],
    );
    // a row this transaction made is as old as the object (checked by the caller)
    if (!rows[0] || (claimed.rowCount === 0 && rows[0].young)) return false;
    const free = await c.query(`select 1 from (select $1::text as sha) s where ${BLOB_UNREFERENCED}`, [sha256]);
    if (free.rowCount === 0) {
      if (claimed.rowCount === 1) await c.query("delete from public.blobs where sha256 = $1", [sha256]);
      return false;
    }
    await deleteObjects();
    await c.query("delete from public.blobs where sha256 = $1", [sha256]);
    return true;
  });
}

/**
 * Delete a derived folder of a blob if no part_geometry row names a file in it, holding the blob's
 * row: a tessellation that records geometry for the folder meanwhile (its row's key check waits on
 * the lock) finds its files gone and writes them again (workers/src/tasks/tessellate.ts). Returns
 * whether it was deleted.
 */
export async function collectDerivedFolder(
  pool: Pool,
  folder: { folder: string; sha256: string },
  deleteObjects: () => Promise<void>,
): Promise<boolean> {
  return withService(pool, async (c) => {
    await takeGcLock(c);
    await c.query("select 1 from public.blobs where sha256 = $1 for update", [folder.sha256]);
    if ((await unreferencedDerivedFolders(c, [folder])).size === 0) return false;
    await deleteObjects();
    return true;
  });
}

/** Delete objects no row can come to name again (a gone snapshot's manifest, a gone export's archive). */
export async function collectUnowned(pool: Pool, deleteObjects: () => Promise<void>): Promise<void> {
  await withService(pool, async (c) => {
    await takeGcLock(c);
    await deleteObjects();
  });
}

/** Take the gc lock shared for this session (a backup): gc deletes nothing until it is released. */
export async function holdStorageForBackup(c: { query: PoolClient["query"] }): Promise<void> {
  await c.query("select pg_advisory_lock_shared($1::bigint)", [STORAGE_GC_LOCK]);
}
