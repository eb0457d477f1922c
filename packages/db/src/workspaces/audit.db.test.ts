/**
 * The audit log as the admin's page reads it (issue 17, item 10): each event with the names of what it
 * is about (the part, the dataset, the member, the invitation), so that the page tells it in sentences.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { withUser } from "../session";
import { createTestDatabase, createWorkspaceWithRoles, insertParts, type TestDatabase } from "../testing";
import { type AuditEvent, listAuditEvents, recordAuditEvent } from "./audit";
import { addComment } from "./comments";
import { createInvitation } from "./invitations";
import { discardPart } from "./part-detail";

type Workspace = Awaited<ReturnType<typeof createWorkspaceWithRoles>>;

let db: TestDatabase;
let w: Workspace;

beforeAll(async () => {
  db = await createTestDatabase(inject("pgBaseUrl"));
  w = await createWorkspaceWithRoles(db.owner, "audit");
});

afterAll(async () => {
  await db.drop();
});

const asAdmin = <T>(fn: (c: import("pg").PoolClient) => Promise<T>) => withUser(db.owner, w.users.admin.claims, fn);
const list = () => asAdmin((c) => listAuditEvents(c, w.workspaceId, 500));
const one = (events: AuditEvent[], test: (e: AuditEvent) => boolean) => {
  const found = events.filter(test);
  expect(found, "exactly one matching event").toHaveLength(1);
  return found[0] as AuditEvent;
};

describe("listAuditEvents", () => {
  it("names what each event is about: parts (renamed, deleted, by data.part_id), datasets, members, invitations", async () => {
    const [kept, dropped] = await insertParts(db.owner, {
      workspaceId: w.workspaceId,
      datasetId: w.datasetId,
      count: 2,
    });
    const keptId = kept as string;
    const droppedId = dropped as string;
    const { rows } = await db.owner.query<{ name: string }>("select name from public.parts where id = $1", [droppedId]);
    const droppedName = rows[0]?.name as string;
    await asAdmin(async (c) => {
      await c.query("update public.parts set name = 'bracket-renamed.step' where id = $1", [keptId]);
      await addComment(c, { workspaceId: w.workspaceId, partId: keptId, comment: { body: "check the bore" } });
      await recordAuditEvent(c, {
        workspaceId: w.workspaceId,
        action: "upload.completed",
        targetTable: "datasets",
        targetId: w.datasetId,
        data: { name: "bracket.step", size: 10, partId: keptId },
      });
      await discardPart(c, w.workspaceId, droppedId);
      await createInvitation(c, {
        workspaceId: w.workspaceId,
        role: "engineer",
        email: "new.engineer@example.test",
        tokenHash: randomBytes(32).toString("hex"),
        expiresInHours: 24,
        maxUses: 1,
      });
      await c.query("update public.workspace_members set role = 'engineer' where workspace_id = $1 and user_id = $2", [
        w.workspaceId,
        w.users.viewer.id,
      ]);
    });
    await db.owner.query("update public.profiles set display_name = 'Ada Admin' where user_id = $1", [
      w.users.admin.id,
    ]);

    const events = await list();
    // newest first, ids as numbers and times as ISO strings
    expect(events.map((e) => e.id)).toEqual([...events.map((e) => e.id)].sort((a, b) => b - a));
    expect(typeof events[0]?.createdAt).toBe("string");
    expect(events[0]?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    const renamed = one(events, (e) => e.action === "part.updated" && e.targetId === keptId);
    expect(renamed).toMatchObject({
      partName: "bracket-renamed.step",
      actorName: "Ada Admin",
      actorEmail: w.users.admin.email,
      actorKind: "user",
    });
    expect(one(events, (e) => e.action === "comment.created" && e.data.part_id === keptId).partName).toBe(
      "bracket-renamed.step",
    );
    expect(one(events, (e) => e.action === "upload.completed")).toMatchObject({
      partName: "bracket-renamed.step",
      targetName: "parts",
    });
    expect(one(events, (e) => e.action === "part.deleted" && e.targetId === droppedId).partName).toBe(droppedName);
    // the deleted part's earlier events have no name left to show
    expect(one(events, (e) => e.action === "part.created" && e.targetId === droppedId).partName).toBeNull();
    expect(one(events, (e) => e.action === "invitation.created")).toMatchObject({
      targetName: "new.engineer@example.test",
      targetRole: "engineer",
    });
    expect(one(events, (e) => e.action === "member.updated" && e.targetId === w.users.viewer.id)).toMatchObject({
      targetName: w.users.viewer.email,
      targetRole: "engineer",
    });
    expect(one(events, (e) => e.action === "dataset.created" && e.targetId === w.datasetId).targetName).toBe("parts");
    expect(one(events, (e) => e.action === "label_schema.created").targetName).toBe("Default");
    // written by the owner (no user): no actor name
    expect(one(events, (e) => e.action === "dataset.created").actorName).toBeNull();
  });

  it("is the admins' only", async () => {
    expect(await withUser(db.owner, w.users.engineer.claims, (c) => listAuditEvents(c, w.workspaceId))).toEqual([]);
  });
});
