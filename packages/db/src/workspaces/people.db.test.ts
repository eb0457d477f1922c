/**
 * People, for admins (issue 19 item 3), against the real database: deactivation is enforced by
 * row-level security itself (sessions and API-key claims alike), claims go back to the queue, work
 * stays attributed; reactivation; the last active admin; erasure of a person's data from every table
 * (checked by scanning every text and JSON column of the database); transfer of datasets.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Claims } from "../session";
import { withUser } from "../session";
import {
  addMember,
  createTestDatabase,
  createUser,
  createWorkspaceWithRoles,
  insertDataset,
  insertParts,
  listenFacetEvents,
  refusal,
  type TestDatabase,
  type TestUser,
} from "../testing";
import { addComment } from "./comments";
import { createInvitation } from "./invitations";
import { changeMemberRole, listMembers } from "./members";
import { claimNextPart } from "./parts";
import {
  deactivateMember,
  erasePerson,
  listMemberActivity,
  listOwnedItems,
  reactivateMember,
  transferMemberItems,
} from "./people";
import { getWorkspaceForMember } from "./workspaces";

type Workspace = Awaited<ReturnType<typeof createWorkspaceWithRoles>>;

let db: TestDatabase;
let w: Workspace;

beforeAll(async () => {
  db = await createTestDatabase(inject("pgBaseUrl"));
  w = await createWorkspaceWithRoles(db.owner, "people");
});

afterAll(async () => {
  await db.drop();
});

const scope = () => ({ workspaceId: w.workspaceId });
const asAdmin = <T>(fn: (c: import("pg").PoolClient) => Promise<T>) =>
  withUser(db.owner, w.users.admin.claims, fn, scope());
/** The claims authenticateApiKey (packages/auth) gives a key bound to the workspace. */
const keyClaims = (u: TestUser, keyId: string): Claims => ({
  ...u.claims,
  api_key_id: keyId,
  facet_workspace_id: w.workspaceId,
});
const visibleParts = (claims: Claims) =>
  withUser(db.owner, claims, async (c) => {
    const { rows } = await c.query<{ n: number }>(
      "select count(*)::int as n from public.parts where workspace_id = $1",
      [w.workspaceId],
    );
    return rows[0]?.n ?? 0;
  });

async function newAnnotator(label: string): Promise<TestUser> {
  const u = await createUser(db.owner, label);
  await addMember(db.owner, w.workspaceId, u.id, "annotator");
  return u;
}

