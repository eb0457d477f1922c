import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { createTestDatabase, createWorkspaceWithRoles, insertParts, type TestDatabase } from "./testing";

let db: TestDatabase;
beforeAll(async () => { db = await createTestDatabase(inject("pgBaseUrl")); });
afterAll(async () => { await db.drop(); });

it("probe workspace delete", async () => {
  const w = await createWorkspaceWithRoles(db.owner, "p");
  const [p] = await insertParts(db.owner, { workspaceId: w.workspaceId, datasetId: w.datasetId, count: 1, status: "in_progress" });
  await db.owner.query("insert into public.annotation_revisions (part_id, revision_no, author_id, label_schema_id, document) values ($1, 1, $2, $3, '{}')", [p, w.users.annotator.id, w.labelSchemaId]);
  const c = await db.owner.connect();
  try {
    await c.query("begin");
    await c.query("set local role authenticated");
    await c.query("select set_config('request.jwt.claims', $1, true)", [JSON.stringify(w.users.admin.claims)]);
    const r = await c.query("delete from public.workspaces where id = $1", [w.workspaceId]).catch((e) => e);
    console.log("ws delete", r.rowCount ?? `${r.code} ${r.message}`);
    await c.query("rollback");
    await c.query("begin");
    const r2 = await c.query("delete from public.workspaces where id = $1", [w.workspaceId]).catch((e) => e);
    console.log("ws delete as owner", r2.rowCount ?? `${r2.code} ${r2.message}`);
    await c.query("rollback");
  } finally { c.release(); }
});
