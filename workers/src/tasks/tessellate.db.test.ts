import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { blobKey, JOB_KINDS } from "@facet/core";
import { createTestDatabase, createWorkspaceWithRoles, type TestDatabase } from "@facet/db/testing";
import { readGlb } from "@facet/geometry";
import { CORPUS } from "@facet/geometry/testing";
import { FsBlobStore } from "@facet/storage";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { InProcessGeometry } from "../geometry/engine";
import { GeometryRunner } from "../geometry/runner";
import { FILE_DAMAGED, FILE_MISSING, failUnfinishedJob, tessellatePart } from "./tessellate";
import { queuedTessellation, uploadedPart } from "./testing";

const _sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** A STEP file with a valid header and a million entities that make no solid. */
function millionEntities(): Buffer {
  const lines = [
    "ISO-10303-21;",
    "HEADER;",
    "FILE_DESCRIPTION((''),'2;1');",
    "FILE_NAME('big','',(''),(''),'','','');",
    "FILE_SCHEMA(('AUTOMOTIVE_DESIGN'));",
    "ENDSEC;",
    "DATA;",
  ];
  for (let i = 1; i <= 1_000_000; i++) lines.push(`#${i}=CARTESIAN_POINT('',(${i}.,0.,0.));`);
  lines.push("ENDSEC;", "END-ISO-10303-21;");
  return Buffer.from(lines.join("\n"));
}

