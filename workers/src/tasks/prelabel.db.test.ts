/**
 * Pre-labelling after tessellation, against a real PostgreSQL, the filesystem store and OpenCascade
 * (in-process, one warm kernel): the rule pre-labeler, remote models that cannot be reached and one
 * that answers (a real HTTP server speaking facet.prelabel/v1), the queue order that follows from the
 * models' confidence, who may write model revisions, and how much of the pre-labels survived review.
 */
import { createHash, randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import {
  annotationDocumentSchema,
  blobKey,
  buildFaceGraph,
  DEFAULT_TAXONOMY,
  labelStateFromDocument,
  labelsByStepName,
  submissionProblems,
} from "@facet/core";
import { type PoolClient, queuePrelabel, recordPrelabel, withService, withUser } from "@facet/db";
import {
  addMember,
  attempt,
  createTestDatabase,
  createUser,
  createWorkspaceWithRoles,
  freePort,
  giveGeometry,
  type TestDatabase,
  type TestUser,
} from "@facet/db/testing";
import type { FacesDocument } from "@facet/geometry";
import { CORPUS } from "@facet/geometry/testing";
import {
  createRemotePrelabeler,
  createRulePrelabeler,
  inputFromFacesDocument,
  type Prelabeler,
  type RemotePrelabelRequest,
} from "@facet/prelabel";
import { FsBlobStore } from "@facet/storage";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { InProcessGeometry } from "../geometry/engine";
import { prelabelRecord, runPrelabelers } from "./prelabel";
import { tessellatePart } from "./tessellate";
import { queuedTessellation, uploadedPart } from "./testing";

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const argmaxClass = (classes: readonly string[], row: readonly number[]) =>
  classes[row.indexOf(Math.max(...row))] as string;

type Workspace = Awaited<ReturnType<typeof createWorkspaceWithRoles>>;

/**
 * A model server on a free local port, speaking facet.prelabel/v1 over node:http: every POST to
 * /predict is recorded and answered with what `answer` makes of it.
 */
async function modelServer(answer: (body: RemotePrelabelRequest) => { status: number; json: unknown }) {
  const requests: RemotePrelabelRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as RemotePrelabelRequest;
      requests.push(body);
      const { status, json } =
        req.method === "POST" && req.url === "/predict"
          ? answer(body)
          : { status: 404, json: { error: { message: "no such endpoint" } } };
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/predict`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface PartRow {
  status: string;
  failure_reason: string | null;
  geometry_id: string | null;
  prelabel_confidence: number | null;
  prelabel_disagreements: number | null;
  prelabel_error: string | null;
  queue_priority: number;
}

interface RevisionRow {
  id: string;
  revision_no: number;
  author_id: string | null;
  label_schema_id: string | null;
  face_signature: string | null;
  document: unknown;
  model_assisted: boolean;
  source: string;
}

interface JobRow {
  status: string;
  attempts: number;
  error: string | null;
  result: { geometryId?: string; faceCount?: number; prelabel?: Record<string, unknown> } | null;
}

describe("pre-labelling after tessellation (real database, filesystem store, OpenCascade)", () => {
  let db: TestDatabase;
  let root: string;
  let store: FsBlobStore;
  let ws: Workspace;
  const geometry = new InProcessGeometry(); // one warm kernel for the whole file
  const logged: string[] = [];
  const log = (line: string) => {
    logged.push(line);
  };

  async function newDataset(w: Workspace, label: string): Promise<string> {
    const { rows } = await db.owner.query<{ id: string }>(
      "insert into datasets (workspace_id, name, label_schema_id) values ($1, $2, $3) returning id",
      [w.workspaceId, `${label}-${randomUUID().slice(0, 8)}`, w.labelSchemaId],
    );
    return (rows[0] as { id: string }).id;
  }

  const uploaded = (name: string, bytes: Buffer, datasetId: string) =>
    uploadedPart(db.owner, store, { workspaceId: ws.workspaceId, datasetId, name, bytes });
  const newJob = (partId: string) => queuedTessellation(db.owner, ws.workspaceId, partId);

  const run = (jobId: string, prelabelers: readonly Prelabeler[]) =>
    tessellatePart({ pool: db.owner, store, runner: geometry, runnerName: "trigger.dev", prelabelers, log }, { jobId });

  async function partRow(partId: string): Promise<PartRow> {
    const { rows } = await db.owner.query<PartRow>(
      `select status, failure_reason, geometry_id, prelabel_confidence, prelabel_disagreements, prelabel_error,
              queue_priority
       from parts where id = $1`,
      [partId],
    );
    if (!rows[0]) throw new Error(`no part ${partId}`);
    return rows[0];
  }

  async function jobRow(jobId: string): Promise<JobRow> {
    const { rows } = await db.owner.query<JobRow>("select status, attempts, error, result from jobs where id = $1", [
      jobId,
    ]);
    if (!rows[0]) throw new Error(`no job ${jobId}`);
    return rows[0];
  }

  async function revisions(partId: string): Promise<RevisionRow[]> {
    const { rows } = await db.owner.query<RevisionRow>(
      `select id, revision_no, author_id, label_schema_id, face_signature, document, model_assisted, source
       from annotation_revisions where part_id = $1 order by revision_no`,
      [partId],
    );
    return rows;
  }

  async function geometryOf(geometryId: string | null) {
    const { rows } = await db.owner.query<{ face_signature: string; face_count: number; faces_key: string }>(
      "select face_signature, face_count, faces_key from part_geometry where id = $1",
      [geometryId],
    );
    if (!rows[0]) throw new Error(`no geometry ${geometryId}`);
    return rows[0];
  }

  async function facesDocument(key: string): Promise<FacesDocument> {
    const chunks: Buffer[] = [];
    for await (const chunk of await store.get(key)) chunks.push(chunk as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as FacesDocument;
  }

  /** A remote model nobody serves: connection refused at once, no retry. */
  async function unreachable(id = "nobody-home"): Promise<Prelabeler> {
    const port = await freePort();
    return createRemotePrelabeler({
      kind: "remote",
      id,
      url: `http://127.0.0.1:${port}/predict`,
      retries: 0,
      timeoutMs: 3000,
    });
  }

  beforeAll(async () => {
    db = await createTestDatabase(inject("pgBaseUrl"));
    root = await mkdtemp(path.join(os.tmpdir(), "facet-prelabel-job-"));
    store = new FsBlobStore({ root, baseUrl: "http://localhost:3999", secret: "s".repeat(40) });
    ws = await createWorkspaceWithRoles(db.owner, "prelabel");
  });
  afterAll(async () => {
    await db.drop();
    await rm(root, { recursive: true, force: true });
  });

  it("rules: an uploaded part is pre-labelled in its tessellation job, once, with the MFCAD truth", async () => {
    const name = "0-1-2-3-19";
    const bytes = await readFile(path.join(CORPUS, `mfcad/${name}.step`));
    const datasetId = await newDataset(ws, "rules");
    const { partId, jobId } = await uploaded(`${name}.step`, bytes, datasetId);
    expect((await partRow(partId)).status).toBe("uploaded");

    await run(jobId, [createRulePrelabeler()]);

    const part = await partRow(partId);
    expect(part).toMatchObject({
      status: "pre_labeled",
      failure_reason: null,
      prelabel_error: null,
      prelabel_disagreements: 0,
    });
    // in one job: uploaded -> processing -> unannotated -> pre_labeled
    const { rows: moves } = await db.owner.query<{ data: { from: string; to: string } }>(
      "select data from audit_events where target_id = $1 and action = 'part.status_changed' order by id",
      [partId],
    );
    expect(moves.map((m) => [m.data.from, m.data.to])).toEqual([
      ["uploaded", "processing"],
      ["processing", "unannotated"],
      ["unannotated", "pre_labeled"],
    ]);
    const job = await jobRow(jobId);
    expect(job).toMatchObject({ status: "completed", attempts: 1, error: null });

    const g = await geometryOf(part.geometry_id);
    const revs = await revisions(partId);
    expect(revs).toHaveLength(1);
    const rev = revs[0] as RevisionRow;
    expect(rev).toMatchObject({
      source: "model",
      model_assisted: true,
      author_id: null,
      revision_no: 1,
      face_signature: g.face_signature,
      label_schema_id: ws.labelSchemaId,
    });

    const parsed = annotationDocumentSchema.safeParse(rev.document);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    const doc = parsed.data as NonNullable<typeof parsed.data>;
    expect(doc.faceSignature).toBe(g.face_signature);
    expect(doc.faceCount).toBe(g.face_count);
    expect(doc.labels).toHaveLength(g.face_count);
    expect(doc.labels.filter((l) => l === null)).toEqual([]);
    expect(doc.prelabel?.models).toEqual([{ id: "facet-rules", version: "1.0.0" }]);
    expect(doc.prelabel?.failed).toEqual([]);
    expect(doc.prelabel?.disagreement).toBeUndefined();
    expect(doc.prelabel?.predictions).toBeUndefined();
    const confidence = doc.prelabel?.confidence ?? [];
    expect(confidence).toHaveLength(g.face_count);
    // the part's confidence is the mean of its faces'; the queue (least confident first) follows it
    expect(part.prelabel_confidence).not.toBeNull();
    expect(part.prelabel_confidence).toBeCloseTo(mean(confidence), 5);
    expect(part.queue_priority).toBe(part.prelabel_confidence);
    expect(part.queue_priority).toBeGreaterThan(0);
    // the job says what pre-labelling did
    expect(job.result?.prelabel).toEqual({
      ms: expect.any(Number),
      models: ["facet-rules"],
      meanConfidence: expect.any(Number),
    });
    expect(job.result?.prelabel?.ms).toBeGreaterThanOrEqual(0);
    expect(job.result?.prelabel?.meanConfidence).toBeCloseTo(mean(confidence), 10);

    // the labels are MFCAD's own, joined through the faces' STEP names
    const faces = await facesDocument(g.faces_key);
    const truthById = JSON.parse(await readFile(path.join(CORPUS, "mfcad/labels.json"), "utf8")) as Record<
      string,
      number[]
    >;
    const crosswalk = DEFAULT_TAXONOMY.crosswalks.mfcad;
    if (!crosswalk) throw new Error("no mfcad crosswalk");
    const truth = labelsByStepName(crosswalk, faces.faces, truthById[name] ?? []);
    expect(truth).toHaveLength(g.face_count);
    expect(truth).not.toContain(null);
    expect(new Set(truth).size).toBeGreaterThanOrEqual(4); // stock, chamfer and three passages
    // complete as it stands: every feature face in exactly one instance, so it can be submitted unchanged
    const context = { graph: buildFaceGraph(faces), taxonomy: DEFAULT_TAXONOMY };
    expect(submissionProblems(labelStateFromDocument(doc), context)).toEqual([]);
    expect(doc.labels).toEqual(truth);
    // every instance's faces carry its feature
    expect(doc.instances.length).toBeGreaterThan(0);
    for (const inst of doc.instances) for (const f of inst.faces) expect(doc.labels[f]).toBe(inst.feature);

    // a new job for the same part, and the same job run again: no second model revision
    const again = await newJob(partId);
    await run(again, [createRulePrelabeler()]);
    expect((await jobRow(again)).status).toBe("completed");
    await db.owner.query("update jobs set status = 'queued', finished_at = null where id = $1", [jobId]);
    await run(jobId, [createRulePrelabeler()]);
    expect(await jobRow(jobId)).toMatchObject({ status: "completed", attempts: 2 });
    expect((await revisions(partId)).map((r) => r.id)).toEqual([rev.id]);
    expect(await partRow(partId)).toEqual(part);

    // recordPrelabel itself keeps the revision made for this face numbering: a part back in
    // `unannotated` (claimed, then put back) is moved to pre_labeled without a second revision
    await db.owner.query("update parts set status = 'in_progress' where id = $1", [partId]);
    await db.owner.query("update parts set status = 'unannotated' where id = $1", [partId]);
    const outcome = await runPrelabelers(
      { store, prelabelers: [createRulePrelabeler()], log },
      {
        partId,
        partName: `${name}.step`,
        sha256: sha(bytes),
        taxonomy: DEFAULT_TAXONOMY,
        meshKey: "unused",
        facesKey: g.faces_key,
      },
      faces,
    );
    expect(outcome.ok).toBe(true);
    await withService(db.owner, (c) => recordPrelabel(c, partId, prelabelRecord(outcome)));
    expect((await revisions(partId)).map((r) => r.id)).toEqual([rev.id]);
    expect((await partRow(partId)).status).toBe("pre_labeled");
  }, 180_000);

  it("a remote model alone that cannot be reached: the part waits unannotated with the reason, no revision", async () => {
    const bytes = await readFile(path.join(CORPUS, "nist-pmi/nist_ctc_01_asme1_rd.stp"));
    const datasetId = await newDataset(ws, "remote-down");
    const { partId, jobId } = await uploaded("ctc01.stp", bytes, datasetId);
    await run(jobId, [await unreachable("nobody-home")]);

    const part = await partRow(partId);
    expect(part).toMatchObject({
      status: "unannotated",
      failure_reason: null,
      prelabel_confidence: null,
      prelabel_disagreements: null,
      queue_priority: 0,
    });
    expect(part.geometry_id).not.toBeNull();
    expect(part.prelabel_error).toMatch(/nobody-home/);
    expect(part.prelabel_error).toMatch(/could not reach 127\.0\.0\.1:\d+: connection refused \(1 attempt\)/);
    expect(await revisions(partId)).toEqual([]);
    const job = await jobRow(jobId);
    expect(job).toMatchObject({ status: "completed", attempts: 1, error: null });
    expect(job.result?.prelabel).toEqual({ ms: expect.any(Number), error: part.prelabel_error });
    expect(logged.some((l) => l.includes(partId) && l.includes("nobody-home"))).toBe(true);
    // one attempt (retries 0): nothing held the part up
    expect(part.prelabel_error).toContain("(1 attempt)");
  }, 180_000);

  it("rules and a model that cannot be reached: pre-labelled by the rules, the failure kept with the revision", async () => {
    const bytes = await readFile(path.join(CORPUS, "mfcad/0-0-10-10-12-23.step"));
    const datasetId = await newDataset(ws, "mixed-down");
    const { partId, jobId } = await uploaded("pocket.step", bytes, datasetId);
    await run(jobId, [createRulePrelabeler(), await unreachable("nobody-home")]);

    const part = await partRow(partId);
    expect(part).toMatchObject({ status: "pre_labeled", prelabel_error: null, prelabel_disagreements: 0 });
    const revs = await revisions(partId);
    expect(revs).toHaveLength(1);
    const doc = annotationDocumentSchema.parse(revs[0]?.document);
    expect(doc.prelabel?.models).toEqual([{ id: "facet-rules", version: "1.0.0" }]);
    expect(doc.prelabel?.failed).toEqual([
      {
        id: "nobody-home",
        reason: expect.stringMatching(
          /^Pre-labeler "nobody-home" is unavailable: could not reach 127\.0\.0\.1:\d+: connection refused \(1 attempt\)$/,
        ),
      },
    ]);
    expect(doc.prelabel?.predictions).toBeUndefined();
    expect(part.prelabel_confidence).toBeCloseTo(mean(doc.prelabel?.confidence ?? []), 5);
    expect((await jobRow(jobId)).result?.prelabel?.models).toEqual(["facet-rules"]);
  }, 180_000);

  it("rules and a real model server that disagrees on some faces: predictions per model and disagreements", async () => {
    // the model: planes are stock, cylinders through holes, anything else a fillet
    const classes = ["stock", "through_hole", "fillet"];
    const rowFor = (surface: string) =>
      surface === "plane" ? [0.9, 0.06, 0.04] : surface === "cylinder" ? [0.15, 0.8, 0.05] : [0.2, 0.1, 0.7];
    const server = await modelServer((body) => ({
      status: 200,
      json: {
        model: { id: "tiny-remote", version: "0.3.0" },
        classes,
        faceSignature: body.faceSignature,
        probabilities: (body.faces ?? []).map((f) => rowFor(f.surface)),
      },
    }));
    const { requests } = server;
    try {
      const remote = createRemotePrelabeler({
        kind: "remote",
        id: "tiny-remote",
        url: server.url,
        retries: 0,
        timeoutMs: 20_000,
      });
      const bytes = await readFile(path.join(CORPUS, "nist-pmi/nist_ctc_01_asme1_rd.stp"));
      const datasetId = await newDataset(ws, "mixed-live");
      const { partId, jobId, hash } = await uploaded("ctc01.stp", bytes, datasetId);
      await run(jobId, [createRulePrelabeler(), remote]);

      const part = await partRow(partId);
      expect(part.status).toBe("pre_labeled");
      const g = await geometryOf(part.geometry_id);
      const faces = await facesDocument(g.faces_key);

      // the model was asked about this part's faces, in this numbering, with URLs of its files
      expect(requests).toHaveLength(1);
      const request = requests[0] as RemotePrelabelRequest;
      expect(request).toMatchObject({
        contract: "facet.prelabel/v1",
        faceSignature: g.face_signature,
        faceCount: g.face_count,
        part: { id: partId, sha256: hash, name: "ctc01.stp" },
      });
      expect(request.faces).toHaveLength(g.face_count);
      expect(request.urls?.step).toMatch(/^http:\/\/localhost:3999\//);

      // what each model said, worked out here: the rules on the same faces, the model from its rows
      const rules = await createRulePrelabeler().predict(inputFromFacesDocument(faces));
      const ruleTops = rules.probabilities.map((row) => argmaxClass(rules.classes, row));
      const remoteRows = faces.faces.map((f) => rowFor(f.surface));
      const remoteTops = remoteRows.map((row) => argmaxClass(classes, row));
      const differing = ruleTops.flatMap((t, f) => (t !== remoteTops[f] ? [f] : []));
      // the case is worth testing: they agree on some faces and not on others
      expect(differing.length).toBeGreaterThan(0);
      expect(differing.length).toBeLessThan(g.face_count);

      const revs = await revisions(partId);
      expect(revs).toHaveLength(1);
      const doc = annotationDocumentSchema.parse(revs[0]?.document);
      expect(doc.prelabel?.models).toEqual([
        { id: "facet-rules", version: "1.0.0" },
        { id: "tiny-remote", version: "0.3.0" },
      ]);
      expect(doc.prelabel?.failed).toEqual([]);
      // where the models disagree, instances are regrouped from the combined labels: still complete
      expect(
        submissionProblems(labelStateFromDocument(doc), { graph: buildFaceGraph(faces), taxonomy: DEFAULT_TAXONOMY }),
      ).toEqual([]);
      expect(doc.prelabel?.predictions).toEqual({ "facet-rules": ruleTops, "tiny-remote": remoteTops });
      // with two models, a face on which they differ has one of them against its label
      expect(doc.prelabel?.disagreement).toEqual(ruleTops.map((_, f) => (differing.includes(f) ? 0.5 : 0)));
      expect(part.prelabel_disagreements).toBe(differing.length);

      // each face's label is the most probable class of the two models' mean, its confidence that mean
      const union = [...new Set([...rules.classes, ...classes])];
      const prob = (cls: readonly string[], row: readonly number[], c: string) => {
        const i = cls.indexOf(c);
        return i < 0 ? 0 : (row[i] as number) / row.reduce((a, b) => a + b, 0);
      };
      const combined = faces.faces.map((_, f) => {
        const means = union.map(
          (c) =>
            (prob(rules.classes, rules.probabilities[f] as number[], c) + prob(classes, remoteRows[f] as number[], c)) /
            2,
        );
        const best = Math.max(...means);
        return { label: union[means.indexOf(best)] as string, confidence: best };
      });
      expect(doc.labels).toEqual(combined.map((c) => c.label));
      const confidence = doc.prelabel?.confidence ?? [];
      for (const [f, c] of combined.entries()) expect(confidence[f], `face ${f}`).toBeCloseTo(c.confidence, 6);
      expect(part.prelabel_confidence).toBeCloseTo(mean(confidence), 5);
      expect((await jobRow(jobId)).result?.prelabel?.models).toEqual(["facet-rules", "tiny-remote"]);
    } finally {
      await server.close();
    }
  }, 180_000);

  it("many models failing at length: the part still waits unannotated, with the reasons cut to fit", async () => {
    // each model refuses the part with a long message (the adapter quotes 300 characters of it)
    const server = await modelServer(() => ({
      status: 400,
      json: { error: { message: `this part is not for me: ${"the reason goes on and on ".repeat(20)}` } },
    }));
    try {
      const models = [1, 2, 3, 4, 5, 6].map((i) =>
        createRemotePrelabeler({ kind: "remote", id: `refusing-model-${i}`, url: server.url, retries: 0 }),
      );
      const bytes = await readFile(path.join(CORPUS, "mfcad/0-0-0-0-0-23.step"));
      const datasetId = await newDataset(ws, "many-down");
      const { partId, jobId } = await uploaded("refused.step", bytes, datasetId);
      await run(jobId, models);

      expect(server.requests).toHaveLength(6);
      const job = await jobRow(jobId);
      expect(job).toMatchObject({ status: "completed", attempts: 1, error: null });
      const part = await partRow(partId);
      expect(part).toMatchObject({ status: "unannotated", failure_reason: null, prelabel_confidence: null });
      const reason = part.prelabel_error ?? "";
      expect(reason.length).toBeGreaterThan(1000);
      expect(reason.length).toBeLessThanOrEqual(2000);
      expect(reason).toMatch(
        /^pre-labelling gave no answer \(refusing-model-1: Pre-labeler "refusing-model-1" rejected the part: 127\.0\.0\.1:\d+ answered 400 Bad Request: this part is not for me/,
      );
      expect(await revisions(partId)).toEqual([]);
    } finally {
      await server.close();
    }
  }, 180_000);

  it("a model that reports a long version (the contract allows 128 characters) does not cost the part its pre-label", async () => {
    const version = `2026.11.23-${"b".repeat(100)}`;
    const server = await modelServer((body) => ({
      status: 200,
      json: {
        model: { id: "verbose-model", version },
        classes: ["stock"],
        probabilities: (body.faces ?? []).map(() => [1]),
      },
    }));
    try {
      const remote = createRemotePrelabeler({ kind: "remote", id: "verbose-model", url: server.url, retries: 0 });
      const bytes = await readFile(path.join(CORPUS, "mfcad/0-0-0-0-0-23.step"));
      const datasetId = await newDataset(ws, "long-version");
      const { partId, jobId } = await uploaded("verbose.step", bytes, datasetId);
      await run(jobId, [createRulePrelabeler(), remote]);

      const part = await partRow(partId);
      expect(part).toMatchObject({ status: "pre_labeled", prelabel_error: null });
      const revs = await revisions(partId);
      expect(revs).toHaveLength(1);
      const doc = annotationDocumentSchema.parse(revs[0]?.document);
      const models = doc.prelabel?.models ?? [];
      expect(models.map((m) => m.id)).toEqual(["facet-rules", "verbose-model"]);
      // kept as far as a revision holds it
      expect(version.startsWith(models[1]?.version ?? "-")).toBe(true);
      expect(models[1]?.version.length).toBe(64);
      expect(Object.keys(doc.prelabel?.predictions ?? {})).toEqual(["facet-rules", "verbose-model"]);
    } finally {
      await server.close();
    }
  }, 180_000);

  it("pre-label again: an engineer re-runs the models on a part waiting unannotated; only such a part, not by annotators", async () => {
    const bytes = await readFile(path.join(CORPUS, "mfcad/0-0-0-0-0-23.step"));
    const datasetId = await newDataset(ws, "again");
    const { partId, jobId } = await uploaded("chamfers.step", bytes, datasetId);
    // its model was down: the part waits unannotated with the reason
    await run(jobId, [await unreachable("down-model")]);
    expect(await partRow(partId)).toMatchObject({ status: "unannotated" });
    expect((await partRow(partId)).prelabel_error).toMatch(/down-model/);

    const queue = (u: TestUser) => withUser(db.owner, u.claims, (c) => queuePrelabel(c, ws.workspaceId, partId));
    // an annotator may not start jobs (row-level security on jobs)
    await expect(queue(ws.users.annotator)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await queue(ws.users.engineer);
    // one job at a time
    await expect(queue(ws.users.admin)).rejects.toMatchObject({ code: "CONFLICT" });
    const { rows } = await db.owner.query<{ id: string; payload: unknown }>(
      "select id, payload from jobs where part_id = $1 and status = 'queued'",
      [partId],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.payload).toEqual({ prelabel: true });

    await run((rows[0] as { id: string }).id, [createRulePrelabeler()]);
    const part = await partRow(partId);
    expect(part).toMatchObject({ status: "pre_labeled", prelabel_error: null });
    const revs = await revisions(partId);
    expect(revs.map((r) => [r.revision_no, r.source])).toEqual([[1, "model"]]);
    // five chamfers, all recognised
    expect(annotationDocumentSchema.parse(revs[0]?.document).instances.map((i) => i.feature)).toEqual(
      Array(5).fill("chamfer"),
    );
    // a part already pre-labelled (or being labelled) is not pre-labelled again
    await expect(queue(ws.users.engineer)).rejects.toMatchObject({ code: "CONFLICT" });
  }, 180_000);

  describe("the queue", () => {
    let w: Workspace;
    let datasetId: string;
    let otherDatasetId: string;
    const ids = {} as Record<"a" | "b" | "c" | "n" | "e", string>;
    let blobCounter = 0;

    async function insertPart(
      dataset: string,
      status: string,
      createdAt: string,
      confidence: number | null,
    ): Promise<string> {
      const hash = sha(Buffer.from(`queue-${randomUUID()}-${blobCounter++}`));
      await db.owner.query("insert into blobs (sha256, size, storage_key) values ($1, 100, $2)", [hash, blobKey(hash)]);
      const { rows } = await db.owner.query<{ id: string }>(
        `insert into parts (workspace_id, dataset_id, blob_sha256, name, status, created_at, prelabel_confidence)
         values ($1, $2, $3, $4, $5, $6, $7) returning id`,
        [w.workspaceId, dataset, hash, `q-${hash.slice(0, 8)}.step`, status, createdAt, confidence],
      );
      return (rows[0] as { id: string }).id;
    }

    const priorities = async () => {
      const { rows } = await db.owner.query<{ id: string; queue_priority: number }>(
        "select id, queue_priority from parts where workspace_id = $1",
        [w.workspaceId],
      );
      return Object.fromEntries(rows.map((r) => [r.id, r.queue_priority]));
    };

    /** Claim until the queue is empty, as the annotator, and roll back: the order parts are served in. */
    async function claimOrder(): Promise<string[]> {
      const r = await attempt(db.owner, { role: "authenticated", claims: w.users.annotator.claims }, async (c) => {
        const got: string[] = [];
        for (;;) {
          const { rows } = await c.query<{ id: string }>("select id from public.claim_next_part($1, $2)", [
            w.workspaceId,
            datasetId,
          ]);
          if (!rows[0]) return got;
          got.push(rows[0].id);
        }
      });
      if (!r.ok) throw new Error(`claiming failed: ${r.code} ${r.message}`);
      return r.value;
    }

    const setOrder = (u: TestUser, order: string) =>
      withUser(db.owner, u.claims, async (c) => {
        const { rowCount } = await c.query("update datasets set queue_order = $2 where id = $1", [datasetId, order]);
        return rowCount;
      });

    beforeAll(async () => {
      w = await createWorkspaceWithRoles(db.owner, "queue");
      datasetId = w.datasetId;
      // the order is read by claiming the whole queue in one go: let one annotator hold it all
      await db.owner.query("update datasets set max_held_parts = 10 where id = $1", [datasetId]);
      otherDatasetId = await newDataset(w, "other");
      // oldest first: a (sure), b (unsure), c (middling), then n (no pre-label); the confidence of
      // a is given on insert, those of b and c by later updates
      ids.a = await insertPart(datasetId, "pre_labeled", "2026-01-01T00:00:00Z", 0.9);
      ids.b = await insertPart(datasetId, "pre_labeled", "2026-01-02T00:00:00Z", null);
      ids.c = await insertPart(datasetId, "pre_labeled", "2026-01-03T00:00:00Z", null);
      ids.n = await insertPart(datasetId, "unannotated", "2026-01-04T00:00:00Z", null);
      ids.e = await insertPart(otherDatasetId, "pre_labeled", "2026-01-01T00:00:00Z", 0.5);
      await db.owner.query("update parts set prelabel_confidence = 0.3 where id = $1", [ids.b]);
      await db.owner.query("update parts set prelabel_confidence = 0.6 where id = $1", [ids.c]);
    });

    it("serves the parts the models are least sure of first; parts without a pre-label stand at 0", async () => {
      const p = await priorities();
      expect(p[ids.a]).toBeCloseTo(0.9, 6);
      expect(p[ids.b]).toBeCloseTo(0.3, 6);
      expect(p[ids.c]).toBeCloseTo(0.6, 6);
      expect(p[ids.n]).toBe(0);
      expect(p[ids.e]).toBeCloseTo(0.5, 6);
      expect(await claimOrder()).toEqual([ids.n, ids.b, ids.c, ids.a]);
    });

    it("switching the dataset to oldest first (an admin, through RLS) re-orders its queue, and back", async () => {
      // an annotator may not change the order: RLS shows them no row to update
      expect(await setOrder(w.users.annotator, "oldest")).toBe(0);
      expect((await priorities())[ids.b]).toBeCloseTo(0.3, 6);

      expect(await setOrder(w.users.admin, "oldest")).toBe(1);
      const p = await priorities();
      for (const id of [ids.a, ids.b, ids.c, ids.n]) expect(p[id]).toBe(0);
      expect(p[ids.e]).toBeCloseTo(0.5, 6); // another dataset keeps its order
      expect(await claimOrder()).toEqual([ids.a, ids.b, ids.c, ids.n]);

      // while oldest first, a new confidence leaves the part at 0
      await db.owner.query("update parts set prelabel_confidence = 0.2 where id = $1", [ids.a]);
      expect((await priorities())[ids.a]).toBe(0);

      expect(await setOrder(w.users.admin, "least_confident")).toBe(1);
      const back = await priorities();
      expect(back[ids.a]).toBeCloseTo(0.2, 6);
      expect(back[ids.b]).toBeCloseTo(0.3, 6);
      expect(back[ids.c]).toBeCloseTo(0.6, 6);
      expect(back[ids.n]).toBe(0);
      expect(await claimOrder()).toEqual([ids.n, ids.a, ids.b, ids.c]);
    });
  });

  it("no annotator, engineer or admin may write a model revision (FC004); the worker may", async () => {
    const datasetId = await newDataset(ws, "fc004");
    const hash = sha(Buffer.from(`fc004-${randomUUID()}`));
    await db.owner.query("insert into blobs (sha256, size, storage_key) values ($1, 100, $2)", [hash, blobKey(hash)]);
    const { rows } = await db.owner.query<{ id: string }>(
      "insert into parts (workspace_id, dataset_id, blob_sha256, name, status) values ($1, $2, $3, 'fc.step', 'pre_labeled') returning id",
      [ws.workspaceId, datasetId, hash],
    );
    const partId = (rows[0] as { id: string }).id;
    const signature = await giveGeometry(db.owner, partId, { faceCount: 2 });
    const document = JSON.stringify({
      schemaVersion: 1,
      faceSignature: signature,
      faceCount: 2,
      labels: ["stock", null],
    });

    const insert = (u: TestUser | null, source: string, modelAssisted: boolean) => async (c: PoolClient) => {
      if (u === ws.users.annotator) {
        // an annotator saves revisions of the part they hold
        const claimed = await c.query<{ id: string }>("select id from public.claim_next_part($1, $2)", [
          ws.workspaceId,
          datasetId,
        ]);
        expect(claimed.rows[0]?.id).toBe(partId);
      }
      await c.query(
        `insert into annotation_revisions (part_id, revision_no, author_id, face_signature, document, source, model_assisted)
         values ($1, 1, $2, $3, $4, $5, $6)`,
        [partId, u?.id ?? null, signature, document, source, modelAssisted],
      );
    };

    for (const role of ["annotator", "engineer", "admin"] as const) {
      const u = ws.users[role];
      const as = { role: "authenticated" as const, claims: u.claims };
      // the same revision as their own work is accepted: what is refused is claiming it was a model's
      expect(await attempt(db.owner, as, insert(u, "human", false)), role).toEqual({ ok: true, value: undefined });
      for (const [source, assisted] of [
        ["model", true],
        ["model", false],
        ["human", true],
      ] as const) {
        const r = await attempt(db.owner, as, insert(u, source, assisted));
        expect(r, `${role} ${source} model_assisted=${assisted}`).toMatchObject({
          ok: false,
          code: "FC004",
          message: expect.stringMatching(/only the pre-labelling worker writes model revisions/),
        });
      }
    }
    // the worker (service role) writes them
    expect(await attempt(db.owner, { role: "service_role" }, insert(null, "model", true))).toEqual({
      ok: true,
      value: undefined,
    });
    expect(await revisions(partId)).toEqual([]);
  });

  describe("public.prelabel_acceptance", () => {
    let w: Workspace;
    let d1: string;
    let d2: string;
    let n = 0;

    interface Rev {
      labels: (string | null)[];
      /** a model revision: its models, and per model its labels when several answered */
      models?: { id: string; version: string }[];
      predictions?: Record<string, (string | null)[]>;
      author?: TestUser;
      /** the face numbering it was made on: index into the part's signatures (default: the last) */
      on?: number;
    }

    /**
     * A part with geometry (one tessellation per entry of `faceCounts`; the last is current), the
     * revisions given in order, moved along the legal transitions to `status` as the owner.
     */
    async function partWith(
      dataset: string,
      revs: Rev[],
      status: "approved" | "in_review",
      geometries = 1,
    ): Promise<string> {
      const hash = sha(Buffer.from(`acceptance-${randomUUID()}-${n++}`));
      await db.owner.query("insert into blobs (sha256, size, storage_key) values ($1, 100, $2)", [hash, blobKey(hash)]);
      const { rows } = await db.owner.query<{ id: string }>(
        "insert into parts (workspace_id, dataset_id, blob_sha256, name) values ($1, $2, $3, $4) returning id",
        [w.workspaceId, dataset, hash, `acc-${n}.step`],
      );
      const partId = (rows[0] as { id: string }).id;
      const faceCount = (revs[0] as Rev).labels.length;
      const signatures: string[] = [];
      for (let i = 0; i < geometries; i++) signatures.push(await giveGeometry(db.owner, partId, { faceCount }));
      for (const status of ["processing", "unannotated", "pre_labeled", "in_progress"])
        await db.owner.query("update parts set status = $2 where id = $1", [partId, status]);
      for (const [i, r] of revs.entries()) {
        const signature = signatures[r.on ?? signatures.length - 1] as string;
        const document = annotationDocumentSchema.parse({
          schemaVersion: 1,
          faceSignature: signature,
          faceCount,
          labels: r.labels,
          ...(r.models
            ? {
                prelabel: {
                  models: r.models,
                  confidence: r.labels.map(() => 0.8),
                  ...(r.predictions ? { predictions: r.predictions, disagreement: r.labels.map(() => 0) } : {}),
                },
              }
            : {}),
        });
        await db.owner.query(
          `insert into annotation_revisions (part_id, revision_no, author_id, face_signature, document, source, model_assisted)
           values ($1, $2, $3, $4, $5, $6, $7)`,
          [
            partId,
            i + 1,
            r.models ? null : (r.author ?? w.users.annotator).id,
            signature,
            JSON.stringify(document),
            r.models ? "model" : "human",
            !!r.models,
          ],
        );
      }
      await db.owner.query("update parts set status = 'in_review' where id = $1", [partId]);
      if (status === "approved") await db.owner.query("update parts set status = 'approved' where id = $1", [partId]);
      return partId;
    }

    type Row = [model: string, version: string, feature: string, faces: number, accepted: number, parts: number];
    async function acceptance(u: TestUser | null, datasetId: string | null): Promise<Row[]> {
      const sql = "select * from public.prelabel_acceptance($1, $2)";
      const { rows } = u
        ? await withUser(db.owner, u.claims, (c) => c.query(sql, [w.workspaceId, datasetId]))
        : await db.owner.query(sql, [w.workspaceId, datasetId]);
      return rows
        .map((r): Row => [r.model, r.model_version, r.feature, Number(r.faces), Number(r.accepted), Number(r.parts)])
        .sort((x, y) => `${x[0]}|${x[2]}`.localeCompare(`${y[0]}|${y[2]}`));
    }

    const RULES = { id: "facet-rules", version: "1.0.0" };
    const AAGNET = { id: "aagnet", version: "2.1" };

    beforeAll(async () => {
      w = await createWorkspaceWithRoles(db.owner, "acceptance");
      d1 = w.datasetId;
      d2 = await newDataset(w, "second");

      // P1: the rules alone; an older model revision is superseded by the newer one; face 5 unlabelled
      await partWith(
        d1,
        [
          { labels: ["chamfer", "chamfer", "chamfer", "chamfer", "chamfer", "chamfer"], models: [RULES] },
          { labels: ["stock", "stock", "stock", "through_hole", "through_hole", null], models: [RULES] },
          { labels: ["stock", "fillet", "stock", "through_hole", "stock", "chamfer"] },
        ],
        "approved",
      );
      // P2: two models; an intermediate human revision, then the final one
      await partWith(
        d1,
        [
          {
            labels: ["stock", "through_hole", "fillet", "through_hole"],
            models: [RULES, AAGNET],
            predictions: {
              "facet-rules": ["stock", "stock", "fillet", "through_hole"],
              aagnet: ["stock", "through_hole", "fillet", null],
            },
          },
          { labels: ["chamfer", "chamfer", "chamfer", "chamfer"] },
          { labels: ["stock", "through_hole", "chamfer", "through_hole"] },
        ],
        "approved",
      );
      // not counted: a part still in review
      await partWith(
        d1,
        [{ labels: ["stock", "stock"], models: [RULES] }, { labels: ["stock", "stock"] }],
        "in_review",
      );
      // not counted: the final labels are on another face numbering (re-tessellated)
      await partWith(
        d1,
        [
          { labels: ["stock", "stock"], models: [RULES], on: 0 },
          { labels: ["stock", "stock"], on: 1 },
        ],
        "approved",
        2,
      );
      // not counted: approved without any pre-label
      await partWith(d1, [{ labels: ["fillet", "fillet"] }], "approved");
      // in the second dataset: the rules said stock twice, one was kept
      await partWith(
        d2,
        [{ labels: ["stock", "stock"], models: [RULES] }, { labels: ["stock", "fillet"] }],
        "approved",
      );
    });

    // by hand: P1 stock faces 0,1,2 (0 and 2 kept), through_hole 3,4 (3 kept);
    // P2 rules: stock 0,1 (0 kept), fillet 2 (changed), through_hole 3 (kept);
    //    aagnet: stock 0 (kept), through_hole 1 (kept), fillet 2 (changed), face 3 none;
    //    combined: stock 0 (kept), through_hole 1,3 (kept), fillet 2 (changed)
    const DATASET_1: Row[] = [
      ["(combined)", "", "fillet", 1, 0, 1],
      ["(combined)", "", "stock", 1, 1, 1],
      ["(combined)", "", "through_hole", 2, 2, 1],
      ["aagnet", "2.1", "fillet", 1, 0, 1],
      ["aagnet", "2.1", "stock", 1, 1, 1],
      ["aagnet", "2.1", "through_hole", 1, 1, 1],
      ["facet-rules", "1.0.0", "fillet", 1, 0, 1],
      ["facet-rules", "1.0.0", "stock", 5, 3, 2],
      ["facet-rules", "1.0.0", "through_hole", 3, 2, 2],
    ];

    it("counts, per model and class, the faces it labelled and those the approved labels kept", async () => {
      expect(await acceptance(null, d1)).toEqual(DATASET_1);
      // the whole workspace adds the second dataset's part to the rules' stock
      const all = DATASET_1.map(
        (r): Row => (r[0] === "facet-rules" && r[2] === "stock" ? [r[0], r[1], r[2], 7, 4, 3] : r),
      );
      expect(await acceptance(null, null)).toEqual(all);
      expect(await acceptance(null, d2)).toEqual([["facet-rules", "1.0.0", "stock", 2, 1, 1]]);
    });

    it("members see their workspace's figures; an outsider sees none", async () => {
      expect(await acceptance(w.users.viewer, d1)).toEqual(DATASET_1);
      expect(await acceptance(w.users.annotator, null)).toHaveLength(DATASET_1.length);
      const elsewhere = await createWorkspaceWithRoles(db.owner, "acceptance-else");
      expect(await acceptance(elsewhere.users.admin, d1)).toEqual([]);
      expect(await acceptance(elsewhere.users.admin, null)).toEqual([]);
      const nobody = await createUser(db.owner, "acceptance-nobody");
      expect(await acceptance(nobody, null)).toEqual([]);
      // a member of both sees the figures of both
      await addMember(db.owner, w.workspaceId, elsewhere.users.admin.id, "viewer");
      expect(await acceptance(elsewhere.users.admin, d1)).toEqual(DATASET_1);
    });
  });
});
