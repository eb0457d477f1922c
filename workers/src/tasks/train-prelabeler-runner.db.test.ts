/**
 * The embedded default's worker (graphile-worker, local-runner.ts) runs "train now" jobs in a runner
 * of their own: a part uploaded while a training runs is tessellated meanwhile, even with one slot for
 * geometry (issue 20: training never blocks tessellation or labelling). Real database, filesystem
 * store, OpenCascade in its child process, MFCAD parts.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createLogger, DEFAULT_TAXONOMY, labelsByStepName } from "@facet/core";
import { requestPrelabelTraining, withUser } from "@facet/db";
import { createTestDatabase, createWorkspaceWithRoles, type TestDatabase } from "@facet/db/testing";
import type { FacesDocument } from "@facet/geometry";
import { CORPUS } from "@facet/geometry/testing";
import { FsBlobStore } from "@facet/storage";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { type LocalWorker, startLocalWorker } from "../local-runner";
import { until, uploadedMfcadPart } from "./testing";

const NAMES = [
  "0-0-0-0-0-23",
  "0-0-10-10-12-23",
  "0-0-4-11-13-23",
  "0-0-8-8-11-23",
  "0-1-2-3-19",
  "0-1-5-5-13-23",
  "0-10-14-14-14-23",
  "0-2-3-3-13-23",
  "0-2-6-8-9-23",
  "0-3-3-9-11-23",
];

let db: TestDatabase;
let root: string;
let store: FsBlobStore;
let worker: LocalWorker;
let w: Awaited<ReturnType<typeof createWorkspaceWithRoles>>;

beforeAll(async () => {
  db = await createTestDatabase(inject("pgBaseUrl"));
  root = await mkdtemp(path.join(os.tmpdir(), "facet-train-runner-"));
  store = new FsBlobStore({ root, baseUrl: "http://localhost:3999", secret: "s".repeat(40) });
  w = await createWorkspaceWithRoles(db.owner, "train-runner");
  worker = await startLocalWorker({
    databaseUrl: db.url,
    concurrency: 1,
    poolSize: 4,
    store,
    geometry: { timeoutMs: 120_000, memoryBytes: 2.5 * 1024 ** 3 },
    prelabelers: [],
    logger: createLogger({ process: "worker", write: () => {} }),
  });
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await db.drop();
  await rm(root, { recursive: true, force: true });
});

const jobStatus = async (id: string) =>
  (await db.owner.query<{ status: string }>("select status::text from jobs where id = $1", [id])).rows[0]?.status;

const upload = (name: string) => uploadedMfcadPart(db.owner, store, w, name);

it("tessellates a part uploaded while a training runs, and finishes the training", async () => {
  const truthById = JSON.parse(await readFile(path.join(CORPUS, "mfcad/labels.json"), "utf8")) as Record<
    string,
    number[]
  >;
  const crosswalk = DEFAULT_TAXONOMY.crosswalks.mfcad;
  if (!crosswalk) throw new Error("no mfcad crosswalk");
  // approved parts to learn from, tessellated by the worker
  for (const name of NAMES.slice(0, -1)) {
    const { partId, jobId } = await upload(name);
    await until(`${name} tessellated`, async () => (await jobStatus(jobId)) === "completed");
    const g = await db.owner.query<{ faces_key: string }>(
      "select g.faces_key from parts p join part_geometry g on g.id = p.geometry_id where p.id = $1",
      [partId],
    );
    const faces = JSON.parse((await store.read(g.rows[0]?.faces_key as string)).toString("utf8")) as FacesDocument;
    const labels = labelsByStepName(crosswalk, faces.faces, truthById[name] ?? []);
    await db.owner.query(
      `update parts set status = 'in_progress', annotator_id = $2, claimed_at = now(),
         lease_expires_at = now() + interval '1 hour', claimed_from = status where id = $1`,
      [partId, w.users.annotator.id],
    );
    await db.owner.query(
      `insert into annotation_revisions (part_id, author_id, label_schema_id, face_signature, document)
       values ($1, $2, $3, $4, $5)`,
      [
        partId,
        w.users.annotator.id,
        w.labelSchemaId,
        faces.signature,
        JSON.stringify({ schemaVersion: 1, faceSignature: faces.signature, faceCount: labels.length, labels }),
      ],
    );
    await db.owner.query("update parts set status = 'in_review' where id = $1", [partId]);
    await db.owner.query("update parts set status = 'approved' where id = $1", [partId]);
  }

  const { jobId: training } = await withUser(db.owner, w.users.admin.claims, (c) =>
    requestPrelabelTraining(c, w.workspaceId, w.datasetId),
  );
  const { jobId: tessellation } = await upload(NAMES.at(-1) as string);
  await until("the new part tessellated", async () => (await jobStatus(tessellation)) === "completed");
  await until(
    "the training finished",
    async () => {
      const s = await jobStatus(training);
      return s === "completed" || s === "failed" ? s : null;
    },
    { ms: 900_000 },
  );
  // the two ran at the same time (one slot for geometry: had they shared it, one would have waited)
  const times = await db.owner.query<{
    tessellationStarted: Date;
    tessellationFinished: Date;
    trainingStarted: Date;
    trainingFinished: Date;
  }>(
    `select t.started_at as "tessellationStarted", l.started_at as "trainingStarted", l.finished_at as "trainingFinished",
            t.finished_at as "tessellationFinished"
     from jobs t, jobs l where t.id = $1 and l.id = $2`,
    [tessellation, training],
  );
  const at = times.rows[0];
  if (!at) throw new Error("no jobs");
  expect(at.tessellationStarted.getTime()).toBeLessThan(at.trainingFinished.getTime());
  expect(at.trainingStarted.getTime()).toBeLessThan(at.tessellationFinished.getTime());
  console.log(
    `tessellation started ${at.tessellationStarted.getTime() - at.trainingStarted.getTime()} ms into a training of ` +
      `${at.trainingFinished.getTime() - at.trainingStarted.getTime()} ms`,
  );
  const { rows } = await db.owner.query<{ status: string; version: number }>(
    "select status, version from prelabel_models where job_id = $1",
    [training],
  );
  expect(rows[0]).toEqual({ status: "promoted", version: 1 });
  expect(await jobStatus(training)).toBe("completed");
}, 1_200_000);
