/**
 * The figures behind `/api/metrics` (issue 19), read from a real database: per workspace only for
 * the workspaces asked for, and graphile-worker's queue from its own tables.
 */
import { makeWorkerUtils } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  adminWorkspaces,
  allWorkspaces,
  INGEST_LAG_BUCKETS,
  instanceMetrics,
  JOB_DURATION_BUCKETS,
  type MetricsWorkspace,
  workspaceMetrics,
} from "./metrics";
import { withUser } from "./session";
import { addMember, createTestDatabase, createWorkspaceWithRoles, insertParts, type TestDatabase } from "./testing";

type Workspace = Awaited<ReturnType<typeof createWorkspaceWithRoles>>;

let db: TestDatabase;
let a: Workspace;
let b: Workspace;
let A: MetricsWorkspace;
let B: MetricsWorkspace;

/** A finished (or waiting) job of workspace `w`, its times `seconds` ago. */
async function job(
  w: Workspace,
  kind: string,
  status: string,
  times: { created: number; started?: number; finished?: number },
) {
  const now = Date.now();
  const at = (s: number | undefined) => (s === undefined ? null : new Date(now - s * 1000).toISOString());
  await db.owner.query(
    `insert into public.jobs (workspace_id, kind, status, created_at, started_at, finished_at)
     values ($1, $2, $3::public.job_status, $4, $5, $6)`,
    [w.workspaceId, kind, status, at(times.created), at(times.started), at(times.finished)],
  );
}

beforeAll(async () => {
  db = await createTestDatabase(inject("pgBaseUrl"));
  a = await createWorkspaceWithRoles(db.owner, "metrics-a");
  b = await createWorkspaceWithRoles(db.owner, "metrics-b");
  A = { id: a.workspaceId, slug: a.slug };
  B = { id: b.workspaceId, slug: b.slug };

  // A: 3 uploaded, 2 pre-labelled (one 100 s after its upload, one 2 s after), one held (lease running), one
  // whose lease ran out; B: 5 uploaded
  await insertParts(db.owner, { workspaceId: A.id, datasetId: a.datasetId, count: 3 });
  const labelled = await insertParts(db.owner, {
    workspaceId: A.id,
    datasetId: a.datasetId,
    count: 2,
    status: "pre_labeled",
  });
  for (const [i, id] of labelled.entries()) {
    const lag = i === 0 ? 100 : 2;
    await db.owner.query(
      `insert into public.annotation_revisions (part_id, revision_no, document, model_assisted, source, created_at)
       select id, 1, '{"schemaVersion":1,"faceSignature":"s","faceCount":1,"labels":["hole"],"instances":[]}', true, 'model',
              created_at + make_interval(secs => $2)
       from public.parts where id = $1`,
      [id, lag],
    );
  }
  const [held, expired] = await insertParts(db.owner, {
    workspaceId: A.id,
    datasetId: a.datasetId,
    count: 2,
    status: "in_progress",
  });
  await db.owner.query(
    `update public.parts set annotator_id = $2, claimed_at = now(), lease_expires_at = now() + interval '10 minutes',
       claimed_from = 'pre_labeled' where id = $1`,
    [held, a.users.annotator.id],
  );
  await db.owner.query(
    `update public.parts set annotator_id = $2, claimed_at = now() - interval '1 hour',
       lease_expires_at = now() - interval '1 minute', claimed_from = 'pre_labeled' where id = $1`,
    [expired, a.users.annotator.id],
  );
  await insertParts(db.owner, { workspaceId: B.id, datasetId: b.datasetId, count: 5 });

  await job(a, "tessellate", "queued", { created: 60 });
  await job(a, "tessellate", "queued", { created: 5 });
  await job(a, "tessellate", "running", { created: 30, started: 20 });
  await job(a, "tessellate", "completed", { created: 100, started: 90, finished: 88 }); // 2 s
  await job(a, "tessellate", "completed", { created: 100, started: 90, finished: 89.7 }); // 0.3 s
  await job(a, "tessellate", "failed", { created: 100, started: 90, finished: 50 }); // 40 s
  await job(a, "curation:export", "canceled", { created: 10 }); // never started
  await job(a, "edge", "completed", { created: 60, started: 50, finished: 49 }); // exactly 1 s: le="1"
  await job(b, "tessellate", "failed", { created: 100, started: 99, finished: 98 });
  await job(b, "tessellate", "queued", { created: 3600 });
});

afterAll(async () => {
  await db.drop();
});

