import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { withUser } from "../session";
import { createTestDatabase, createWorkspaceWithRoles, insertParts, type TestDatabase } from "../testing";
import { listMemberActivity } from "./people";

describe("notifications", () => {
  let db: TestDatabase;
  let w: Awaited<ReturnType<typeof createWorkspaceWithRoles>>;

  beforeAll(async () => {
    db = await createTestDatabase(inject("pgBaseUrl"));
    w = await createWorkspaceWithRoles(db.owner, "notify-active");
  });
  afterAll(async () => {
    await db.drop();
  });

  it("go to active members only: a deactivated member is told nothing more, and again once reactivated", async () => {
    const { annotator } = w.users;
    const told = async () =>
      Number(
        (await db.owner.query("select count(*) as n from public.notifications where user_id = $1", [annotator.id]))
          .rows[0]?.n,
      );
    const notify = () =>
      db.owner.query("select private.notify($1, $2, 'mention', null, null, 'you were mentioned')", [
        w.workspaceId,
        annotator.id,
      ]);
    await notify();
    expect(await told()).toBe(1);
    await db.owner.query(
      "update public.workspace_members set deactivated_at = now() where workspace_id = $1 and user_id = $2",
      [w.workspaceId, annotator.id],
    );
    await notify();
    expect(await told()).toBe(1);
    await db.owner.query(
      "update public.workspace_members set deactivated_at = null where workspace_id = $1 and user_id = $2",
      [w.workspaceId, annotator.id],
    );
    await notify();
    expect(await told()).toBe(2);
  });
});

describe("last activity", () => {
  let db: TestDatabase;
  let w: Awaited<ReturnType<typeof createWorkspaceWithRoles>>;

  beforeAll(async () => {
    db = await createTestDatabase(inject("pgBaseUrl"));
    w = await createWorkspaceWithRoles(db.owner, "activity-labelling");
  });
  afterAll(async () => {
    await db.drop();
  });

  it("counts labelling time the workbench reported, before anything the person did was audited", async () => {
    const { annotator } = w.users;
    const [partId] = await insertParts(db.owner, {
      workspaceId: w.workspaceId,
      datasetId: w.datasetId,
      count: 1,
      status: "in_progress",
    });
    const activity = () =>
      withUser(db.owner, w.users.admin.claims, (c) => listMemberActivity(c, w.workspaceId), {
        workspaceId: w.workspaceId,
      });
    const before = (await activity()).find((a) => a.userId === annotator.id);
    expect(before?.lastActiveAt ?? null).toBeNull();
    const { rows } = await db.owner.query<{ at: string }>(
      `insert into public.work_time (workspace_id, part_id, user_id, session_id, active_ms)
       values ($1, $2, $3, gen_random_uuid(), 30000)
       returning to_char(updated_at at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as at`,
      [w.workspaceId, partId, annotator.id],
    );
    const after = (await activity()).find((a) => a.userId === annotator.id);
    expect(after?.lastActiveAt).toBe(rows[0]?.at);
  });
});
