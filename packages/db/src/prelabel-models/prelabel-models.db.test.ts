/**
 * Learned pre-labels in the database (issue 20): a workspace's models are visible to its members only
 * (also through the functions the web app calls), only the service writes them, "train now" is for
 * admins and engineers and queues one training at a time, and approvals queue a retraining after the
 * dataset's retrain_after.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { withService, withUser } from "../session";
import {
  attempt,
  createTestDatabase,
  createWorkspaceWithRoles,
  insertDataset,
  insertParts,
  labelCompletely,
  refusal,
  type TestDatabase,
} from "../testing";
import {
  getLearningSettings,
  getPrelabelModel,
  listPrelabelModels,
  requestPrelabelTraining,
  updateLearningSettings,
} from "./models";
import { openModel, promotedModel, recordTrainedModel, refuseModel, startTrainingJob } from "./training";

type Workspace = Awaited<ReturnType<typeof createWorkspaceWithRoles>>;

let db: TestDatabase;
let a: Workspace;
let b: Workspace;

beforeAll(async () => {
  db = await createTestDatabase(inject("pgBaseUrl"));
  a = await createWorkspaceWithRoles(db.owner, "learn-a");
  b = await createWorkspaceWithRoles(db.owner, "learn-b");
});

afterAll(async () => {
  await db.drop();
});

const EVALUATION = {
  parts: 1,
  faces: 2,
  correct: 2,
  faceAccuracy: 1,
  meanIoU: 1,
  perClass: {},
  confusion: { classes: [], matrix: [] },
  failures: [],
};

/** Approved parts of a dataset with a revision each (as the owner). */
async function approvedParts(w: Workspace, datasetId: string, count: number): Promise<string[]> {
  const ids = await insertParts(db.owner, { workspaceId: w.workspaceId, datasetId, count, status: "in_review" });
  for (const id of ids) await labelCompletely(db.owner, id, { authorId: w.users.annotator.id });
  return ids;
}

async function approve(ids: readonly string[]): Promise<void> {
  for (const id of ids) await db.owner.query("update public.parts set status = 'approved' where id = $1", [id]);
}

/** A trained model of a dataset, as the worker records it (job, row, file hash, training set). */
async function trainedModel(w: Workspace, datasetId: string, promote: boolean) {
  const jobId = await withUser(db.owner, w.users.admin.claims, (c) =>
    requestPrelabelTraining(c, w.workspaceId, datasetId),
  );
  const [partId] = await approvedParts(w, datasetId, 1);
  return withService(db.owner, async (c) => {
    const job = await startTrainingJob(c, jobId.jobId, "test");
    if (!job) throw new Error("job not taken");
    const model = await openModel(c, job, { labelSchemaId: w.labelSchemaId, classes: ["stock"], seed: 1 });
    const { rows } = await c.query<{ id: string }>(
      "select id from public.annotation_revisions where part_id = $1 order by revision_no desc limit 1",
      [partId],
    );
    const previous = await promotedModel(c, datasetId);
    await recordTrainedModel(c, model.id, {
      sha256: randomBytes(32).toString("hex"),
      sizeBytes: 1234,
      trainParts: 1,
      trainFaces: 2,
      trainingMs: 50,
      evaluation: EVALUATION,
      baseline: previous ? { modelId: previous.id, evaluation: { ...EVALUATION, faceAccuracy: 0.5 } } : null,
      revisions: [{ partId: partId as string, revisionId: rows[0]?.id as string, heldOut: true }],
      promote,
      decision: promote ? "better" : "not better",
    });
    await c.query("update public.jobs set status = 'completed', finished_at = now() where id = $1", [jobId.jobId]);
    return model;
  });
}