describe(`${JOB_KINDS.tessellate} (real database, filesystem store, OpenCascade process)`, () => {
  let db: TestDatabase;
  let root: string;
  let store: FsBlobStore;
  let runner: GeometryRunner;
  let ws: Awaited<ReturnType<typeof createWorkspaceWithRoles>>;
  const log = () => {};

  /** What an upload leaves: the verified blob, the part and its queued job. */
  const uploaded = (name: string, bytes: Buffer) =>
    uploadedPart(db.owner, store, { workspaceId: ws.workspaceId, datasetId: ws.datasetId, name, bytes });

  const state = async (partId: string) =>
    (
      await db.owner.query<{ status: string; failure_reason: string | null; geometry_id: string | null }>(
        "select status, failure_reason, geometry_id from parts where id = $1",
        [partId],
      )
    ).rows[0];

  beforeAll(async () => {
    db = await createTestDatabase(inject("pgBaseUrl"));
    root = await mkdtemp(path.join(os.tmpdir(), "facet-geometry-job-"));
    store = new FsBlobStore({ root, baseUrl: "http://localhost:3999", secret: "s".repeat(40) });
    runner = new GeometryRunner({ timeoutMs: 60_000, memoryBytes: 2.5 * 1024 ** 3 });
    ws = await createWorkspaceWithRoles(db.owner, "geometry");
  });
  afterAll(async () => {
    runner.stop();
    await db.drop();
    await rm(root, { recursive: true, force: true });
  });

  it("turns an uploaded part into a face-indexed mesh and moves it to unannotated; a rerun writes nothing new", async () => {
    const bytes = await readFile(path.join(CORPUS, "nist-pmi/nist_ctc_01_asme1_rd.stp"));
    const { partId, jobId, hash } = await uploaded("ctc01.stp", bytes);
    await tessellatePart({ pool: db.owner, store, runner, log }, { jobId });
    const part = await state(partId);
    expect(part).toMatchObject({ status: "unannotated", failure_reason: null });
    const geo = await db.owner.query("select * from part_geometry where blob_sha256 = $1", [hash]);
    expect(geo.rows).toHaveLength(1);
    const g = geo.rows[0];
    expect(part?.geometry_id).toBe(g.id);
    const glb = Buffer.concat((await collect(await store.get(g.mesh_key))) as Buffer[]);
    const mesh = readGlb(glb);
    expect(mesh.indices.length / 3).toBe(g.triangle_count);
    expect(new Set(mesh.faceIds).size).toBe(g.face_count);
    const job = await db.owner.query("select status, attempts, progress from jobs where id = $1", [jobId]);
    expect(job.rows[0]).toEqual({ status: "completed", attempts: 1, progress: 1 });

    // the same job again, and a new job for the same bytes: no second set of outputs
    await tessellatePart({ pool: db.owner, store, runner, log }, { jobId });
    const again = await queuedTessellation(db.owner, ws.workspaceId, partId);
    await tessellatePart({ pool: db.owner, store, runner, log }, { jobId: again });
    expect(
      (await db.owner.query("select count(*)::int as n from part_geometry where blob_sha256 = $1", [hash])).rows[0].n,
    ).toBe(1);
    const objects = await collect(store.list(`derived/geometry/${hash}/`));
    expect(objects.map((o) => path.basename(o.key)).sort()).toEqual(["faces.json", "mesh.glb", "thumbnail.png"]);
  }, 120_000);

  it("writes its files again when gc deleted identical ones between its check and its row (the row then names them)", async () => {
    const bytes = await readFile(path.join(CORPUS, "mfcad/0-5-5-6-8-23.step"));
    const { partId, jobId, hash } = await uploaded("gc-race.step", bytes);
    await tessellatePart({ pool: db.owner, store, runner, log }, { jobId });
    // the geometry row goes (its files stay: identical bytes the next tessellation keeps, not rewrites)
    await db.owner.query("delete from part_geometry where blob_sha256 = $1", [hash]);
    const folder = async () => (await collect(store.list(`derived/geometry/${hash}/`))).map((o) => o.key).sort();
    const files = await folder();
    expect(files).toHaveLength(3);
    // facet gc deletes the unnamed files right after the tessellation found them identical (its last
    // check is the thumbnail's), before the tessellation's row names them
    let struck = false;
    const racing = new Proxy(store, {
      get(target, prop) {
        if (prop === "head")
          return async (key: string) => {
            const found = await target.head(key);
            if (!struck && key.endsWith("/thumbnail.png")) {
              struck = true;
              for (const f of files) await target.delete(f);
            }
            return found;
          };
        const v = Reflect.get(target, prop, target);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
    const again = await queuedTessellation(db.owner, ws.workspaceId, partId);
    await tessellatePart({ pool: db.owner, store: racing, runner, log }, { jobId: again });
    expect(struck).toBe(true);
    const g = await db.owner.query(
      "select mesh_key, faces_key, thumbnail_key from part_geometry where blob_sha256 = $1",
      [hash],
    );
    expect(g.rows).toHaveLength(1);
    for (const key of Object.values(g.rows[0] as Record<string, string>))
      expect(await store.head(key), key).not.toBeNull();
    expect(await folder()).toEqual(files);
  }, 120_000);

  it("fails garbage and hostile files with a reason, and keeps serving other jobs", async () => {
    const good = await readFile(path.join(CORPUS, "mfcad/0-0-0-0-0-23.step"));
    const noise = Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 2654435761) & 0xff));
    const header = Buffer.from(
      "ISO-10303-21;\nHEADER;\nFILE_DESCRIPTION((''),'2;1');\nFILE_NAME('','',(''),(''),'','','');\nFILE_SCHEMA(('AUTOMOTIVE_DESIGN'));\nENDSEC;\nDATA;\nENDSEC;\nEND-ISO-10303-21;\n",
    );
    const cases: Array<[string, Buffer, RegExp]> = [
      ["truncated.step", good.subarray(0, Math.floor(good.length / 2)), /read as STEP|no geometry|no faces|no solid/],
      ["noise.step", Buffer.concat([Buffer.from("ISO-10303-21;\n"), noise]), /read as STEP|no geometry|no faces/],
      ["empty-data.step", header, /no geometry|no faces|read as STEP/],
      ["million.step", millionEntities(), /no geometry|no faces|no solid|gave up|memory/],
    ];
    for (const [name, bytes, reason] of cases) {
      const { partId, jobId } = await uploaded(name, bytes);
      await tessellatePart({ pool: db.owner, store, runner, log }, { jobId });
      const part = await state(partId);
      expect(part?.status, name).toBe("failed");
      expect(part?.failure_reason, name).toMatch(reason);
      const job = await db.owner.query("select status, error from jobs where id = $1", [jobId]);
      expect(job.rows[0].status, name).toBe("failed");
    }
    const { partId } = await uploaded("good.step", good).then(async (u) => {
      await tessellatePart({ pool: db.owner, store, runner, log }, { jobId: u.jobId });
      return u;
    });
    expect((await state(partId))?.status).toBe("unannotated");
  }, 300_000);

  it("fails a part whose file is gone from storage at once, saying so: trying again would not bring it back", async () => {
    const bytes = await readFile(path.join(CORPUS, "mfcad/0-0-0-0-0-23.step"));
    const { partId, jobId } = await uploaded("lost.step", Buffer.concat([bytes, Buffer.from("\n/* lost */\n")]));
    const { rows } = await db.owner.query<{ sha256: string }>("select blob_sha256 as sha256 from parts where id = $1", [
      partId,
    ]);
    await store.delete(blobKey(rows[0]?.sha256 as string));
    // the first attempt ends the job (it resolves: graphile-worker has nothing to retry)
    await tessellatePart({ pool: db.owner, store, runner, log }, { jobId });
    const part = await state(partId);
    expect(part?.status).toBe("failed");
    expect(part?.failure_reason).toBe(FILE_MISSING);
    const job = await db.owner.query("select status from jobs where id = $1", [jobId]);
    expect(job.rows[0].status).toBe("failed");
  });

  it("sets a damaged stored file aside, out of its content address, and fails its part saying so", async () => {
    const good = Buffer.concat([
      await readFile(path.join(CORPUS, "mfcad/0-0-0-0-0-23.step")),
      Buffer.from("\n/* damaged */\n"),
    ]);
    const { partId, jobId, hash } = await uploaded("damaged.step", good);
    const key = blobKey(hash);
    // the disk now holds other bytes under the content address (a flipped bit, a bad copy)
    const other = Buffer.from(good);
    other[100] = (other[100] as number) ^ 1;
    await store.delete(key);
    await store.put(key, Readable.from([other]), { size: other.length, sha256: _sha(other) });
    await tessellatePart({ pool: db.owner, store, runner, log }, { jobId });
    const part = await state(partId);
    expect(part?.status).toBe("failed");
    expect(part?.failure_reason).toBe(FILE_DAMAGED);
    // out of its content address (an upload of the right bytes stores them there again: see
    // ingest.db.test.ts), kept aside to look at
    expect(await store.head(key)).toBeNull();
    const aside = await collect(store.list(`quarantine/sha256/${hash}/`));
    expect(aside).toHaveLength(1);
    expect((await store.read((aside[0] as { key: string }).key)).equals(other)).toBe(true);
  });

  it("kills a file that runs out of time or memory, says so, and the next file is served by a fresh process", async () => {
    const big = await readFile(path.join(CORPUS, "nist-pmi/nist_ftc_06_asme1_ap242-e1.stp"));
    const small = await readFile(path.join(CORPUS, "mfcad/0-1-2-3-19.step"));
    const slow = new GeometryRunner({ timeoutMs: 300, memoryBytes: 8 * 1024 ** 3 });
    // Node and the optimized kernel alone take about 350 MB: a 200 MB ceiling is a runaway file for certain
    const hungry = new GeometryRunner({ timeoutMs: 120_000, memoryBytes: 200 * 1024 ** 2 });
    try {
      const t = await uploaded("timeout.stp", big);
      await tessellatePart({ pool: db.owner, store, runner: slow, log }, { jobId: t.jobId });
      expect((await state(t.partId))?.failure_reason).toMatch(/gave up after/);

      const m = await uploaded("hungry.stp", Buffer.concat([big, Buffer.from("\n")]));
      await tessellatePart({ pool: db.owner, store, runner: hungry, log }, { jobId: m.jobId });
      expect((await state(m.partId))?.failure_reason).toMatch(/ran out of memory at \d+\.\d GB/);

      // the runner that killed its process serves the next job, in a fresh process
      hungry.limits.memoryBytes = 8 * 1024 ** 3;
      const next = await uploaded("after.step", small);
      await tessellatePart({ pool: db.owner, store, runner: hungry, log }, { jobId: next.jobId });
      expect(await state(next.partId)).toMatchObject({ status: "unannotated", failure_reason: null });
    } finally {
      slow.stop();
      hungry.stop();
    }
  }, 300_000);

  it("runs the Trigger.dev way (OpenCascade in-process, the job records its runner) with the same outputs", async () => {
    const bytes = await readFile(path.join(CORPUS, "mfcad/0-1-2-3-19.step"));
    const local = await uploaded("local.step", bytes);
    await tessellatePart({ pool: db.owner, store, runner, log }, { jobId: local.jobId });
    const localGeometry = (await db.owner.query("select * from part_geometry where blob_sha256 = $1", [local.hash]))
      .rows[0];
    await db.owner.query("delete from part_geometry where blob_sha256 = $1", [local.hash]);

    const jobId = await queuedTessellation(db.owner, ws.workspaceId, local.partId);
    await tessellatePart(
      { pool: db.owner, store, runner: new InProcessGeometry(), runnerName: "trigger.dev", log },
      { jobId },
    );
    const job = await db.owner.query("select status, runner from jobs where id = $1", [jobId]);
    expect(job.rows[0]).toEqual({ status: "completed", runner: "trigger.dev" });
    const inProcess = (await db.owner.query("select * from part_geometry where blob_sha256 = $1", [local.hash]))
      .rows[0];
    // the same content-addressed outputs, whichever job system made them
    expect(inProcess).toMatchObject({
      mesh_key: localGeometry.mesh_key,
      faces_key: localGeometry.faces_key,
      face_signature: localGeometry.face_signature,
      face_count: localGeometry.face_count,
    });
  }, 120_000);

  it("fails a job the job system gave up on (machine out of memory), unless it already ended", async () => {
    const bytes = await readFile(path.join(CORPUS, "mfcad/0-0-0-0-0-23.step"));
    const { partId, jobId } = await uploaded("oom.step", Buffer.concat([bytes, Buffer.from("\n\n")]));
    await db.owner.query("update jobs set status = 'running', attempts = 3 where id = $1", [jobId]);
    await db.owner.query("update parts set status = 'processing' where id = $1", [partId]);
    await failUnfinishedJob(db.owner, { jobId }, "processing stopped: the machine ran out of memory");
    expect(await state(partId)).toMatchObject({
      status: "failed",
      failure_reason: "processing stopped: the machine ran out of memory",
    });
    // a completed job stays completed
    const done = await uploaded("done.step", bytes);
    await tessellatePart({ pool: db.owner, store, runner, log }, { jobId: done.jobId });
    await failUnfinishedJob(db.owner, { jobId: done.jobId }, "late failure");
    expect((await state(done.partId))?.status).toBe("unannotated");
    await expect(failUnfinishedJob(db.owner, { jobId: "not-a-uuid" }, "x")).rejects.toThrow();
  }, 120_000);
});
