/**
 * The triggers of public.parts (supabase/migrations/20261205000100_one_rule_per_decision.sql): one per
 * timing and event, whose function calls the steps in the order written in it. What they write
 * besides the row: the audit events and the change notifications of inserts, updates and deletes,
 * for each kind of change (these pin what the nine triggers they replaced did). The status machine,
 * role rules, submission and consensus steps have their own suites.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { withService, withUser } from "./session";
import {
  attempt,
  createTestDatabase,
  createWorkspaceWithRoles,
  type FacetEventPayload,
  insertParts,
  listenFacetEvents,
  type TestDatabase,
} from "./testing";

type Workspace = Awaited<ReturnType<typeof createWorkspaceWithRoles>>;

let db: TestDatabase;
let w: Workspace;
let events: Awaited<ReturnType<typeof listenFacetEvents>>;

beforeAll(async () => {
  db = await createTestDatabase(inject("pgBaseUrl"));
  w = await createWorkspaceWithRoles(db.owner, "pt");
  events = await listenFacetEvents(db);
});

afterAll(async () => {
  await events.close();
  await db.drop();
});

async function newPart(status = "uploaded"): Promise<string> {
  const [id] = await insertParts(db.owner, { workspaceId: w.workspaceId, datasetId: w.datasetId, count: 1, status });
  if (!id) throw new Error("part not created");
  return id;
}

/** The audit events about a part written after event id `after`, oldest first. */
async function auditOf(partId: string, after = 0) {
  const { rows } = await db.owner.query<{ id: number; action: string; actor_id: string | null; data: unknown }>(
    `select id, action, actor_id, data from public.audit_events
     where target_table = 'parts' and target_id = $1 and id > $2 order by id`,
    [partId, after],
  );
  return rows;
}

/** The columns a part.updated event lists as changed. */
const changedIn = (event: { data: unknown } | undefined): Record<string, unknown> =>
  ((event?.data ?? {}) as { changed?: Record<string, unknown> }).changed ?? {};

async function lastEventId(): Promise<number> {
  const { rows } = await db.owner.query<{ id: number | null }>("select max(id) as id from public.audit_events");
  return rows[0]?.id ?? 0;
}

/** What `change` wrote about the part: its audit events (action and data) and its notifications. */
async function effects(partId: string, change: () => Promise<unknown>) {
  const before = await lastEventId();
  const notified: FacetEventPayload[] = await events.eventsOf(partId, change);
  const audited = (await auditOf(partId, before)).map((e) => ({ action: e.action, data: e.data }));
  return { audited, notified: notified.map(({ kind, status }) => ({ kind, status })) };
}

describe("the triggers of public.parts", () => {
  it("are one per timing and event, each calling its dispatcher", async () => {
    const { rows } = await db.owner.query<{ name: string; definition: string }>(
      `select t.tgname as name, pg_get_triggerdef(t.oid) as definition from pg_trigger t
       where t.tgrelid = 'public.parts'::regclass and not t.tgisinternal order by t.tgname`,
    );
    expect(rows.map((r) => r.definition)).toEqual(
      [
        "parts_after_delete AFTER DELETE",
        "parts_after_insert AFTER INSERT",
        "parts_after_update AFTER UPDATE",
        "parts_before_insert BEFORE INSERT",
        "parts_before_update BEFORE UPDATE",
      ].map((t) => {
        const name = t.split(" ")[0] as string;
        return `CREATE TRIGGER ${t} ON public.parts FOR EACH ROW EXECUTE FUNCTION private.${name}()`;
      }),
    );
  });

  it("the steps that run with the owner's rights refuse to be called by hand", async () => {
    const id = await newPart();
    for (const step of [
      "parts_submission_complete",
      "parts_submission_consensus",
      "parts_audit_status",
      "parts_audit_edit",
    ]) {
      for (const role of ["authenticated", "service_role", "owner"] as const) {
        const r = await attempt(
          db.owner,
          { role, claims: role === "authenticated" ? w.users.admin.claims : null },
          (c) => c.query(`select private.${step}(p, p) from public.parts p where p.id = $1`, [id]),
        );
        expect(r, `${step} as ${role}`).toMatchObject({ ok: false, code: "42501" });
      }
      // and a guest (anon) may not call them at all
      const r = await attempt(db.owner, { role: "anon" }, (c) =>
        c.query(`select private.${step}(null::public.parts, null::public.parts)`),
      );
      expect(r, `${step} as anon`).toMatchObject({ ok: false, code: "42501" });
    }
  });
});