describe("models of a workspace", () => {
  let modelId: string;

  beforeAll(async () => {
    modelId = (await trainedModel(a, a.datasetId, true)).id;
  });

  it("are listed and read by every member of it, with their training set and evaluation", async () => {
    for (const role of ["admin", "engineer", "annotator", "ml_engineer", "viewer"] as const) {
      const list = await withUser(db.owner, a.users[role].claims, (c) =>
        listPrelabelModels(c, a.workspaceId, a.datasetId),
      );
      expect(
        list.map((m) => [m.version, m.status]),
        role,
      ).toEqual([[1, "promoted"]]);
      expect(list[0]?.modelVersion).toMatch(/^v1-[0-9a-f]{8}$/);
      expect(list[0]?.heldOutParts).toBe(1);
    }
    const detail = await withUser(db.owner, a.users.viewer.claims, (c) => getPrelabelModel(c, a.workspaceId, modelId));
    expect(detail.evaluation?.faceAccuracy).toBe(1);
    expect(detail.revisions).toHaveLength(1);
    expect(detail.revisions[0]?.heldOut).toBe(true);
    expect(detail.requestedByName).toBeTruthy();
  });

  it("are invisible to another workspace's members: the table, the functions, the settings", async () => {
    for (const role of ["admin", "engineer", "viewer"] as const) {
      const claims = b.users[role].claims;
      const rows = await withUser(db.owner, claims, async (c) => ({
        models: (await c.query("select * from public.prelabel_models")).rowCount,
        revisions: (await c.query("select * from public.prelabel_model_revisions")).rowCount,
      }));
      expect(rows, role).toEqual({ models: 0, revisions: 0 });
      // naming workspace A, or its model under B's own workspace id
      expect(await withUser(db.owner, claims, (c) => listPrelabelModels(c, a.workspaceId, a.datasetId))).toEqual([]);
      expect(await withUser(db.owner, claims, (c) => listPrelabelModels(c, b.workspaceId, a.datasetId))).toEqual([]);
      expect((await refusal(withUser(db.owner, claims, (c) => getPrelabelModel(c, a.workspaceId, modelId)))).code).toBe(
        "NOT_FOUND",
      );
      expect((await refusal(withUser(db.owner, claims, (c) => getPrelabelModel(c, b.workspaceId, modelId)))).code).toBe(
        "NOT_FOUND",
      );
      expect(
        (await refusal(withUser(db.owner, claims, (c) => getLearningSettings(c, a.workspaceId, a.datasetId)))).code,
      ).toBe("NOT_FOUND");
    }
    // B's admin may not train A's dataset, whichever workspace they name
    for (const ws of [a.workspaceId, b.workspaceId]) {
      const r = await refusal(
        withUser(db.owner, b.users.admin.claims, (c) => requestPrelabelTraining(c, ws, a.datasetId)),
      );
      expect(r.code).toBe("NOT_FOUND");
    }
  });

  it("are written by nobody but the service", async () => {
    for (const sql of [
      "update public.prelabel_models set status = 'retired' where id = $1",
      "delete from public.prelabel_models where id = $1",
      `insert into public.prelabel_models (workspace_id, dataset_id, version, reason)
       select workspace_id, dataset_id, 99, 'manual' from public.prelabel_models where id = $1`,
      "delete from public.prelabel_model_revisions where model_id = $1",
    ]) {
      const r = await attempt(db.owner, { role: "authenticated", claims: a.users.admin.claims }, (c) =>
        c.query(sql, [modelId]).then((x) => x.rowCount),
      );
      expect(r.ok ? r.value : r.code, sql).toSatisfy((v: unknown) => v === 0 || v === "42501");
    }
    const { rows } = await db.owner.query("select status from public.prelabel_models where id = $1", [modelId]);
    expect(rows[0]?.status).toBe("promoted");
  });
});

