import { JOB_KINDS } from "@facet/core";
import { createTestDatabase, createWorkspaceWithRoles, insertParts, type TestDatabase } from "@facet/db/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { migrateJobQueue } from "./graphile-worker";

describe("graphile-worker's queue schema (real database)", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(inject("pgBaseUrl"));
  });
  afterAll(() => db.drop());

  const queued = async () =>
    (
      await db.owner.query<{ task: string; key: string }>(
        "select task_identifier as task, key from graphile_worker.jobs order by id",
      )
    ).rows;

  it("is created (twice is harmless), and from then on a queued job row reaches the queue in its transaction", async () => {
    const exists = async () =>
      (await db.owner.query<{ ok: boolean }>("select to_regnamespace('graphile_worker') is not null as ok")).rows[0]
        ?.ok;
    expect(await exists()).toBe(false);
    await migrateJobQueue(db.url);
    await migrateJobQueue(db.url);
    expect(await exists()).toBe(true);
    expect(await queued()).toEqual([]);

    const ws = await createWorkspaceWithRoles(db.owner, "queue");
    const [partId] = await insertParts(db.owner, { workspaceId: ws.workspaceId, datasetId: ws.datasetId, count: 1 });
    const { rows } = await db.owner.query<{ id: string }>(
      "insert into jobs (workspace_id, kind, part_id) values ($1, $2, $3) returning id",
      [ws.workspaceId, JOB_KINDS.tessellate, partId],
    );
    expect(await queued()).toEqual([{ task: JOB_KINDS.tessellate, key: rows[0]?.id }]);
  });
});