describe("what a change of a part writes besides the row", () => {
  it("an insert: part.created, no notification", async () => {
    const heard = events.all().length;
    const id = await newPart();
    await events.eventsOf(id, async () => {}); // every notification sent so far has arrived
    expect(
      events
        .all()
        .slice(heard)
        .filter((e) => e.part_id === id),
    ).toEqual([]);
    const { rows } = await db.owner.query<{ name: string; blob_sha256: string }>(
      "select name, blob_sha256 from public.parts where id = $1",
      [id],
    );
    expect((await auditOf(id)).map((e) => ({ action: e.action, data: e.data }))).toEqual([
      {
        action: "part.created",
        data: { name: rows[0]?.name, blob_sha256: rows[0]?.blob_sha256, dataset_id: w.datasetId },
      },
    ]);
  });

  it("a status change: part.status_changed, then a status notification", async () => {
    const id = await newPart();
    const r = await effects(id, () =>
      withService(db.owner, (c) => c.query("update public.parts set status = 'processing' where id = $1", [id])),
    );
    expect(r).toEqual({
      audited: [{ action: "part.status_changed", data: { from: "uploaded", to: "processing", annotator_id: null } }],
      notified: [{ kind: "status", status: "processing" }],
    });
  });

  it("an edit: part.updated with every column that changed (updated_at left out), no notification", async () => {
    const id = await newPart("unannotated");
    const r = await effects(id, () =>
      withUser(db.owner, w.users.admin.claims, (c) =>
        c.query("update public.parts set name = 'renamed.step', tags = '{bracket}' where id = $1", [id]),
      ),
    );
    expect(r.notified).toEqual([]);
    expect(r.audited).toHaveLength(1);
    expect(r.audited[0]).toMatchObject({
      action: "part.updated",
      data: { changed: { name: { to: "renamed.step" }, tags: { from: [], to: ["bracket"] } } },
    });
    expect(Object.keys(changedIn(r.audited[0])).sort()).toEqual(["name", "tags"]);
  });

  it("a status change and an edit at once: both events, status first, the edit listing the status too", async () => {
    const id = await newPart();
    const r = await effects(id, () =>
      db.owner.query("update public.parts set status = 'processing', split = 'train' where id = $1", [id]),
    );
    expect(r.audited.map((e) => e.action)).toEqual(["part.status_changed", "part.updated"]);
    const changed = changedIn(r.audited[1]);
    expect(Object.keys(changed).sort()).toEqual(["split", "status", "status_changed_at"]);
    expect(changed.status).toEqual({ from: "uploaded", to: "processing" });
    expect(r.notified).toEqual([{ kind: "status", status: "processing" }]);
  });

  it("a lease renewed: a lease notification, nothing audited", async () => {
    const id = await newPart("in_progress");
    const r = await effects(id, () =>
      db.owner.query("update public.parts set lease_expires_at = now() + interval '5 minutes' where id = $1", [id]),
    );
    expect(r).toEqual({ audited: [], notified: [{ kind: "lease", status: "in_progress" }] });
  });

  it("writing the same values again, or columns nobody follows: nothing", async () => {
    const id = await newPart("unannotated");
    for (const set of ["status = status, name = name, tags = tags", "queue_priority = 7", "geometry = '{}'"]) {
      const r = await effects(id, () => db.owner.query(`update public.parts set ${set} where id = $1`, [id]));
      expect(r, set).toEqual({ audited: [], notified: [] });
    }
  });

  it("a delete: part.deleted with its name and status", async () => {
    const id = await newPart("failed");
    const { rows } = await db.owner.query<{ name: string }>("select name from public.parts where id = $1", [id]);
    const r = await effects(id, () => db.owner.query("delete from public.parts where id = $1", [id]));
    expect(r).toEqual({
      audited: [{ action: "part.deleted", data: { name: rows[0]?.name, status: "failed" } }],
      notified: [],
    });
  });
});
