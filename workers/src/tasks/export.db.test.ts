/**
 * Snapshot exports end to end against a real PostgreSQL and the filesystem store: real corpus parts
 * uploaded and tessellated, labelled with their datasets' own labels, frozen into a snapshot by an
 * ML engineer, exported by the job handler, and the archive read back by independent readers.
 */
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
// the parser `facet import-labels --format mfcad` reads face_truth files with
import { type AnnotationDocument, blobKey, DEFAULT_TAXONOMY, labelsByStepName, readPickledIntList } from "@facet/core";
import { withUser } from "@facet/db";
import { createTestDatabase, createWorkspaceWithRoles, type TestDatabase } from "@facet/db/testing";
import type { FacesDocument } from "@facet/geometry";
import { CORPUS } from "@facet/geometry/testing";
import { FsBlobStore } from "@facet/storage";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { readMfinstseg } from "../export/mfinstseg";
import { aagnetDocument, aagnetTruth, duck, mfcadDocument } from "../export/testing";
import { InProcessGeometry } from "../geometry/engine";
import { exportArchiveKey, exportSnapshot } from "./export";
import { tessellatePart } from "./tessellate";
import { uploadedPart } from "./testing";

const MFCAD = DEFAULT_TAXONOMY.crosswalks.mfcad as NonNullable<typeof DEFAULT_TAXONOMY.crosswalks.mfcad>;
const MFCADPP = DEFAULT_TAXONOMY.crosswalks.mfcadpp as NonNullable<typeof DEFAULT_TAXONOMY.crosswalks.mfcadpp>;
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

interface Labelled {
  partId: string;
  name: string;
  hash: string;
  split: string;
  document: AnnotationDocument;
  faces: FacesDocument;
}