describe("deactivating a member", () => {
  it("ends their access at once (session and API key, in the database), releases their claims, keeps their work", async () => {
    const ann = await newAnnotator("deact");
    const datasetId = await insertDataset(db.owner, { workspaceId: w.workspaceId, labelSchemaId: w.labelSchemaId });
    await insertParts(db.owner, { workspaceId: w.workspaceId, datasetId, count: 2, status: "unannotated" });
    const claimed = await withUser(db.owner, ann.claims, (c) =>
      claimNextPart(c, { workspaceId: w.workspaceId, datasetId }),
    );
    expect(claimed?.status).toBe("in_progress");
    const partId = claimed?.id as string;
    await withUser(db.owner, ann.claims, (c) =>
      c.query(
        `insert into public.annotation_revisions (part_id, workspace_id, blob_sha256, author_id, document)
         select id, workspace_id, blob_sha256, auth.uid(), '{"labels": []}' from public.parts where id = $1`,
        [partId],
      ),
    );
    const key = await db.owner.query<{ id: string }>(
      `insert into public.api_keys (workspace_id, user_id, name, prefix, key_hash, scopes)
       values ($1, $2, 'k', 'abcdEFGH', $3, '{read,label}') returning id`,
      [w.workspaceId, ann.id, randomBytes(32).toString("hex")],
    );
    const keyId = key.rows[0]?.id as string;
    expect(await visibleParts(ann.claims)).toBeGreaterThan(0);
    expect(await visibleParts(keyClaims(ann, keyId))).toBeGreaterThan(0);

    const { releasedParts } = await asAdmin((c) => deactivateMember(c, { workspaceId: w.workspaceId, userId: ann.id }));
    expect(releasedParts).toBe(1);

    // the very next statements, as them: nothing of the workspace
    expect(await visibleParts(ann.claims)).toBe(0);
    expect(await visibleParts(keyClaims(ann, keyId))).toBe(0);
    expect((await refusal(withUser(db.owner, ann.claims, (c) => getWorkspaceForMember(c, w.workspaceId)))).code).toBe(
      "NOT_A_MEMBER",
    );
    expect(
      (
        await refusal(
          withUser(db.owner, ann.claims, (c) => claimNextPart(c, { workspaceId: w.workspaceId, datasetId })),
        )
      ).code,
    ).toMatch(/FORBIDDEN|NOT_A_MEMBER|ROLE_REQUIRED/);

    // the claim is back in the queue, by the ordinary transition (recorded in the part's history)
    const part = await db.owner.query<{ status: string; annotator_id: string | null }>(
      "select status, annotator_id from public.parts where id = $1",
      [partId],
    );
    expect(part.rows[0]).toEqual({ status: "unannotated", annotator_id: null });
    const history = await db.owner.query<{ actor_id: string; data: Record<string, unknown> }>(
      `select actor_id, data from public.audit_events
       where action = 'part.status_changed' and target_id = $1 order by id desc limit 1`,
      [partId],
    );
    expect(history.rows[0]).toEqual({
      actor_id: w.users.admin.id,
      data: { from: "in_progress", to: "unannotated", annotator_id: null },
    });
    const event = await db.owner.query<{ data: { released_parts: number } }>(
      "select data from public.audit_events where action = 'member.deactivated' and target_id = $1",
      [ann.id],
    );
    expect(event.rows[0]?.data.released_parts).toBe(1);
    // their work stays theirs
    const rev = await db.owner.query<{ author_id: string }>(
      "select author_id from public.annotation_revisions where part_id = $1",
      [partId],
    );
    expect(rev.rows.map((r) => r.author_id)).toEqual([ann.id]);

    // the list shows them deactivated; reactivation gives access back, role unchanged
    const listed = await asAdmin((c) => listMembers(c, w.workspaceId));
    expect(listed.find((m) => m.userId === ann.id)?.deactivatedAt).toBeTruthy();
    await asAdmin((c) => reactivateMember(c, { workspaceId: w.workspaceId, userId: ann.id }));
    expect(await visibleParts(ann.claims)).toBeGreaterThan(0);
    expect(await visibleParts(keyClaims(ann, keyId))).toBeGreaterThan(0);
    const back = await withUser(db.owner, ann.claims, (c) => getWorkspaceForMember(c, w.workspaceId));
    expect(back.role).toBe("annotator");
  });

  it("tells listeners at once (deactivation and reactivation), so their open live streams check again and close", async () => {
    const ann = await newAnnotator("stream");
    const events = await listenFacetEvents(db);
    try {
      await asAdmin((c) => deactivateMember(c, { workspaceId: w.workspaceId, userId: ann.id }));
      await asAdmin((c) => reactivateMember(c, { workspaceId: w.workspaceId, userId: ann.id }));
      await events.eventsOf("none", async () => {});
      const access = events.all().filter((e) => e.kind === "access" && e.user_id === ann.id);
      expect(access).toEqual([
        { kind: "access", workspace_id: w.workspaceId, user_id: ann.id },
        { kind: "access", workspace_id: w.workspaceId, user_id: ann.id },
      ]);
    } finally {
      await events.close();
    }
  });

  it("is for admins only, never of yourself, and never of the last active admin", async () => {
    const ann = await newAnnotator("guard");
    expect(
      (
        await refusal(
          withUser(db.owner, w.users.engineer.claims, (c) =>
            deactivateMember(c, { workspaceId: w.workspaceId, userId: ann.id }),
          ),
        )
      ).code,
    ).toBe("NOT_FOUND"); // RLS: not an admin, no row to change
    const self = await refusal(
      asAdmin((c) => deactivateMember(c, { workspaceId: w.workspaceId, userId: w.users.admin.id })),
    );
    expect(self.code).toBe("FORBIDDEN");
    expect(self.message).toMatch(/yourself/);

    // a second admin: each may deactivate the other, but not both
    const second = await createUser(db.owner, "admin2");
    await addMember(db.owner, w.workspaceId, second.id, "admin");
    await asAdmin((c) => deactivateMember(c, { workspaceId: w.workspaceId, userId: second.id }));
    // deactivated, the second admin can do nothing as admin
    expect(
      (
        await refusal(
          withUser(db.owner, second.claims, (c) => deactivateMember(c, { workspaceId: w.workspaceId, userId: ann.id })),
        )
      ).code,
    ).toBe("NOT_FOUND");
    // and the one active admin left cannot be demoted (a deactivated admin does not count)
    const demote = await refusal(
      asAdmin((c) => changeMemberRole(c, { workspaceId: w.workspaceId, userId: w.users.admin.id, role: "viewer" })),
    );
    expect(demote.code).toBe("LAST_ADMIN");
    // directly in the database too: the owner cannot deactivate the last active admin
    await expect(
      db.owner.query(
        "update public.workspace_members set deactivated_at = now() where workspace_id = $1 and user_id = $2",
        [w.workspaceId, w.users.admin.id],
      ),
    ).rejects.toMatchObject({ code: "FC002" });
    await asAdmin((c) => reactivateMember(c, { workspaceId: w.workspaceId, userId: second.id }));
    await db.owner.query("delete from public.workspace_members where workspace_id = $1 and user_id = $2", [
      w.workspaceId,
      second.id,
    ]);
  });
});

