import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createTestDatabase, createWorkspaceWithRoles, type TestDatabase } from "../testing";

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
