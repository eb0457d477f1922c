import { createHash } from "node:crypto";
import {
  compareSnapshotParts,
  type SnapshotManifest,
  snapshotChecksumText,
  snapshotManifestKey,
  snapshotManifestSchema,
} from "@facet/core";
import { checkSnapshotInDatabase, type Pool, snapshotManifest, withService } from "@facet/db";
import type { BlobStore } from "@facet/storage";

/** What drifted in one snapshot, named part by part (`database:` or `manifest:` first). */
export interface SnapshotDrift {
  snapshotId: string;
  workspaceId: string;
  name: string;
  problems: string[];
}

/**
 * One snapshot checked as the service (any workspace): the checksum the database froze against the
 * one its pinned rows give now, the pinned revisions' documents, and the manifest in storage against
 * the database part by part. Stored files are not looked up here: the installation check reads every
 * blob anyway. Null when nothing drifted.
 */
export async function checkSnapshot(
  pool: Pool,
  store: BlobStore,
  s: { id: string; workspaceId: string; name: string },
): Promise<SnapshotDrift | null> {
  const { inDb, db } = await withService(pool, async (c) => ({
    inDb: await snapshotManifest(c, s.workspaceId, s.id),
    db: await checkSnapshotInDatabase(c, s.workspaceId, s.id),
  }));
  const problems: string[] = [];
  if (db.recomputed !== db.stored)
    problems.push(`database: the pinned rows give checksum ${db.recomputed}, not the ${db.stored} frozen`);
  if (db.partCount.rows !== db.partCount.stored)
    problems.push(`database: ${db.partCount.rows} parts pinned, not the ${db.partCount.stored} frozen`);
  for (const d of db.revisionDrift)
    problems.push(`database: part "${d.name}" (${d.partId}): its pinned revision ${d.now ? "changed" : "is gone"}`);

  const key = snapshotManifestKey(s.id);
  let stored: SnapshotManifest | null = null;
  if (!(await store.head(key))) problems.push(`manifest: missing from storage (${key})`);
  else {
    try {
      stored = snapshotManifestSchema.parse(JSON.parse((await store.read(key)).toString("utf8")));
    } catch (e) {
      problems.push(`manifest: unreadable (${(e as Error).message.slice(0, 200)})`);
    }
  }
  if (stored) problems.push(...manifestProblems(stored, inDb, db.stored));
  return problems.length === 0 ? null : { snapshotId: s.id, workspaceId: s.workspaceId, name: s.name, problems };
}

/** A stored manifest against the database's rows and frozen checksum. */
function manifestProblems(stored: SnapshotManifest, inDb: SnapshotManifest, frozen: string): string[] {
  const out: string[] = [];
  const own = createHash("sha256").update(snapshotChecksumText(stored.parts)).digest("hex");
  if (stored.checksum !== frozen)
    out.push(`manifest: checksum ${stored.checksum} differs from the database's ${frozen}`);
  if (own !== stored.checksum)
    out.push(`manifest: its parts give checksum ${own}, not the ${stored.checksum} it states`);
  if (stored.snapshot.id !== inDb.snapshot.id || stored.snapshot.workspaceId !== inDb.snapshot.workspaceId)
    out.push("manifest: it names another snapshot or workspace");
  const cmp = compareSnapshotParts(stored.parts, inDb.parts);
  for (const p of cmp.missingFromDatabase) out.push(`manifest: part "${p.name}" (${p.partId}) is not in the database`);
  for (const p of cmp.missingFromManifest) out.push(`manifest: part "${p.name}" (${p.partId}) is missing`);
  for (const d of cmp.differing) {
    const fields = d.fields.map((f) => `${f.field} ${String(f.manifest)} ≠ ${String(f.database)}`);
    out.push(`manifest: part "${d.name}" (${d.partId}): ${fields.join(", ")}`);
  }
  return out;
}