describe("last activity", () => {
  it("shows admins the last change made here and the last session use; others see nothing", async () => {
    const ann = await newAnnotator("active");
    const before = await asAdmin((c) => listMemberActivity(c, w.workspaceId));
    expect(before.find((a) => a.userId === ann.id)).toEqual({ userId: ann.id, lastActiveAt: null, lastSeenAt: null });
    await withUser(
      db.owner,
      ann.claims,
      (c) =>
        c.query("select public.record_audit_event($1, 'upload.completed', 'datasets', $2, '{}')", [
          w.workspaceId,
          w.datasetId,
        ]),
      scope(),
    );
    await db.owner.query("insert into auth.sessions (user_id) values ($1)", [ann.id]);
    const after = await asAdmin((c) => listMemberActivity(c, w.workspaceId));
    const mine = after.find((a) => a.userId === ann.id);
    expect(Date.now() - Date.parse(mine?.lastActiveAt as string)).toBeLessThan(60_000);
    expect(Date.now() - Date.parse(mine?.lastSeenAt as string)).toBeLessThan(60_000);
    expect(await withUser(db.owner, w.users.engineer.claims, (c) => listMemberActivity(c, w.workspaceId))).toEqual([]);
  });
});

/** Every text-like and JSON column of every table of the database where `needle` occurs (case-insensitive). */
async function whereFound(needle: string): Promise<string[]> {
  const { rows: columns } = await db.owner.query<{ schema: string; tbl: string; col: string }>(
    `select c.table_schema as schema, c.table_name as tbl, c.column_name as col
     from information_schema.columns c join information_schema.tables t
       on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
     where c.table_schema not in ('pg_catalog', 'information_schema', 'pg_toast')
       and (c.data_type in ('text', 'character varying', 'character', 'json', 'jsonb', 'inet', 'ARRAY', 'USER-DEFINED')
            or c.udt_name in ('citext'))`,
  );
  const found: string[] = [];
  for (const { schema, tbl, col } of columns) {
    const q = `select count(*)::int as n from "${schema}"."${tbl}" where strpos(lower("${col}"::text), lower($1)) > 0`;
    const { rows } = await db.owner.query<{ n: number }>(q, [needle]);
    if ((rows[0]?.n ?? 0) > 0) found.push(`${schema}.${tbl}.${col}`);
  }
  return found;
}

