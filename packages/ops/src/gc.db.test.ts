/**
 * `facet gc` against a real database and a real filesystem store: what it finds, what it keeps
 * (referenced, young, or referenced again while it runs), what it deletes, and that it stands aside
 * while a backup runs.
 */
import { createHash, randomUUID } from "node:crypto";
import { mkdtemp, rm, utimes } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { blobKey } from "@facet/core";
import { freezeSnapshot, holdStorageForBackup, recordIngestedPart, withUser } from "@facet/db";
import { createTestDatabase, createWorkspaceWithRoles, labelCompletely, type TestDatabase } from "@facet/db/testing";
import { FsBlobStore } from "@facet/storage";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { BackupRunningError, collectGarbage, type Garbage } from "./gc";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const HOUR = 3_600_000;
const OLD = 48 * HOUR;

describe("facet gc (real database, filesystem store)", () => {
  let db: TestDatabase;
  let root: string;
  let store: FsBlobStore;
  let ws: Awaited<ReturnType<typeof createWorkspaceWithRoles>>;
  let n = 0;

  beforeAll(async () => {
    db = await createTestDatabase(inject("pgBaseUrl"));
    root = await mkdtemp(path.join(os.tmpdir(), "facet-gc-"));
    store = new FsBlobStore({ root, baseUrl: "http://localhost:3999", secret: "s".repeat(40) });
    ws = await createWorkspaceWithRoles(db.owner, "gc");
  });
  afterAll(async () => {
    await db.drop();
    await rm(root, { recursive: true, force: true });
  });

  /** Store an object `ageMs` old. */
  const putObject = async (key: string, body: Buffer, ageMs: number) => {
    await store.put(key, Readable.from([body]), { size: body.length, sha256: sha(body) });
    const when = new Date(Date.now() - ageMs);
    await utimes(path.join(root, key), when, when);
  };

  /** A stored blob (object and row, both `ageMs` old unless the row's age is given), optionally with a part. */
  const blob = async (opts: { ageMs: number; rowAgeMs?: number | null; part?: boolean }) => {
    const bytes = Buffer.from(`ISO-10303-21; blob ${n++} ${randomUUID()}`);
    const hash = sha(bytes);
    await putObject(blobKey(hash), bytes, opts.ageMs);
    if (opts.rowAgeMs !== null)
      await db.owner.query(
        `insert into public.blobs (sha256, size, storage_key, verified_at, created_at)
         values ($1, $2, $3, now(), now() - make_interval(secs => $4 / 1000.0))`,
        [hash, bytes.length, blobKey(hash), opts.rowAgeMs ?? opts.ageMs],
      );
    let partId: string | null = null;
    if (opts.part) {
      const { rows } = await db.owner.query<{ id: string }>(
        "insert into public.parts (workspace_id, dataset_id, blob_sha256, name) values ($1, $2, $3, $4) returning id",
        [ws.workspaceId, ws.datasetId, hash, `p${n}.step`],
      );
      partId = (rows[0] as { id: string }).id;
    }
    return { hash, bytes, partId };
  };

  /** A derived folder of a blob with its three files, `ageMs` old; recorded as geometry when `recorded`. */
  const derived = async (hash: string, params: string, ageMs: number, recorded: boolean) => {
    const folder = `derived/geometry/${hash}/occt-test/${params}`;
    for (const f of ["mesh.glb", "faces.json", "thumbnail.png"])
      await putObject(`${folder}/${f}`, Buffer.from(`${folder}/${f}`), ageMs);
    if (recorded)
      await db.owner.query(
        `insert into public.part_geometry (blob_sha256, tessellator_version, params_hash, params, mesh_key, faces_key,
           thumbnail_key, face_count, triangle_count, face_signature, area, bbox)
         values ($1, 'occt-test', $2, '{}', $3 || '/mesh.glb', $3 || '/faces.json', $3 || '/thumbnail.png', 2, 8, $2, 1, '{}')`,
        [hash, params, folder],
      );
    return folder;
  };

  const exists = async (key: string) => (await store.head(key)) !== null;
  const keysOf = (found: Garbage[], kind: Garbage["kind"]) =>
    found
      .filter((g) => g.kind === kind)
      .map((g) => g.of)
      .sort();

  it("finds what nothing refers to, keeps the rest, deletes only without --dry-run", async () => {
    // referenced: a part's blob and its recorded geometry
    const kept = await blob({ ageMs: OLD, part: true });
    const keptGeometry = await derived(kept.hash, "p1", OLD, true);
    // garbage: the blob of a discarded part, with its (recorded) geometry
    const discarded = await blob({ ageMs: OLD, part: true });
    const discardedGeometry = await derived(discarded.hash, "p1", OLD, true);
    await db.owner.query("delete from public.parts where id = $1", [discarded.partId]);
    // garbage: an object no row knows (a failed ingest)
    const stray = await blob({ ageMs: OLD, rowAgeMs: null });
    // young: a fresh unreferenced object; an old object whose row is fresh (a rename keeps an upload's time)
    const fresh = await blob({ ageMs: HOUR });
    const renamed = await blob({ ageMs: OLD, rowAgeMs: HOUR });
    // a live job names it
    const queued = await blob({ ageMs: OLD });
    await db.owner.query(
      "insert into public.jobs (workspace_id, kind, payload, status) values ($1, 'geometry:tessellate', $2, 'queued')",
      [ws.workspaceId, JSON.stringify({ sha256: queued.hash })],
    );
    // derived files of a kept blob that no geometry row names (a failed tessellation), old and young
    const orphanGeometry = await derived(kept.hash, "p2", OLD, false);
    const youngGeometry = await derived(kept.hash, "p3", HOUR, false);
    // a snapshot's manifest (kept) and one of a snapshot that is gone; an archive of a gone export
    await labelCompletely(db.owner, kept.partId as string, { authorId: ws.users.annotator.id });
    const snapshot = await withUser(
      db.owner,
      ws.users.ml_engineer.claims,
      (c) => freezeSnapshot(c, { workspaceId: ws.workspaceId, datasetId: ws.datasetId, name: "gc-kept" }),
      { workspaceId: ws.workspaceId },
    );
    await putObject(`snapshots/${snapshot.id}/manifest.json`, Buffer.from("{}"), OLD);
    const goneSnapshot = randomUUID();
    await putObject(`snapshots/${goneSnapshot}/manifest.json`, Buffer.from("{}"), OLD);
    const goneExport = randomUUID();
    await putObject(`exports/${goneExport}/parquet.zip`, Buffer.from("PK"), OLD);

    const dry = await collectGarbage({ pool: db.owner, store, dryRun: true });
    expect(keysOf(dry.found, "blob")).toEqual([discarded.hash, stray.hash].sort());
    expect(keysOf(dry.found, "derived")).toEqual([orphanGeometry]);
    expect(keysOf(dry.found, "snapshot")).toEqual([goneSnapshot]);
    expect(keysOf(dry.found, "export")).toEqual([goneExport]);
    // a blob's derived files are counted with it
    const discardedEntry = dry.found.find((g) => g.of === discarded.hash) as Garbage;
    expect(discardedEntry.keys).toHaveLength(4);
    expect(discardedEntry.bytes).toBe(
      discarded.bytes.length +
        (
          await Promise.all(
            ["mesh.glb", "faces.json", "thumbnail.png"].map(
              async (f) => (await store.head(`${discardedGeometry}/${f}`))?.size ?? 0,
            ),
          )
        ).reduce((a, b) => a + b, 0),
    );
    expect(dry.young).toBe(1 + 3); // the fresh blob, the young folder's three files
    expect(dry.deleted).toEqual({ objects: 0, bytes: 0 });
    for (const g of dry.found) for (const key of g.keys) expect(await exists(key), key).toBe(true);

    const real = await collectGarbage({ pool: db.owner, store, dryRun: false });
    expect(real.found.map((g) => g.of).sort()).toEqual(dry.found.map((g) => g.of).sort());
    expect(real.deleted.objects).toBe(dry.found.reduce((a, g) => a + g.keys.length, 0));
    expect(real.deleted.bytes).toBe(dry.found.reduce((a, g) => a + g.bytes, 0));
    expect(real.keptRaced).toBe(0);
    for (const g of dry.found) for (const key of g.keys) expect(await exists(key), key).toBe(false);
    const rows = await db.owner.query<{ sha256: string }>("select sha256 from public.blobs where sha256 = any ($1)", [
      [discarded.hash, stray.hash],
    ]);
    expect(rows.rows).toEqual([]);
    expect(
      (await db.owner.query("select 1 from public.part_geometry where blob_sha256 = $1", [discarded.hash])).rowCount,
    ).toBe(0);
    // everything else is still there
    for (const key of [
      blobKey(kept.hash),
      `${keptGeometry}/mesh.glb`,
      `${youngGeometry}/faces.json`,
      blobKey(fresh.hash),
      blobKey(renamed.hash),
      blobKey(queued.hash),
      `snapshots/${snapshot.id}/manifest.json`,
    ])
      expect(await exists(key), key).toBe(true);

    // a second run finds nothing more
    const again = await collectGarbage({ pool: db.owner, store, dryRun: false });
    expect(again.found).toEqual([]);
  });

  it("keeps a blob an upload records while gc runs: the deletion waits on the ingest and then sees its part", async () => {
    const orphan = await blob({ ageMs: OLD, part: true });
    await db.owner.query("delete from public.parts where id = $1", [orphan.partId]);
    let ingest: Promise<void> | null = null;
    const report = await collectGarbage({
      pool: db.owner,
      store,
      dryRun: false,
      beforeDelete: async (found) => {
        expect(found.map((g) => g.of)).toContain(orphan.hash);
        // the same bytes are uploaded again now: the ingest's transaction writes the blob's row and the
        // part (as apps/web/lib/ingest does) and commits a moment later, while gc wants to delete
        let recorded!: () => void;
        const written = new Promise<void>((r) => {
          recorded = r;
        });
        ingest = withUser(
          db.owner,
          ws.users.engineer.claims,
          async (c) => {
            await recordIngestedPart(c, {
              workspaceId: ws.workspaceId,
              datasetId: ws.datasetId,
              userId: ws.users.engineer.id,
              sha256: orphan.hash,
              size: orphan.bytes.length,
              name: "again.step",
            });
            recorded();
            await new Promise((r) => setTimeout(r, 500)); // gc reaches the blob's row meanwhile, and waits
          },
          { workspaceId: ws.workspaceId },
        ).then(() => {});
        await written;
      },
    });
    await ingest;
    expect(report.keptRaced).toBe(1);
    expect(await exists(blobKey(orphan.hash))).toBe(true);
    expect((await db.owner.query("select 1 from public.parts where blob_sha256 = $1", [orphan.hash])).rowCount).toBe(1);
  });

  it("deletes nothing while a backup holds the store", async () => {
    const orphan = await blob({ ageMs: OLD, rowAgeMs: null });
    const backup = await db.owner.connect();
    try {
      await holdStorageForBackup(backup);
      await expect(collectGarbage({ pool: db.owner, store, dryRun: false })).rejects.toBeInstanceOf(BackupRunningError);
      expect(await exists(blobKey(orphan.hash))).toBe(true);
      // a dry run only reads: it still reports
      const dry = await collectGarbage({ pool: db.owner, store, dryRun: true });
      expect(dry.found.map((g) => g.of)).toContain(orphan.hash);
    } finally {
      await backup.query("select pg_advisory_unlock_all()");
      backup.release();
    }
    const after = await collectGarbage({ pool: db.owner, store, dryRun: false });
    expect(after.found.map((g) => g.of)).toEqual([orphan.hash]);
    expect(await exists(blobKey(orphan.hash))).toBe(false);
  });
});