describe("train now", () => {
  it("is for admins and engineers, one training at a time per dataset", async () => {
    const datasetId = await insertDataset(db.owner, { workspaceId: a.workspaceId, labelSchemaId: a.labelSchemaId });
    for (const role of ["annotator", "ml_engineer", "viewer"] as const) {
      const r = await refusal(
        withUser(db.owner, a.users[role].claims, (c) => requestPrelabelTraining(c, a.workspaceId, datasetId)),
      );
      expect(r.code, role).toBe("FORBIDDEN");
    }
    const { jobId } = await withUser(db.owner, a.users.engineer.claims, (c) =>
      requestPrelabelTraining(c, a.workspaceId, datasetId),
    );
    const job = await db.owner.query("select kind, status, payload, created_by from public.jobs where id = $1", [
      jobId,
    ]);
    expect(job.rows[0]).toMatchObject({
      kind: "learning:train",
      status: "queued",
      payload: { datasetId, reason: "manual" },
      created_by: a.users.engineer.id,
    });
    // handed to graphile-worker when its queue exists (the test template has no graphile_worker schema)
    const second = await refusal(
      withUser(db.owner, a.users.admin.claims, (c) => requestPrelabelTraining(c, a.workspaceId, datasetId)),
    );
    expect(second.code).toBe("CONFLICT");
    expect(second.message).toContain("queued or running");
    // still refused while it runs; accepted again once it ended
    await db.owner.query("update public.jobs set status = 'running' where id = $1", [jobId]);
    expect(
      (
        await refusal(
          withUser(db.owner, a.users.admin.claims, (c) => requestPrelabelTraining(c, a.workspaceId, datasetId)),
        )
      ).code,
    ).toBe("CONFLICT");
    const settings = await withUser(db.owner, a.users.viewer.claims, (c) =>
      getLearningSettings(c, a.workspaceId, datasetId),
    );
    expect(settings.trainingPending).toBe(true);
    await db.owner.query("update public.jobs set status = 'failed', finished_at = now() where id = $1", [jobId]);
    const again = await withUser(db.owner, a.users.admin.claims, (c) =>
      requestPrelabelTraining(c, a.workspaceId, datasetId),
    );
    expect(again.jobId).not.toBe(jobId);
  });

  it("queues one job when two ask at once", async () => {
    const datasetId = await insertDataset(db.owner, { workspaceId: a.workspaceId, labelSchemaId: a.labelSchemaId });
    const results = await Promise.allSettled(
      (["admin", "engineer"] as const).map((role) =>
        withUser(db.owner, a.users[role].claims, (c) => requestPrelabelTraining(c, a.workspaceId, datasetId)),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const { rows } = await db.owner.query(
      "select count(*)::int as n from public.jobs where kind = 'learning:train' and payload ->> 'datasetId' = $1",
      [datasetId],
    );
    expect(rows[0]?.n).toBe(1);
  });
});

describe("learning settings", () => {
  it("are changed by admins and engineers, refused to others, and checked", async () => {
    const datasetId = await insertDataset(db.owner, { workspaceId: a.workspaceId, labelSchemaId: a.labelSchemaId });
    const initial = await withUser(db.owner, a.users.viewer.claims, (c) =>
      getLearningSettings(c, a.workspaceId, datasetId),
    );
    expect(initial).toMatchObject({ learnedPrelabel: false, retrainAfter: 25, queueOrder: "least_confident" });
    const set = await withUser(db.owner, a.users.engineer.claims, (c) =>
      updateLearningSettings(c, a.workspaceId, datasetId, {
        learnedPrelabel: true,
        retrainAfter: 40,
        queueOrder: "rare_classes",
      }),
    );
    expect(set).toMatchObject({ learnedPrelabel: true, retrainAfter: 40, queueOrder: "rare_classes" });
    for (const role of ["ml_engineer", "annotator", "viewer"] as const) {
      const r = await refusal(
        withUser(db.owner, a.users[role].claims, (c) =>
          updateLearningSettings(c, a.workspaceId, datasetId, { learnedPrelabel: false }),
        ),
      );
      expect(["FORBIDDEN", "NOT_FOUND"], role).toContain(r.code);
    }
    for (const retrainAfter of [0, 10001, 2.5]) {
      const r = await refusal(
        withUser(db.owner, a.users.admin.claims, (c) =>
          updateLearningSettings(c, a.workspaceId, datasetId, { retrainAfter }),
        ),
      );
      expect(r.code).toBe("VALIDATION_FAILED");
    }
    // and by the database itself
    const direct = await attempt(db.owner, { role: "authenticated", claims: a.users.admin.claims }, (c) =>
      c.query("update public.datasets set retrain_after = 0 where id = $1", [datasetId]),
    );
    expect(direct.ok).toBe(false);
    const after = await withUser(db.owner, a.users.viewer.claims, (c) =>
      getLearningSettings(c, a.workspaceId, datasetId),
    );
    expect(after).toMatchObject({ learnedPrelabel: true, retrainAfter: 40, queueOrder: "rare_classes" });
  });
});

describe("retraining after approvals", () => {
  async function trainingJobs(datasetId: string) {
    const { rows } = await db.owner.query<{ id: string; status: string; reason: string }>(
      `select id, status::text, payload ->> 'reason' as reason from public.jobs
       where kind = 'learning:train' and payload ->> 'datasetId' = $1 order by created_at`,
      [datasetId],
    );
    return rows;
  }

  it("queues a training after retrain_after approvals, when learning is on, one at a time", async () => {
    const datasetId = await insertDataset(db.owner, { workspaceId: a.workspaceId, labelSchemaId: a.labelSchemaId });
    const parts = await approvedParts(a, datasetId, 9);
    // off: approvals queue nothing
    await approve(parts.slice(0, 3));
    expect(await trainingJobs(datasetId)).toEqual([]);
    await withUser(db.owner, a.users.admin.claims, (c) =>
      updateLearningSettings(c, a.workspaceId, datasetId, { learnedPrelabel: true, retrainAfter: 5 }),
    );
    // the three before count: two more reach five
    await approve(parts.slice(3, 4));
    expect(await trainingJobs(datasetId)).toEqual([]);
    await approve(parts.slice(4, 5));
    const first = await trainingJobs(datasetId);
    expect(first.map((j) => [j.status, j.reason])).toEqual([["queued", "auto"]]);
    // counting starts again from the request; while it is queued nothing more is queued
    await approve(parts.slice(5, 9));
    expect(await trainingJobs(datasetId)).toHaveLength(1);
    const settings = await withUser(db.owner, a.users.viewer.claims, (c) =>
      getLearningSettings(c, a.workspaceId, datasetId),
    );
    expect(settings.approvalsSinceTraining).toBe(4);
    await db.owner.query("update public.jobs set status = 'completed', finished_at = now() where id = $1", [
      first[0]?.id,
    ]);
    const more = await approvedParts(a, datasetId, 1);
    await approve(more);
    const jobs = await trainingJobs(datasetId);
    expect(jobs.map((j) => [j.status, j.reason])).toEqual([
      ["completed", "auto"],
      ["queued", "auto"],
    ]);
  });
});

describe("a refused model", () => {
  it("is never used again, and the dataset falls back to the model in use before it", async () => {
    const datasetId = await insertDataset(db.owner, { workspaceId: a.workspaceId, labelSchemaId: a.labelSchemaId });
    const v1 = await trainedModel(a, datasetId, true);
    const v2 = await trainedModel(a, datasetId, true);
    const v3 = await trainedModel(a, datasetId, false);
    expect(v3.version).toBe(3);
    const inUse = await withService(db.owner, (c) => refuseModel(c, v2.id, "the model file is corrupt"));
    expect(inUse?.id).toBe(v1.id);
    const list = await withUser(db.owner, a.users.viewer.claims, (c) =>
      listPrelabelModels(c, a.workspaceId, datasetId),
    );
    expect(list.map((m) => [m.version, m.status])).toEqual([
      [3, "evaluated"],
      [2, "failed"],
      [1, "promoted"],
    ]);
    expect(list[1]?.error).toBe("the model file is corrupt");
    // refusing the last one leaves none
    expect(await withService(db.owner, (c) => refuseModel(c, v1.id, "corrupt too"))).toBeNull();
  });
});