describe("erasing a person", () => {
  it("removes their name, email and addresses from every table, audit log included; their work stays", async () => {
    const name = `Zelda Quux-${randomUUID().slice(0, 6)}`;
    const ann = await newAnnotator("erase");
    const email = ann.email;
    await db.owner.query(
      "update auth.users set raw_user_meta_data = jsonb_build_object('display_name', $2::text) where id = $1",
      [ann.id, name],
    );
    const datasetId = await insertDataset(db.owner, { workspaceId: w.workspaceId, labelSchemaId: w.labelSchemaId });
    const [partId] = await insertParts(db.owner, {
      workspaceId: w.workspaceId,
      datasetId,
      count: 1,
      status: "unannotated",
    });
    const ctx = { ...scope(), ip: "203.0.113.77", userAgent: `Browser of ${name}` };
    // their own comment (carries their name), and activity from their address
    await withUser(
      db.owner,
      ann.claims,
      (c) => addComment(c, { workspaceId: w.workspaceId, partId: partId as string, comment: { body: "looks odd" } }),
      ctx,
    );
    const claimed = await withUser(
      db.owner,
      ann.claims,
      (c) => claimNextPart(c, { workspaceId: w.workspaceId, datasetId }),
      ctx,
    );
    expect(claimed?.id).toBe(partId);
    await withUser(
      db.owner,
      ann.claims,
      (c) =>
        c.query(
          `insert into public.annotation_revisions (part_id, workspace_id, blob_sha256, author_id, document)
           select id, workspace_id, blob_sha256, auth.uid(), '{"labels": []}' from public.parts where id = $1`,
          [partId],
        ),
      ctx,
    );
    // others write about them: a mention by email (a notification names nobody but goes to them),
    // a reply to their comment (a notification to them), an invitation to their address
    await withUser(
      db.owner,
      w.users.engineer.claims,
      (c) =>
        addComment(c, {
          workspaceId: w.workspaceId,
          partId: partId as string,
          comment: { body: `@${email} please check face 3` },
        }),
      scope(),
    );
    await asAdmin((c) =>
      createInvitation(c, {
        workspaceId: w.workspaceId,
        role: "engineer",
        email: email.toLowerCase(),
        tokenHash: randomBytes(32).toString("hex"),
        expiresInHours: 24,
        maxUses: 1,
      }),
    );
    await db.owner.query("insert into auth.sessions (user_id, user_agent, ip) values ($1, $2, '203.0.113.77')", [
      ann.id,
      ctx.userAgent,
    ]);
    expect((await whereFound(email)).length).toBeGreaterThan(2);
    expect(await whereFound(email)).toContain("public.audit_events.data");
    expect(await whereFound(name)).toContain("public.comments.author_name");

    // a member of another workspace too: refused, and the message says why
    const other = await createWorkspaceWithRoles(db.owner, "elsewhere");
    await addMember(db.owner, other.workspaceId, ann.id, "viewer");
    const refused = await refusal(asAdmin((c) => erasePerson(c, { workspaceId: w.workspaceId, userId: ann.id })));
    expect(refused.code).toBe("CONFLICT");
    expect(refused.message).toMatch(/member of 1 other workspace/);
    await db.owner.query("delete from public.workspace_members where workspace_id = $1 and user_id = $2", [
      other.workspaceId,
      ann.id,
    ]);
    // not by a non-admin, not of yourself
    expect(
      (
        await refusal(
          withUser(
            db.owner,
            w.users.engineer.claims,
            (c) => erasePerson(c, { workspaceId: w.workspaceId, userId: ann.id }),
            scope(),
          ),
        )
      ).code,
    ).toBe("FORBIDDEN");
    expect(
      (await refusal(asAdmin((c) => erasePerson(c, { workspaceId: w.workspaceId, userId: w.users.admin.id })))).code,
    ).toBe("FORBIDDEN");

    const { label } = await asAdmin((c) => erasePerson(c, { workspaceId: w.workspaceId, userId: ann.id }));
    expect(label).toMatch(/^Former member [0-9a-f]{4}$/);

    // nowhere any more: every text and JSON column of the database, every schema
    expect(await whereFound(email)).toEqual([]);
    expect(await whereFound(name)).toEqual([]);
    expect(await whereFound("203.0.113.77")).toEqual([]);
    expect(await whereFound(`Browser of ${name}`)).toEqual([]);

    // their work stays, attributed to the anonymised member
    const rev = await db.owner.query("select 1 from public.annotation_revisions where author_id = $1", [ann.id]);
    expect(rev.rowCount).toBe(1);
    const comment = await db.owner.query<{ author_name: string }>(
      "select author_name from public.comments where author_id = $1",
      [ann.id],
    );
    expect(comment.rows.map((r) => r.author_name)).toEqual([label]);
    const members = await asAdmin((c) => listMembers(c, w.workspaceId));
    const erased = members.find((m) => m.userId === ann.id);
    expect(erased).toMatchObject({ displayName: label, email: "" });
    expect(erased?.erasedAt).toBeTruthy();
    expect(erased?.deactivatedAt).toBeTruthy();
    // the claim went back to the queue
    const part = await db.owner.query<{ status: string }>("select status from public.parts where id = $1", [partId]);
    expect(part.rows[0]?.status).toBe("unannotated");
    // the account cannot sign in: no address, no password, banned and deleted, no sessions
    const account = await db.owner.query(
      `select 1 from auth.users where id = $1 and email is null and encrypted_password is null
         and banned_until = 'infinity' and deleted_at is not null`,
      [ann.id],
    );
    expect(account.rowCount).toBe(1);
    expect((await db.owner.query("select 1 from auth.sessions where user_id = $1", [ann.id])).rowCount).toBe(0);
    // the erasure recorded itself, without the personal data
    const event = await db.owner.query<{ data: Record<string, unknown>; actor_id: string }>(
      "select data, actor_id from public.audit_events where action = 'member.erased' and target_id = $1",
      [ann.id],
    );
    expect(event.rows).toHaveLength(1);
    expect(event.rows[0]?.actor_id).toBe(w.users.admin.id);
    expect(JSON.stringify(event.rows[0]?.data)).not.toContain(email);
    // an erased person cannot be reactivated, nor erased twice
    expect(
      (await refusal(asAdmin((c) => reactivateMember(c, { workspaceId: w.workspaceId, userId: ann.id })))).code,
    ).toBe("FORBIDDEN");
    expect((await refusal(asAdmin((c) => erasePerson(c, { workspaceId: w.workspaceId, userId: ann.id })))).code).toBe(
      "CONFLICT",
    );
  });

  it("leaves the audit log and comments append-only for everyone else: only the erasure's function may redact", async () => {
    await expect(
      db.owner.query("update public.audit_events set data = '{}' where id = (select max(id) from public.audit_events)"),
    ).rejects.toMatchObject({
      code: "FC003",
    });
    await expect(
      db.owner.query("delete from public.audit_events where id = (select max(id) from public.audit_events)"),
    ).rejects.toMatchObject({
      code: "FC003",
    });
    await expect(
      withUser(db.owner, w.users.admin.claims, (c) =>
        c.query("select private.redact_person($1, array['x@y.z'], 'gone')", [w.users.viewer.id]),
      ),
    ).rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringMatching(/permission denied/) });
    await expect(
      db.owner.query("update public.comments set body = 'edited' where workspace_id = $1", [w.workspaceId]),
    ).rejects.toMatchObject({ code: "FC005" });
  });
});

