import { createHash } from "node:crypto";
import {
  type SnapshotManifest,
  snapshotChecksumText,
  snapshotDatabaseProblems,
  snapshotManifestKey,
  snapshotManifestProblems,
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
  const problems = snapshotDatabaseProblems(db);

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
  if (stored) {
    const own = createHash("sha256").update(snapshotChecksumText(stored.parts)).digest("hex");
    problems.push(...snapshotManifestProblems(stored, own, inDb, db.stored));
  }
  return problems.length === 0 ? null : { snapshotId: s.id, workspaceId: s.workspaceId, name: s.name, problems };
}
