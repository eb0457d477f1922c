/**
 * Learned pre-labelers' model files (`models/<sha256>`, issue 20) in `facet gc` and `facet verify`,
 * against a real database and filesystem store: gc never deletes one (even old, even one no row names
 * any more: trainings are recorded after their file is stored), and verify re-hashes every file a
 * model row names and reports one that is missing or changed.
 */
import { createHash } from "node:crypto";
import { mkdtemp, rm, utimes } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { modelKey } from "@facet/core";
import { createTestDatabase, createWorkspaceWithRoles, type TestDatabase } from "@facet/db/testing";
import { FsBlobStore } from "@facet/storage";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { collectGarbage } from "./gc";
import { verifyInstallation } from "./verify";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("model files in gc and verify", () => {
  let db: TestDatabase;
  let root: string;
  let store: FsBlobStore;
  let ws: Awaited<ReturnType<typeof createWorkspaceWithRoles>>;
  const named = Buffer.from("a model file, named by a model row");
  const orphan = Buffer.from("a model file no row names");

  beforeAll(async () => {
    db = await createTestDatabase(inject("pgBaseUrl"));
    root = await mkdtemp(path.join(os.tmpdir(), "facet-models-"));
    store = new FsBlobStore({ root, baseUrl: "http://localhost:3999", secret: "s".repeat(40) });
    ws = await createWorkspaceWithRoles(db.owner, "models");
    const old = new Date(Date.now() - 30 * 24 * 3_600_000);
    for (const body of [named, orphan]) {
      await store.put(modelKey(sha(body)), Readable.from([body]), { size: body.length, sha256: sha(body) });
      await utimes(path.join(root, modelKey(sha(body))), old, old);
    }
    await db.owner.query(
      `insert into public.prelabel_models (workspace_id, dataset_id, version, status, reason, model_sha256, size_bytes)
       values ($1, $2, 1, 'promoted', 'manual', $3, $4)`,
      [ws.workspaceId, ws.datasetId, sha(named), named.length],
    );
  });
  afterAll(async () => {
    await db.drop();
    await rm(root, { recursive: true, force: true });
  });

  it("gc finds no garbage among model files and deletes none", async () => {
    const report = await collectGarbage({ pool: db.owner, store, dryRun: false });
    expect(report.found.filter((g) => g.keys.some((k) => k.startsWith("models/")))).toEqual([]);
    for (const body of [named, orphan]) expect(await store.head(modelKey(sha(body)))).not.toBeNull();
  });

  it("verify checks the file a model row names, and reports it changed or missing", async () => {
    const clean = await verifyInstallation({ db: db.owner, store });
    expect(clean.artefacts.drifts.filter((d) => d.kind === "model")).toEqual([]);
    expect(clean.ok).toBe(true);

    const other = Buffer.from("a model file, named by a model row, but changed");
    await store.delete(modelKey(sha(named)));
    await store.put(modelKey(sha(named)), Readable.from([other]), { size: other.length, sha256: sha(other) });
    const changed = await verifyInstallation({ db: db.owner, store });
    expect(changed.ok).toBe(false);
    expect(changed.artefacts.drifts).toEqual([
      expect.objectContaining({
        kind: "model",
        problem: "mismatched",
        key: modelKey(sha(named)),
        actualSha256: sha(other),
      }),
    ]);

    await store.delete(modelKey(sha(named)));
    const missing = await verifyInstallation({ db: db.owner, store });
    expect(missing.artefacts.drifts).toEqual([
      expect.objectContaining({ kind: "model", problem: "missing", key: modelKey(sha(named)) }),
    ]);
  });
});