describe("transferring what a member owns", () => {
  it("moves their datasets and saved filters to another active member, and records it", async () => {
    const leaver = await createUser(db.owner, "leaver");
    await addMember(db.owner, w.workspaceId, leaver.id, "ml_engineer");
    const datasetName = `owned-${randomUUID().slice(0, 8)}`;
    const ds = await withUser(
      db.owner,
      leaver.claims,
      (c) =>
        c.query<{ id: string }>(
          "insert into public.datasets (workspace_id, name, created_by) values ($1, $2, auth.uid()) returning id",
          [w.workspaceId, datasetName],
        ),
      scope(),
    );
    const datasetId = ds.rows[0]?.id as string;
    await withUser(
      db.owner,
      leaver.claims,
      (c) =>
        c.query(
          "insert into public.saved_filters (workspace_id, name, query) values ($1, 'approved', 'status:approved')",
          [w.workspaceId],
        ),
      scope(),
    );
    await withUser(
      db.owner,
      w.users.engineer.claims,
      (c) =>
        c.query(
          "insert into public.saved_filters (workspace_id, name, query) values ($1, 'approved', 'status:in_review')",
          [w.workspaceId],
        ),
      scope(),
    );
    const owned = await asAdmin((c) => listOwnedItems(c, w.workspaceId, leaver.id));
    expect(owned.datasets).toEqual([{ id: datasetId, name: datasetName }]);

    // not to someone deactivated, not by a non-admin
    const inactive = await newAnnotator("inactive");
    await asAdmin((c) => deactivateMember(c, { workspaceId: w.workspaceId, userId: inactive.id }));
    expect(
      (
        await refusal(
          asAdmin((c) =>
            transferMemberItems(c, { workspaceId: w.workspaceId, fromUserId: leaver.id, toUserId: inactive.id }),
          ),
        )
      ).code,
    ).toBe("VALIDATION_FAILED");
    expect(
      (
        await refusal(
          withUser(
            db.owner,
            w.users.engineer.claims,
            (c) =>
              transferMemberItems(c, {
                workspaceId: w.workspaceId,
                fromUserId: leaver.id,
                toUserId: w.users.engineer.id,
              }),
            scope(),
          ),
        )
      ).code,
    ).toBe("FORBIDDEN");

    await asAdmin((c) => deactivateMember(c, { workspaceId: w.workspaceId, userId: leaver.id }));
    const moved = await asAdmin((c) =>
      transferMemberItems(c, { workspaceId: w.workspaceId, fromUserId: leaver.id, toUserId: w.users.engineer.id }),
    );
    expect(moved).toEqual({ datasets: 1, savedFilters: 1 });
    const owner = await db.owner.query<{ created_by: string }>("select created_by from public.datasets where id = $1", [
      datasetId,
    ]);
    expect(owner.rows[0]?.created_by).toBe(w.users.engineer.id);
    const filters = await db.owner.query<{ name: string }>(
      "select name from public.saved_filters where workspace_id = $1 and user_id = $2 order by name",
      [w.workspaceId, w.users.engineer.id],
    );
    expect(filters.rows.map((r) => r.name)).toEqual(["approved", "approved (moved)"]);
    const event = await db.owner.query<{ data: Record<string, unknown>; actor_id: string }>(
      "select data, actor_id from public.audit_events where action = 'member.items_transferred' and target_id = $1",
      [leaver.id],
    );
    expect(event.rows[0]).toEqual({
      actor_id: w.users.admin.id,
      data: { from_user_id: leaver.id, to_user_id: w.users.engineer.id, datasets: 1, saved_filters: 1 },
    });
  });
});