describe("curation:export (real database, filesystem store, corpus parts)", () => {
  let db: TestDatabase;
  let root: string;
  let store: FsBlobStore;
  let ws: Awaited<ReturnType<typeof createWorkspaceWithRoles>>;
  const geometry = new InProcessGeometry();
  const parts: Labelled[] = [];
  let snapshotId: string;
  const log = () => {};

  const FILES: Array<[string, string]> = [
    ["mfcad/0-0-0-0-0-23.step", "train"],
    ["mfcad/0-1-2-3-19.step", "train"],
    ["mfcad/1-11-14-19.step", "train"],
    ["mfcad/6-9-9-19.step", "val"],
    ["aagnet/dataset_test.step", "test"],
  ];

  async function readStored(key: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of await store.get(key)) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  const asMl = <T>(fn: Parameters<typeof withUser<T>>[2]) => withUser(db.owner, ws.users.ml_engineer.claims, fn);

  async function request(format: string, meshes = false) {
    return asMl(async (c) => {
      const { rows } = await c.query<{ export_id: string; job_id: string; started: boolean }>(
        "select * from public.request_export($1, $2, $3)",
        [snapshotId, format, meshes],
      );
      return rows[0] as { export_id: string; job_id: string; started: boolean };
    });
  }

  /** Request an export as the ML engineer, run its job, unpack the stored archive. */
  async function exported(format: string, meshes = false) {
    const req = await request(format, meshes);
    expect(req.started).toBe(true);
    const t0 = performance.now();
    await exportSnapshot({ pool: db.owner, store, geometry, log }, { jobId: req.job_id });
    const ms = performance.now() - t0;
    const row = (await db.owner.query("select * from snapshot_exports where id = $1", [req.export_id])).rows[0];
    const job = (await db.owner.query("select status, progress, error, result from jobs where id = $1", [req.job_id]))
      .rows[0];
    expect(job, JSON.stringify(job)).toMatchObject({ status: "completed", progress: 1, error: null });
    expect(row.archive_key).toBe(exportArchiveKey(req.export_id, format));
    const zip = await readStored(row.archive_key);
    expect(zip.length).toBe(Number(row.archive_size));
    expect(sha(zip)).toBe(row.archive_sha256);
    const dir = path.join(root, `out-${format}${meshes ? "-meshes" : ""}`);
    for (const [name, data] of Object.entries(unzipSync(new Uint8Array(zip)))) {
      await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
      await writeFile(path.join(dir, name), data);
    }
    return { req, row, job, dir, ms, zip };
  }

  beforeAll(async () => {
    db = await createTestDatabase(inject("pgBaseUrl"));
    root = await mkdtemp(path.join(os.tmpdir(), "facet-export-job-"));
    store = new FsBlobStore({
      root: path.join(root, "store"),
      baseUrl: "http://localhost:3999",
      secret: "s".repeat(40),
    });
    ws = await createWorkspaceWithRoles(db.owner, "export");
    const [, aag] = await aagnetTruth();
    for (const [file, split] of FILES) {
      const bytes = await readFile(path.join(CORPUS, file));
      const name = path.basename(file);
      const up = await uploadedPart(db.owner, store, {
        workspaceId: ws.workspaceId,
        datasetId: ws.datasetId,
        name,
        bytes,
      });
      await tessellatePart(
        { pool: db.owner, store, runner: geometry, runnerName: "trigger.dev", log },
        { jobId: up.jobId },
      );
      const g = (
        await db.owner.query<{ faces_key: string }>("select faces_key from part_geometry where blob_sha256 = $1", [
          up.hash,
        ])
      ).rows[0];
      const faces = JSON.parse((await readStored(g?.faces_key as string)).toString("utf8")) as FacesDocument;
      const document = file.startsWith("aagnet/")
        ? aagnetDocument(aag, faces)
        : await mfcadDocument(name.replace(/\.step$/, ""), faces);
      await db.owner.query(
        `insert into annotation_revisions (part_id, label_schema_id, face_signature, document, source)
         values ($1, $2, $3, $4, 'import')`,
        [up.partId, ws.labelSchemaId, faces.signature, JSON.stringify(document)],
      );
      await db.owner.query("update parts set split = $2 where id = $1", [up.partId, split]);
      parts.push({ partId: up.partId, name, hash: up.hash, split, document, faces });
    }
    snapshotId = await asMl(async (c) => {
      const { rows } = await c.query<{ id: string }>("select public.freeze_snapshot($1, 'corpus-v1') as id", [
        ws.datasetId,
      ]);
      return rows[0]?.id as string;
    });
  }, 300_000);
  afterAll(async () => {
    await db.drop();
    await rm(root, { recursive: true, force: true });
  });

  const folder = (split: string) => (split === "val" ? "validation" : split);

  it("exports Parquet that DuckDB reads: exactly the snapshot's parts and labels, per split", async () => {
    const { dir, ms, job } = await exported("parquet");
    const faces = await duck(
      `select part_id, face_index, label, instance_id, bottom, surface_type, filename
       from read_parquet('${dir}/faces/*/*.parquet', filename = true) order by part_id, face_index`,
    );
    expect(faces).toHaveLength(parts.reduce((n, p) => n + p.faces.faceCount, 0));
    for (const p of parts) {
      const mine = faces.filter((f) => f.part_id === p.partId);
      expect(
        mine.map((f) => f.label),
        p.name,
      ).toEqual(p.document.labels);
      expect(
        mine.map((f) => f.surface_type),
        p.name,
      ).toEqual(p.faces.faces.map((f) => f.surface));
      expect(new Set(mine.map((f) => path.basename(path.dirname(String(f.filename)))))).toEqual(
        new Set([folder(p.split)]),
      );
    }
    const perSplit = await duck(
      `select split, count(*)::int as parts, sum(face_count)::int as faces
       from read_parquet('${dir}/parts/*/*.parquet') group by split order by split`,
    );
    const expected = ["test", "train", "val"].map((s) => ({
      split: s,
      parts: parts.filter((p) => p.split === s).length,
      faces: parts.filter((p) => p.split === s).reduce((n, p) => n + p.faces.faceCount, 0),
    }));
    expect(perSplit).toEqual(expected);
    const instances = await duck(
      `select feature, faces from read_parquet('${dir}/instances/*/*.parquet') order by faces[1]`,
    );
    const aag = parts.find((p) => p.name === "dataset_test.step") as Labelled;
    expect(instances).toEqual(
      [...aag.document.instances]
        .sort((a, b) => (a.faces[0] as number) - (b.faces[0] as number))
        .map((i) => ({ feature: i.feature, faces: i.faces })),
    );
    const manifest = JSON.parse(await readFile(path.join(dir, "manifest.json"), "utf8"));
    expect(manifest.snapshot.id).toBe(snapshotId);
    expect(new Set(manifest.parts.map((p: { blob_sha256: string }) => p.blob_sha256))).toEqual(
      new Set(parts.map((p) => p.hash)),
    );
    expect(job.result).toMatchObject({ parts: parts.length });
    console.log(
      `parquet export: ${parts.length} parts in ${ms.toFixed(0)} ms (${((parts.length / ms) * 1000).toFixed(0)} parts/s)`,
    );
  }, 120_000);

  it("exports JSON Lines: one file per split with exactly its parts and labels", async () => {
    const { dir } = await exported("jsonl");
    for (const split of ["train", "val", "test"]) {
      const lines = (await readFile(path.join(dir, `jsonl/${folder(split)}.jsonl`), "utf8")).trimEnd().split("\n");
      const rows = lines.map((l) => JSON.parse(l) as { part_id: string; labels: unknown[]; split: string });
      const mine = parts.filter((p) => p.split === split).sort((a, b) => a.partId.localeCompare(b.partId));
      expect(
        rows.map((r) => [r.part_id, r.split, r.labels]),
        split,
      ).toEqual(mine.map((p) => [p.partId, split, p.document.labels]));
    }
  }, 120_000);

  it("exports MFCAD, MFInstSeg and labelled STEP archives that read back to the same labels", async () => {
    const identity = MFCADPP.classes.map((_, i) => i);
    const mfcad = await exported("mfcad");
    const step = await exported("step");
    const inst = await exported("mfinstseg");
    for (const p of parts) {
      const stem = p.name.replace(/\.step$/, "");
      // labelled STEP: the kernel reads the exported file, each face's name is its MFCAD++ class
      const faces = await geometry.run(await readFile(path.join(step.dir, `step/${stem}.step`)), {
        relativeDeflection: 0.05,
        angularDeflection: 1.5,
      });
      expect(labelsByStepName(MFCADPP, faces.document.faces, identity), p.name).toEqual(p.document.labels);
      // MFInstSeg: classes through the MFCAD++ crosswalk, instances as grouped
      const labels = readMfinstseg(await readFile(path.join(inst.dir, `labels/${stem}.json`), "utf8"));
      expect(labels.classes.map((c) => MFCADPP.classes[c]?.feature)).toEqual(p.document.labels);
      expect(labels.instances).toEqual(
        p.document.instances
          .filter((i) => i.feature !== "stock")
          .map((i) => i.faces)
          .sort((a, b) => (a[0] as number) - (b[0] as number)),
      );
    }
    // MFCAD: the MFCAD parts with import-labels' parser, joined through the STEP names; the AAGNet part
    // (through holes and rounds: no MFCAD class) named in the README
    for (const p of parts.filter((x) => x.name !== "dataset_test.step")) {
      const stem = p.name.replace(/\.step$/, "");
      const classes = readPickledIntList(await readFile(path.join(mfcad.dir, `mfcad/${stem}.face_truth`)));
      expect(labelsByStepName(MFCAD, p.faces.faces, classes), p.name).toEqual(p.document.labels);
    }
    expect(await readFile(path.join(mfcad.dir, "README.md"), "utf8")).toMatch(
      /\| dataset_test\.step \|.*MFCAD has no class/,
    );
    expect(mfcad.job.result.unrepresented).toBe(1);
  }, 180_000);

  it("copies the GLB meshes when asked (another cached export of the same snapshot and format)", async () => {
    const { dir } = await exported("jsonl", true);
    for (const p of parts) {
      const g = (
        await db.owner.query<{ mesh_key: string }>("select mesh_key from part_geometry where blob_sha256 = $1", [
          p.hash,
        ])
      ).rows[0];
      const copied = await readFile(path.join(dir, `meshes/${p.partId}.glb`));
      expect(copied.equals(await readStored(g?.mesh_key as string)), p.name).toBe(true);
    }
  }, 120_000);

  it("pages through a large snapshot: 3,000 parts in 15 pages, every face once (and how fast)", async () => {
    const N = 3000;
    const source = parts[1] as Labelled;
    const datasetId = (
      await db.owner.query<{ id: string }>(
        "insert into datasets (workspace_id, name, label_schema_id) values ($1, 'many', $2) returning id",
        [ws.workspaceId, ws.labelSchemaId],
      )
    ).rows[0]?.id as string;
    // N distinct contents sharing one real geometry (the faces file of a corpus part) and its labels
    await db.owner.query(
      `with g as (select * from part_geometry where blob_sha256 = $3 limit 1),
       b as (insert into blobs (sha256, size, storage_key, verified_at)
             select encode(sha256(convert_to('many-' || i, 'UTF8')), 'hex'), 1, 'none-' || i, now()
             from generate_series(1, $4::int) i returning sha256),
       pg as (insert into part_geometry (blob_sha256, tessellator_version, params_hash, params, mesh_key, faces_key,
                face_count, triangle_count, face_signature, area, bbox)
              select b.sha256, g.tessellator_version, g.params_hash, g.params, g.mesh_key, g.faces_key, g.face_count,
                     g.triangle_count, g.face_signature, g.area, g.bbox from b, g returning blob_sha256)
       insert into parts (workspace_id, dataset_id, blob_sha256, name, split)
       select $1, $2, pg.blob_sha256, 'many-' || pg.blob_sha256 || '.step',
              (array['train', 'val', 'test'])[1 + (get_byte(decode(pg.blob_sha256, 'hex'), 0) % 3)]
       from pg`,
      [ws.workspaceId, datasetId, source.hash, N],
    );
    await db.owner.query(
      `insert into annotation_revisions (part_id, label_schema_id, face_signature, document, source)
       select p.id, $2, $3, $4, 'import' from parts p where p.dataset_id = $1`,
      [datasetId, ws.labelSchemaId, source.faces.signature, JSON.stringify(source.document)],
    );
    const many = await asMl(async (c) => {
      const { rows } = await c.query<{ id: string }>("select public.freeze_snapshot($1, 'many-v1') as id", [datasetId]);
      return rows[0]?.id as string;
    });
    const req = await asMl(async (c) => {
      const { rows } = await c.query("select * from public.request_export($1, 'parquet')", [many]);
      return rows[0] as { export_id: string; job_id: string };
    });
    const t0 = performance.now();
    await exportSnapshot({ pool: db.owner, store, log, pageSize: 200 }, { jobId: req.job_id });
    const ms = performance.now() - t0;
    const row = (await db.owner.query("select archive_key from snapshot_exports where id = $1", [req.export_id]))
      .rows[0];
    const job = (await db.owner.query("select result from jobs where id = $1", [req.job_id])).rows[0];
    const dir = path.join(root, "out-many");
    for (const [name, data] of Object.entries(unzipSync(new Uint8Array(await readStored(row.archive_key))))) {
      await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
      await writeFile(path.join(dir, name), data);
    }
    const counts = await duck(
      `select count(distinct part_id)::int as parts, count(*)::int as faces, count(distinct (part_id, face_index))::int as distinct_faces
       from read_parquet('${dir}/faces/*/*.parquet')`,
    );
    const faces = N * source.faces.faceCount;
    expect(counts).toEqual([{ parts: N, faces, distinct_faces: faces }]);
    const splits = await duck(
      `select split, count(*)::int as n from read_parquet('${dir}/parts/*/*.parquet') group by 1 order by 1`,
    );
    const expected = (
      await db.owner.query(
        "select split, count(*)::int as n from snapshot_parts where snapshot_id = $1 group by 1 order by 1",
        [many],
      )
    ).rows;
    expect(splits).toEqual(expected);
    console.log(
      `parquet export: ${N} parts, ${faces} faces in ${ms.toFixed(0)} ms: ${((N / ms) * 1000).toFixed(0)} parts/s, ${((faces / ms) * 1000).toFixed(0)} faces/s; ${JSON.stringify(job.result.timings)}`,
    );
  }, 300_000);

  it("serves the same snapshot and format from its cache: no second job, and a rerun of the job writes nothing", async () => {
    const before = (await db.owner.query("select count(*)::int as n from jobs where kind = 'curation:export'")).rows[0]
      .n;
    const first = (await db.owner.query("select * from snapshot_exports where format = 'parquet'")).rows[0];
    const again = await request("parquet");
    expect(again).toEqual({ export_id: first.id, job_id: first.job_id, started: false });
    expect((await db.owner.query("select count(*)::int as n from jobs where kind = 'curation:export'")).rows[0].n).toBe(
      before,
    );
    await exportSnapshot({ pool: db.owner, store, geometry, log }, { jobId: first.job_id });
    const after = (await db.owner.query("select * from snapshot_exports where id = $1", [first.id])).rows[0];
    expect(after).toEqual(first);
  });

  it("refuses annotators and viewers", async () => {
    for (const role of ["annotator", "viewer"] as const) {
      await expect(
        withUser(db.owner, ws.users[role].claims, (c) =>
          c.query("select * from public.request_export($1, 'jsonl')", [snapshotId]),
        ),
      ).rejects.toThrow(/only ML engineers and admins/);
    }
  });

  it("fails at once, naming the part, when a faces file it needs is gone from storage", async () => {
    // before, the export was tried three times, then failed with the file's storage key
    const lost = parts[1] as Labelled;
    const { rows } = await db.owner.query<{ faces_key: string }>(
      "select faces_key from part_geometry where blob_sha256 = $1",
      [lost.hash],
    );
    const key = rows[0]?.faces_key as string;
    await store.move(key, `lost/${lost.hash}.json`);
    try {
      const req = await request("parquet", true); // not made yet: a new job
      expect(req.started).toBe(true);
      // resolves: nothing is left for the job system to retry
      await exportSnapshot({ pool: db.owner, store, geometry, log }, { jobId: req.job_id });
      const job = (await db.owner.query("select status, error from jobs where id = $1", [req.job_id])).rows[0];
      expect(job).toEqual({
        status: "failed",
        error: `the faces file of part "${lost.name}" is missing from storage: restore it from a backup (facet verify lists every missing file)`,
      });
    } finally {
      await store.move(`lost/${lost.hash}.json`, key);
    }
  });

  it("leaves out a part whose STEP file is gone from storage, and its README says why", async () => {
    const lost = parts[2] as Labelled;
    const key = blobKey(lost.hash);
    await store.move(key, `lost/${lost.hash}`);
    try {
      const { dir, job } = await exported("step", true);
      expect(job.result.unrepresented).toBe(1);
      const files = (await readFile(path.join(dir, `splits/${lost.split}.txt`), "utf8")).split("\n");
      expect(files).toContain((parts[0] as Labelled).name.replace(/\.step$/, "")); // same split, written
      expect(files).not.toContain(lost.name.replace(/\.step$/, ""));
      expect(await readFile(path.join(dir, "README.md"), "utf8")).toContain(
        `the STEP file of part "${lost.name}" is missing from storage`,
      );
    } finally {
      await store.move(`lost/${lost.hash}`, key);
    }
  }, 120_000);
});