describe("workspaceMetrics", () => {
  it("counts parts by status (zeros too) and active claims, for the workspaces asked for only", async () => {
    const m = await workspaceMetrics(db.owner, [A]);
    expect(new Set(m.parts.map((p) => p.workspace))).toEqual(new Set([A.slug]));
    const parts = Object.fromEntries(m.parts.map((p) => [p.status, p.count]));
    expect(parts).toEqual({
      uploaded: 3,
      processing: 0,
      failed: 0,
      unannotated: 0,
      pre_labeled: 2,
      in_progress: 2,
      in_review: 0,
      approved: 0,
    });
    expect(m.activeClaims).toEqual([{ workspace: A.slug, count: 1 }]);
    const both = await workspaceMetrics(db.owner, [A, B]);
    expect(both.parts.find((p) => p.workspace === B.slug && p.status === "uploaded")?.count).toBe(5);
    expect(both.activeClaims).toContainEqual({ workspace: B.slug, count: 0 });
  });

  it("puts each pre-labelled part's upload-to-pre-label time in a histogram", async () => {
    const m = await workspaceMetrics(db.owner, [A, B]);
    expect(m.ingestLag).toHaveLength(1); // B has no pre-labelled part
    const lag = m.ingestLag[0];
    expect(lag?.labels).toEqual({ workspace: A.slug });
    expect(lag?.bounds).toEqual(INGEST_LAG_BUCKETS);
    expect(lag?.counts.reduce((x, y) => x + y, 0)).toBe(2);
    expect(lag?.counts[INGEST_LAG_BUCKETS.indexOf(5)]).toBe(1); // 2 s: in (1, 5]
    expect(lag?.counts[INGEST_LAG_BUCKETS.indexOf(120)]).toBe(1); // 100 s: in (60, 120]
    expect(lag?.sum).toBeCloseTo(102, 3);
  });

  it("gives the job queue by kind with the oldest wait, finished jobs by outcome, and run durations", async () => {
    const m = await workspaceMetrics(db.owner, [A]);
    const queued = m.jobQueue.find((q) => q.kind === "tessellate" && q.status === "queued");
    expect(queued?.count).toBe(2);
    expect(queued?.oldestSeconds).toBeGreaterThanOrEqual(59);
    expect(queued?.oldestSeconds).toBeLessThan(600); // B's hour-old job is not A's
    expect(m.jobQueue.find((q) => q.status === "running")?.count).toBe(1);
    expect(m.jobsFinished.sort((x, y) => (x.kind + x.status < y.kind + y.status ? -1 : 1))).toEqual([
      { workspace: A.slug, kind: "curation:export", status: "canceled", count: 1 },
      { workspace: A.slug, kind: "edge", status: "completed", count: 1 },
      { workspace: A.slug, kind: "tessellate", status: "completed", count: 2 },
      { workspace: A.slug, kind: "tessellate", status: "failed", count: 1 },
    ]);
    const completed = m.jobDurations.find((d) => d.labels.kind === "tessellate" && d.labels.status === "completed");
    expect(completed?.counts[JOB_DURATION_BUCKETS.indexOf(0.5)]).toBe(1);
    expect(completed?.counts[JOB_DURATION_BUCKETS.indexOf(2.5)]).toBe(1);
    expect(completed?.sum).toBeCloseTo(2.3, 3);
    const failed = m.jobDurations.find((d) => d.labels.status === "failed");
    expect(failed?.counts[JOB_DURATION_BUCKETS.indexOf(60)]).toBe(1);
    // a run of exactly a bound's length counts in that bound's bucket (le: less than or equal)
    const edge = m.jobDurations.find((d) => d.labels.kind === "edge");
    expect(edge?.counts[JOB_DURATION_BUCKETS.indexOf(1)]).toBe(1);
    expect(edge?.counts.reduce((x, y) => x + y, 0)).toBe(1);
    // the canceled job never ran: counted as finished, not timed
    expect(m.jobDurations.find((d) => d.labels.status === "canceled")).toBeUndefined();
  });

  it("asks nothing for no workspace", async () => {
    expect(await workspaceMetrics(db.owner, [])).toEqual({
      parts: [],
      activeClaims: [],
      ingestLag: [],
      jobQueue: [],
      jobsFinished: [],
      jobDurations: [],
    });
  });
});

describe("adminWorkspaces", () => {
  it("lists the workspaces the user administers, as the user (another role gives none)", async () => {
    expect(await withUser(db.owner, a.users.admin.claims, adminWorkspaces)).toEqual([A]);
    expect(await withUser(db.owner, a.users.annotator.claims, adminWorkspaces)).toEqual([]);
    await addMember(db.owner, B.id, a.users.viewer.id, "admin");
    expect(await withUser(db.owner, a.users.viewer.claims, adminWorkspaces)).toEqual([B]);
    const all = await allWorkspaces(db.owner);
    expect(all).toEqual(expect.arrayContaining([A, B]));
  });
});

describe("instanceMetrics", () => {
  it("reads graphile-worker's queue by task once its schema exists (waiting, scheduled, oldest wait)", async () => {
    const before = await instanceMetrics(db.owner);
    expect(before.workerQueuePresent).toBe(false);
    expect(before.workerQueue).toEqual([]);
    expect(before.workersAlive).toBe(0);

    const utils = await makeWorkerUtils({ connectionString: db.url, maxPoolSize: 2 });
    try {
      await utils.migrate();
      await utils.addJob("metrics_probe", {}, { runAt: new Date(Date.now() - 30_000) });
      await utils.addJob("metrics_probe", {});
      await utils.addJob("metrics_probe", {}, { runAt: new Date(Date.now() + 3_600_000) });
    } finally {
      await utils.release();
    }
    // a job queued in public.jobs reaches graphile-worker's queue through the trigger
    await job(a, "tessellate", "queued", { created: 0 });
    await db.owner.query(
      "insert into private.worker_heartbeats (worker_id, hostname, pid, runner) values ('w1', 'h', 1, 'graphile-worker')",
    );

    const m = await instanceMetrics(db.owner);
    expect(m.workerQueuePresent).toBe(true);
    const probe = m.workerQueue.find((q) => q.task === "metrics_probe");
    expect(probe).toMatchObject({ waiting: 2, scheduled: 1, running: 0, dead: 0 });
    expect(probe?.oldestSeconds).toBeGreaterThanOrEqual(29);
    expect(m.workerQueue.find((q) => q.task === "tessellate")).toMatchObject({ waiting: 1, running: 0 });
    expect(m.workersAlive).toBe(1);
  });
});
