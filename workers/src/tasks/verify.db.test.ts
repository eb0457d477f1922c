import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, unlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { blobKey, snapshotManifestKey } from "@facet/core";
import { lastVerifyRun, lastVerifySummary, snapshotManifest, verifyHealth, withService, withUser } from "@facet/db";
import { createTestDatabase, createWorkspaceWithRoles, type TestDatabase } from "@facet/db/testing";
import { CORPUS } from "@facet/geometry/testing";
import { recordVerification, type VerifyProgress, verifyInstallation } from "@facet/ops";
import { FsBlobStore } from "@facet/storage";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { InProcessGeometry } from "../geometry/engine";
import { tessellatePart } from "./tessellate";
import { uploadedPart } from "./testing";

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const FILES = ["mfcad/0-0-0-0-0-23.step", "mfcad/0-1-2-3-19.step", "mfcad/6-9-9-19.step"];

describe("verifyInstallation (real database, filesystem store, corpus parts)", () => {
  let db: TestDatabase;
  let root: string;
  let store: FsBlobStore;
  let ws: Awaited<ReturnType<typeof createWorkspaceWithRoles>>;
  let snapshotId: string;
  const hashes: string[] = [];
  const geometry = new InProcessGeometry();
  const verify = (sample?: number) => verifyInstallation({ db: db.owner, store, ...(sample ? { sample } : {}) });
  const file = (key: string) => path.join(root, key);

  /** Change the owner's rows of an immutable table for a moment (as a restore gone wrong would). */
  async function tamper(sql: string, params: unknown[]): Promise<void> {
    const c = await db.owner.connect();
    try {
      await c.query("set session_replication_role = replica");
      await c.query(sql, params);
    } finally {
      await c.query("reset session_replication_role");
      c.release();
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase(inject("pgBaseUrl"));
    root = await mkdtemp(path.join(os.tmpdir(), "facet-verify-"));
    store = new FsBlobStore({ root, baseUrl: "http://localhost:3999", secret: "s".repeat(40) });
    ws = await createWorkspaceWithRoles(db.owner, "verify");
    for (const f of FILES) {
      const up = await uploadedPart(db.owner, store, {
        workspaceId: ws.workspaceId,
        datasetId: ws.datasetId,
        name: path.basename(f),
        bytes: await readFile(path.join(CORPUS, f)),
      });
      await tessellatePart(
        { pool: db.owner, store, runner: geometry, runnerName: "trigger.dev", log: () => {} },
        { jobId: up.jobId },
      );
      await db.owner.query(
        `insert into annotation_revisions (part_id, label_schema_id, face_signature, document, source)
         select p.id, $2, g.face_signature,
                jsonb_build_object('schemaVersion', 1, 'faceSignature', g.face_signature, 'faceCount', g.face_count,
                  'labels', to_jsonb(array_fill(null::text, array[g.face_count])), 'instances', '[]'::jsonb),
                'import'
         from parts p join part_geometry g on g.id = p.geometry_id where p.id = $1`,
        [up.partId, ws.labelSchemaId],
      );
      hashes.push(up.hash);
    }
    snapshotId = await withUser(db.owner, ws.users.ml_engineer.claims, async (c) => {
      const { rows } = await c.query<{ id: string }>("select public.freeze_snapshot($1, 'v1') as id", [ws.datasetId]);
      return rows[0]?.id as string;
    });
    expect((await db.owner.query("select part_count from snapshots where id = $1", [snapshotId])).rows[0]).toEqual({
      part_count: 3,
    });
    // the manifest beside it, as freezing through the API writes it
    const manifest = await withService(db.owner, (c) => snapshotManifest(c, ws.workspaceId, snapshotId));
    const bytes = Buffer.from(`${JSON.stringify(manifest, null, 1)}\n`);
    await store.put(snapshotManifestKey(snapshotId), Readable.from([bytes]), {
      size: bytes.length,
      sha256: sha(bytes),
    });
  }, 300_000);
  afterAll(async () => {
    await db.drop();
    await rm(root, { recursive: true, force: true });
  });

  it("finds nothing wrong in a clean installation, and reads every blob, artefact and snapshot", async () => {
    const phases: VerifyProgress[] = [];
    const r = await verifyInstallation({ db: db.owner, store, onProgress: (p) => phases.push(p) });
    expect(r.ok, JSON.stringify(r, null, 1)).toBe(true);
    expect(r.blobs).toMatchObject({ total: 3, checked: 3, mismatched: 0, missing: 0, drifts: [] });
    // mesh, faces file and thumbnail of each part, each compared with the hash the store recorded
    expect(r.artefacts).toMatchObject({ total: 9, checked: 9, hashed: 9, mismatched: 0, missing: 0 });
    expect(r.blobs.bytes).toBe(
      (await Promise.all(FILES.map((f) => readFile(path.join(CORPUS, f))))).reduce((n, b) => n + b.length, 0),
    );
    expect(r.snapshots).toEqual({ total: 1, checked: 1, drifted: [] });
    expect(phases.at(-1)).toEqual({ phase: "snapshots", done: 1, total: 1 });
    expect(phases.filter((p) => p.phase === "blobs").at(-1)).toEqual({ phase: "blobs", done: 3, total: 3 });
  });

  it("reports a blob with one byte flipped as mismatched: its key, the hash it should have and the one it has", async () => {
    const key = blobKey(hashes[1] as string);
    const original = await readFile(file(key));
    const flipped = Buffer.from(original);
    flipped[100] = (flipped[100] as number) ^ 0x01;
    await writeFile(file(key), flipped);
    try {
      const r = await verify();
      expect(r.ok).toBe(false);
      expect(r.blobs.mismatched).toBe(1);
      expect(r.blobs.drifts).toEqual([
        expect.objectContaining({
          problem: "mismatched",
          key,
          expectedSha256: hashes[1],
          actualSha256: sha(flipped),
          expectedSize: original.length,
          actualSize: original.length,
        }),
      ]);
      // the snapshot's rows and manifest still agree: only the file drifted
      expect(r.snapshots.drifted).toEqual([]);
    } finally {
      await writeFile(file(key), original);
    }
    expect((await verify()).ok).toBe(true);
  });

  it("reports a deleted mesh as missing, and a damaged faces file as mismatched", async () => {
    const g = (
      await db.owner.query<{ id: string; mesh_key: string; faces_key: string }>(
        "select id, mesh_key, faces_key from part_geometry where blob_sha256 = $1",
        [hashes[0]],
      )
    ).rows[0] as { id: string; mesh_key: string; faces_key: string };
    const mesh = await readFile(file(g.mesh_key));
    const faces = await readFile(file(g.faces_key));
    await unlink(file(g.mesh_key));
    await writeFile(file(g.faces_key), faces.subarray(0, faces.length - 10));
    try {
      const r = await verify();
      expect(r.ok).toBe(false);
      expect(r.artefacts).toMatchObject({ missing: 1, mismatched: 1 });
      const byProblem = Object.fromEntries(r.artefacts.drifts.map((d) => [d.problem, d]));
      expect(byProblem.missing).toMatchObject({ key: g.mesh_key, kind: "mesh", ownerId: g.id, actualSha256: null });
      expect(byProblem.mismatched).toMatchObject({ key: g.faces_key, kind: "faces", expectedSha256: sha(faces) });
      expect(byProblem.mismatched?.detail).toMatch(/not JSON/);
      expect(r.blobs.drifts).toEqual([]);
    } finally {
      await store.put(g.mesh_key, Readable.from([mesh]), { size: mesh.length, sha256: sha(mesh) });
      await writeFile(file(g.faces_key), faces);
    }
    expect((await verify()).ok).toBe(true);
  });

  it("reports a snapshot whose pinned row was changed (database and manifest disagree)", async () => {
    const row = (
      await db.owner.query<{ part_id: string; split: string | null }>(
        "select part_id, split from snapshot_parts where snapshot_id = $1 order by part_id limit 1",
        [snapshotId],
      )
    ).rows[0] as { part_id: string; split: string | null };
    await tamper("update snapshot_parts set split = 'test' where snapshot_id = $1 and part_id = $2", [
      snapshotId,
      row.part_id,
    ]);
    try {
      const r = await verify();
      expect(r.ok).toBe(false);
      expect(r.snapshots.drifted).toHaveLength(1);
      const d = r.snapshots.drifted[0];
      expect(d).toMatchObject({ snapshotId, workspaceId: ws.workspaceId, name: "v1" });
      expect(d?.problems.some((p) => p.startsWith("database: the pinned rows give checksum"))).toBe(true);
      expect(d?.problems.some((p) => p.includes(row.part_id) && p.includes("split"))).toBe(true);
      expect(r.blobs.drifts).toEqual([]);
    } finally {
      await tamper("update snapshot_parts set split = $3 where snapshot_id = $1 and part_id = $2", [
        snapshotId,
        row.part_id,
        row.split,
      ]);
    }
    expect((await verify()).ok).toBe(true);
  });

  it("reports a snapshot whose manifest in storage was edited (a pinned field) or removed", async () => {
    const key = snapshotManifestKey(snapshotId);
    const original = await readFile(file(key));
    const edited = JSON.parse(original.toString("utf8"));
    // a pinned field the checksum does not cover: only the part-by-part comparison sees it
    edited.parts[0].faceCount += 1;
    const bytes = Buffer.from(JSON.stringify(edited));
    await store.delete(key);
    await store.put(key, Readable.from([bytes]), { size: bytes.length, sha256: sha(bytes) });
    try {
      const r = await verify();
      expect(r.ok).toBe(false);
      expect(r.snapshots.drifted[0]?.problems).toEqual([
        `manifest: part "${edited.parts[0].name}" (${edited.parts[0].partId}): faceCount ${edited.parts[0].faceCount} ≠ ${edited.parts[0].faceCount - 1}`,
      ]);
      await store.delete(key);
      expect((await verify()).snapshots.drifted[0]?.problems).toEqual([`manifest: missing from storage (${key})`]);
    } finally {
      await store.put(key, Readable.from([original]), { size: original.length, sha256: sha(original) });
    }
    expect((await verify()).ok).toBe(true);
  });

  it("--sample N checks at most N blobs and N artefacts, chosen at random, and every snapshot", async () => {
    for (let i = 0; i < 3; i++) {
      const r = await verify(2);
      expect(r).toMatchObject({ ok: true, sample: 2 });
      expect(r.blobs).toMatchObject({ total: 3, checked: 2 });
      expect(r.artefacts).toMatchObject({ total: 9, checked: 2 });
      expect(r.snapshots.checked).toBe(1);
    }
    expect((await verify(100)).blobs.checked).toBe(3);
    await expect(verify(0.5)).rejects.toThrow(/positive integer/);
  });

  it("records runs: the operator's details privately, a summary for the workspace's admins only", async () => {
    expect(await lastVerifyRun(db.owner)).toBeNull();
    expect(await verifyHealth(db.owner)).toEqual({ status: "never", lastRun: null });
    const key = blobKey(hashes[2] as string);
    const original = await readFile(file(key));
    await unlink(file(key));
    try {
      await recordVerification(db.owner, await verify(), "cli");
    } finally {
      await writeFile(file(key), original);
    }
    const last = await lastVerifyRun(db.owner);
    expect(last).toMatchObject({ ok: false, trigger: "cli", blobsChecked: 3, artefactsChecked: 9, drift: 1 });
    expect((await verifyHealth(db.owner)).status).toBe("drift");
    const details = await db.owner.query("select report from private.verify_runs");
    expect(JSON.stringify(details.rows[0].report)).toContain(key);

    const asAdmin = await withUser(db.owner, ws.users.admin.claims, (c) => lastVerifySummary(c, ws.workspaceId));
    expect(asAdmin).toMatchObject({ ok: false, blobsChecked: 3, snapshotsChecked: 1, drift: 1 });
    expect(Object.keys(asAdmin ?? {}).sort()).toEqual(
      ["artefactsChecked", "blobsChecked", "drift", "finishedAt", "ok", "sample", "snapshotsChecked", "trigger"].sort(),
    );
    for (const role of ["engineer", "annotator", "viewer"] as const)
      expect(await withUser(db.owner, ws.users[role].claims, (c) => lastVerifySummary(c, ws.workspaceId))).toBeNull();
    // nobody but the service reads the table itself
    await expect(
      withUser(db.owner, ws.users.admin.claims, (c) => c.query("select * from private.verify_runs")),
    ).rejects.toThrow(/permission denied/);

    await recordVerification(db.owner, await verify(), "schedule");
    expect(await lastVerifyRun(db.owner)).toMatchObject({ ok: true, trigger: "schedule", drift: 0 });
    expect((await verifyHealth(db.owner)).status).toBe("ok");
  });
});
