import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { dispatchQueuedJobs, type HandOverJobs } from "./job-dispatch";
import { attempt, createTestDatabase, createWorkspaceWithRoles, insertParts, type TestDatabase } from "./testing";

describe("dispatching queued jobs to Trigger.dev (real database)", () => {
  let db: TestDatabase;
  let ws: Awaited<ReturnType<typeof createWorkspaceWithRoles>>;

  async function queue(kind: string, count: number, status = "queued"): Promise<string[]> {
    const parts = await insertParts(db.owner, { workspaceId: ws.workspaceId, datasetId: ws.datasetId, count });
    const ids: string[] = [];
    for (const partId of parts) {
      const r = await db.owner.query<{ id: string }>(
        "insert into jobs (workspace_id, kind, part_id, status) values ($1, $2, $3, $4) returning id",
        [ws.workspaceId, kind, partId, status],
      );
      ids.push((r.rows[0] as { id: string }).id);
    }
    return ids;
  }
  const undispatched = async () =>
    (
      await db.owner.query<{ id: string }>(
        "select id from jobs where status = 'queued' and dispatched_at is null and kind = 'geometry:tessellate'",
      )
    ).rows.length;

  beforeAll(async () => {
    db = await createTestDatabase(inject("pgBaseUrl"));
    ws = await createWorkspaceWithRoles(db.owner, "dispatch");
  });
  afterAll(() => db.drop());

  it("hands each queued job of a known kind over once, to its task, keyed by the job id", async () => {
    const tessellate = await queue("geometry:tessellate", 3);
    await queue("export", 1); // no task runs this kind yet: left alone
    await queue("geometry:tessellate", 1, "completed");
    const seen: Array<{ taskId: string; jobId: string }> = [];
    const trigger: HandOverJobs = async (jobs) => {
      seen.push(...jobs);
    };
    expect(await dispatchQueuedJobs(db.owner, trigger)).toBe(3);
    expect(seen.map((j) => j.jobId).sort()).toEqual([...tessellate].sort());
    expect(new Set(seen.map((j) => j.taskId))).toEqual(new Set(["geometry-tessellate"]));
    expect(await dispatchQueuedJobs(db.owner, trigger)).toBe(0);
    expect(seen).toHaveLength(3);
  });

  it("leaves the jobs queued for the next pass when the hand-over fails", async () => {
    const ids = await queue("geometry:tessellate", 2);
    const failing: HandOverJobs = async () => {
      throw new Error("Trigger.dev is unreachable");
    };
    await expect(dispatchQueuedJobs(db.owner, failing)).rejects.toThrow("unreachable");
    expect(await undispatched()).toBe(2);
    const seen: string[] = [];
    expect(await dispatchQueuedJobs(db.owner, async (jobs) => void seen.push(...jobs.map((j) => j.jobId)))).toBe(2);
    expect(seen.sort()).toEqual([...ids].sort());
  });

  it("never gives one job to two dispatchers running at once", async () => {
    const ids = await queue("geometry:tessellate", 40);
    const seen: string[] = [];
    const slow: HandOverJobs = async (jobs) => {
      await new Promise((r) => setTimeout(r, 50));
      seen.push(...jobs.map((j) => j.jobId));
    };
    const counts = await Promise.all(Array.from({ length: 4 }, () => dispatchQueuedJobs(db.owner, slow, 15)));
    while ((await dispatchQueuedJobs(db.owner, slow, 15)) > 0);
    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(seen.sort()).toEqual([...ids].sort());
  });

  it("does not let a member mark a job dispatched", async () => {
    const [jobId] = await queue("geometry:tessellate", 1);
    const r = await attempt(db.owner, { role: "authenticated", claims: ws.users.admin.claims }, (c) =>
      c.query("update jobs set dispatched_at = now() where id = $1", [jobId]),
    );
    expect(r).toMatchObject({ ok: false, code: "FC004" });
  });
});
