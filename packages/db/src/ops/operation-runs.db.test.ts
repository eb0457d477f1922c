import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { withUser } from "../session";
import { attempt, createTestDatabase, createWorkspaceWithRoles, type TestDatabase } from "../testing";
import { lastOperationRuns, recordOperationRun } from "./operation-runs";

describe("operation runs (facet backup, facet gc)", () => {
  let db: TestDatabase;
  let ws: Awaited<ReturnType<typeof createWorkspaceWithRoles>>;

  beforeAll(async () => {
    db = await createTestDatabase(inject("pgBaseUrl"));
    ws = await createWorkspaceWithRoles(db.owner, "ops-runs");
  });
  afterAll(async () => {
    await db.drop();
  });

  it("shows a workspace's admins when each last ran and whether it worked, and nobody the counts", async () => {
    const seen = (role: "admin" | "engineer" | "viewer") =>
      withUser(db.owner, ws.users[role].claims, (c) => lastOperationRuns(c, ws.workspaceId), {
        workspaceId: ws.workspaceId,
      });
    expect(await seen("admin")).toEqual([]);
    await recordOperationRun(db.owner, { kind: "backup", ok: true, summary: { files: 10, bytes: 100 } });
    await recordOperationRun(db.owner, { kind: "gc", ok: false, summary: { error: "a backup is running" } });
    await recordOperationRun(db.owner, { kind: "gc", ok: true, summary: { objects: 3, bytes: 30 } });
    const runs = await seen("admin");
    expect(runs.map((r) => [r.kind, r.ok])).toEqual([
      ["backup", true],
      ["gc", true],
    ]);
    expect(Object.keys(runs[0] as object).sort()).toEqual(["finishedAt", "kind", "ok"]);
    expect(await seen("engineer")).toEqual([]);
    expect(await seen("viewer")).toEqual([]);
    // the table itself: no user reads or writes it
    for (const sql of [
      "select * from private.operation_runs",
      "insert into private.operation_runs (kind, ok) values ('backup', true)",
    ]) {
      const r = await attempt(db.owner, { role: "authenticated", claims: ws.users.admin.claims }, (c) => c.query(sql));
      expect(r.ok, sql).toBe(false);
    }
  });
});
