/**
 * The audit log as the admin's page reads it (issue 17, item 10): each event with the names of what it
 * is about (the part, the dataset, the member, the invitation), so that the page tells it in sentences.
 */
import { randomBytes } from "node:crypto";
import { parseAuditFilter } from "@facet/core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { toAppError } from "../errors";
import { withUser } from "../session";
import {
  createTestDatabase,
  createWorkspaceWithRoles,
  insertDataset,
  insertParts,
  type TestDatabase,
} from "../testing";
import { type AuditEvent, listAuditEvents, queryAuditLog, recordAuditEvent } from "./audit";
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

  it("filters by actor, action or prefix, part, dataset (its parts' events too) and period, in pages", async () => {
    const d2 = await insertDataset(db.owner, { workspaceId: w.workspaceId, labelSchemaId: w.labelSchemaId });
    const [p2] = (await insertParts(db.owner, { workspaceId: w.workspaceId, datasetId: d2, count: 1 })) as [string];
    const admin = w.users.admin.id;
    const annotator = w.users.annotator.id;
    const at = (day: string) => `2026-01-${day}T12:00:00Z`;
    const fixture: Array<[string, string, string | null, string | null, object, string]> = [
      ["part.status_changed", admin, "parts", p2, {}, at("10")],
      ["part.claimed", annotator, null, null, { part_id: p2 }, at("11")],
      ["dataset.created", admin, "datasets", d2, {}, at("12")],
      ["member.updated", admin, "workspace_members", w.users.viewer.id, {}, at("12")],
      ["upload.completed", annotator, null, null, { dataset_id: d2 }, at("13")],
    ];
    const ids: number[] = [];
    for (const [action, actor, table, target, data, created] of fixture) {
      const { rows } = await db.owner.query<{ id: string }>(
        `insert into public.audit_events (workspace_id, actor_id, actor_kind, action, target_table, target_id, data, created_at)
         values ($1, $2, 'user', $3, $4, $5, $6, $7) returning id`,
        [w.workspaceId, actor, action, table, target, data, created],
      );
      ids.push(Number(rows[0]?.id));
    }
    const [statusChanged, claimed, created, memberUpdated, uploaded] = ids as [number, number, number, number, number];
    const query = (q: string, limit = 100, cursor: string | null = null) =>
      asAdmin((c) => queryAuditLog(c, w.workspaceId, { filter: parseAuditFilter(q), cursor, limit }));
    const found = async (q: string) => (await query(q)).events.map((e) => e.id);
    const january = "period=2026-01-10..2026-01-13";
    // newest first; the two events of the same moment by id, newest first
    expect(await found(january)).toEqual([uploaded, memberUpdated, created, claimed, statusChanged]);
    expect(await found(`${january}&dataset=${d2}`)).toEqual([uploaded, created, claimed, statusChanged]);
    expect(await found(`${january}&part=${p2}`)).toEqual([claimed, statusChanged]);
    expect(await found(`${january}&action=part.`)).toEqual([claimed, statusChanged]);
    expect(await found(`${january}&action=part.claimed`)).toEqual([claimed]);
    expect(await found(`${january}&actor=${annotator}`)).toEqual([uploaded, claimed]);
    expect(await found("period=2026-01-12")).toEqual([memberUpdated, created]);
    expect(await found(`period=..2026-01-11&action=part.&actor=${admin}`)).toEqual([statusChanged]);

    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<typeof queryAuditLog>> = await query(january, 2, cursor);
      seen.push(...page.events.map((e) => e.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([uploaded, memberUpdated, created, claimed, statusChanged]);
    await expect(
      query(january, 2, "bm90IGEgY3Vyc29y").catch((e) => Promise.reject(toAppError(e))),
    ).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
  });

  it("is the admins' only", async () => {
    expect(await withUser(db.owner, w.users.engineer.claims, (c) => listAuditEvents(c, w.workspaceId))).toEqual([]);
  });
});
