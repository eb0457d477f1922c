/**
 * Claiming parts: public.claim_next_part (FOR UPDATE SKIP LOCKED, with a lease), renew_claim,
 * release_part and release_expired_claims, against a real PostgreSQL with real concurrency.
 */

import type { MemberRole, PartStatus } from "@facet/core";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createPool } from "./pool";
import { withService, withUser } from "./session";
import {
  addMember,
  attempt,
  createTestDatabase,
  createUser,
  createWorkspaceWithRoles,
  insertParts,
  labelCompletely,
  type TestDatabase,
  type TestUser,
} from "./testing";

interface Claimed {
  id: string;
  status: PartStatus;
  annotator_id: string;
  claimed_from: PartStatus;
  lease_expires_at: Date;
}

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase(inject("pgBaseUrl"));
});

afterAll(async () => {
  await db.drop();
});

type Workspace = Awaited<ReturnType<typeof createWorkspaceWithRoles>>;

async function newMember(w: Workspace, label: string, role: MemberRole = "annotator"): Promise<TestUser> {
  const u = await createUser(db.owner, label);
  await addMember(db.owner, w.workspaceId, u.id, role);
  return u;
}

async function claim(u: TestUser, w: Workspace, leaseSeconds = 900): Promise<Claimed | null> {
  return withUser(db.owner, u.claims, async (c) => {
    const { rows } = await c.query<Claimed>("select * from public.claim_next_part($1, $2, $3)", [
      w.workspaceId,
      w.datasetId,
      leaseSeconds,
    ]);
    return rows[0] ?? null;
  });
}

async function part(id: string) {
  const { rows } = await db.owner.query<{
    status: PartStatus;
    annotator_id: string | null;
    claimed_at: Date | null;
    lease_expires_at: Date | null;
    claimed_from: PartStatus | null;
  }>("select status, annotator_id, claimed_at, lease_expires_at, claimed_from from public.parts where id = $1", [id]);
  if (!rows[0]) throw new Error(`no part ${id}`);
  return rows[0];
}

async function expireLease(id: string): Promise<void> {
  await db.owner.query("update public.parts set lease_expires_at = now() - interval '1 second' where id = $1", [id]);
}

describe("50 concurrent connections claiming from 1000 parts", () => {
  const WORKERS = 50;
  const PARTS = 1000;

  it("claim every part exactly once", async () => {
    const w = await createWorkspaceWithRoles(db.owner, "rush");
    // each annotator here keeps what they claim: let them hold many (the cap has its own tests)
    await db.owner.query("update public.datasets set max_held_parts = 100 where id = $1", [w.datasetId]);
    const annotators: TestUser[] = [];
    for (let i = 0; i < WORKERS; i++) annotators.push(await newMember(w, `rush-annotator${i}`));

    const preLabeled = await insertParts(db.owner, { ...w, count: PARTS / 2, status: "pre_labeled" });
    const unannotated = await insertParts(db.owner, { ...w, count: PARTS / 2, status: "unannotated" });
    const origin = new Map<string, PartStatus>([
      ...preLabeled.map((id): [string, PartStatus] => [id, "pre_labeled"]),
      ...unannotated.map((id): [string, PartStatus] => [id, "unannotated"]),
    ]);
    expect(origin.size).toBe(PARTS);
    // parts that are not in the queue, here and in another workspace, must stay as they are
    const notQueued = [
      ...(await insertParts(db.owner, { ...w, count: 5, status: "uploaded" })),
      ...(await insertParts(db.owner, { ...w, count: 5, status: "in_review" })),
      ...(await insertParts(db.owner, { ...w, count: 5, status: "approved" })),
    ];
    const elsewhere = await createWorkspaceWithRoles(db.owner, "rush-elsewhere");
    const otherQueue = await insertParts(db.owner, { ...elsewhere, count: 20, status: "pre_labeled" });

    const pool = createPool(db.url, { max: WORKERS, applicationName: "facet-claim-test" });
    let inFlight = 0;
    let maxInFlight = 0;
    try {
      // every worker holds its own connection before anyone starts
      const clients: pg.PoolClient[] = await Promise.all(annotators.map(() => pool.connect()));
      const { rows: backends } = await db.owner.query<{ n: number }>(
        "select count(*)::int as n from pg_stat_activity where application_name = 'facet-claim-test'",
      );
      expect(backends[0]?.n).toBe(WORKERS);

      const work = async (client: pg.PoolClient, me: TestUser): Promise<Claimed[]> => {
        const got: Claimed[] = [];
        for (;;) {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await client.query("begin");
          await client.query("set local role authenticated");
          await client.query("select set_config('request.jwt.claims', $1, true)", [JSON.stringify(me.claims)]);
          const { rows } = await client.query<Claimed>("select * from public.claim_next_part($1)", [w.workspaceId]);
          await client.query("commit");
          inFlight--;
          const row = rows[0];
          if (!row) return got;
          expect(row.annotator_id).toBe(me.id);
          got.push(row);
        }
      };
      let perWorker: Claimed[][];
      try {
        perWorker = await Promise.all(clients.map((c, i) => work(c, annotators[i] as TestUser)));
      } finally {
        for (const c of clients) c.release();
      }

      const all = perWorker.flat();
      const ids = all.map((r) => r.id);
      expect(all).toHaveLength(PARTS);
      expect(new Set(ids).size).toBe(PARTS);
      expect([...ids].sort()).toEqual([...origin.keys()].sort());
      for (const r of all) {
        expect(r.status).toBe("in_progress");
        expect(r.claimed_from).toBe(origin.get(r.id));
      }
      // it really was concurrent: many workers got parts, many claims were in flight at once
      expect(perWorker.filter((got) => got.length > 0).length).toBeGreaterThan(WORKERS / 2);
      expect(maxInFlight).toBeGreaterThan(10);

      // the database agrees: each part is held by whoever claimed it
      const { rows: held } = await db.owner.query<{ id: string; annotator_id: string; status: string }>(
        "select id, annotator_id, status from public.parts where id = any ($1)",
        [ids],
      );
      const claimer = new Map(all.map((r) => [r.id, r.annotator_id]));
      expect(held.every((p) => p.status === "in_progress" && p.annotator_id === claimer.get(p.id))).toBe(true);
      const { rows: untouched } = await db.owner.query<{ status: string; n: number }>(
        "select status::text, count(*)::int as n from public.parts where id = any ($1) group by 1 order by 1",
        [[...notQueued, ...otherQueue]],
      );
      expect(untouched).toEqual([
        { status: "approved", n: 5 },
        { status: "in_review", n: 5 },
        { status: "pre_labeled", n: 20 },
        { status: "uploaded", n: 5 },
      ]);
      // one claim event and one status change per part
      const { rows: events } = await db.owner.query<{ action: string; n: number }>(
        `select action, count(*)::int as n from public.audit_events
         where workspace_id = $1 and action in ('part.claimed', 'part.status_changed') group by 1 order by 1`,
        [w.workspaceId],
      );
      expect(events).toEqual([
        { action: "part.claimed", n: PARTS },
        { action: "part.status_changed", n: PARTS },
      ]);
    } finally {
      await pool.end();
    }
  });
});

describe("the queue", () => {
  it("returns no row when nothing is claimable", async () => {
    const w = await createWorkspaceWithRoles(db.owner, "empty");
    await insertParts(db.owner, { ...w, count: 2, status: "in_review" });
    expect(await claim(w.users.annotator, w)).toBeNull();
  });

  it("serves the lowest queue_priority first, then the oldest", async () => {
    const w = await createWorkspaceWithRoles(db.owner, "order");
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(...(await insertParts(db.owner, { ...w, count: 1, status: "pre_labeled" })));
    const [oldest, newer, urgent] = ids;
    await db.owner.query("update public.parts set queue_priority = -1 where id = $1", [urgent]);
    const order = [];
    for (let i = 0; i < 3; i++) order.push((await claim(w.users.annotator, w))?.id);
    expect(order).toEqual([urgent, oldest, newer]);
  });

  it("claims only from the dataset asked for", async () => {
    const w = await createWorkspaceWithRoles(db.owner, "ds");
    const { rows } = await db.owner.query<{ id: string }>(
      "insert into public.datasets (workspace_id, name) values ($1, 'other') returning id",
      [w.workspaceId],
    );
    const otherDataset = rows[0]?.id as string;
    const [inOther] = await insertParts(db.owner, {
      workspaceId: w.workspaceId,
      datasetId: otherDataset,
      count: 1,
      status: "pre_labeled",
    });
    expect(await claim(w.users.annotator, w)).toBeNull();
    expect((await claim(w.users.annotator, { ...w, datasetId: otherDataset }))?.id).toBe(inOther);
  });

  it("leases are between 30 seconds and 24 hours", async () => {
    const w = await createWorkspaceWithRoles(db.owner, "lease");
    await insertParts(db.owner, { ...w, count: 1, status: "pre_labeled" });
    for (const seconds of [0, 29, 86_401]) {
      const r = await attempt(db.owner, { role: "authenticated", claims: w.users.annotator.claims }, (c) =>
        c.query("select * from public.claim_next_part($1, null, $2)", [w.workspaceId, seconds]),
      );
      expect(r, `${seconds} s`).toMatchObject({ ok: false, code: "22023" });
    }
    const c = await claim(w.users.annotator, w, 30);
    expect(c).not.toBeNull();
    const { rows } = await db.owner.query<{ s: number }>(
      "select extract(epoch from lease_expires_at - claimed_at)::int as s from public.parts where id = $1",
      [c?.id],
    );
    expect(rows[0]?.s).toBe(30);
  });
});

describe("who may claim", () => {
  let w: Workspace;
  let outsider: TestUser;
  beforeAll(async () => {
    w = await createWorkspaceWithRoles(db.owner, "who");
    outsider = (await createWorkspaceWithRoles(db.owner, "who-else")).users.admin;
    await insertParts(db.owner, { ...w, count: 3, status: "unannotated" });
  });

  it.each(["admin", "engineer", "annotator"] as const)("%s may", async (role) => {
    const r = await attempt(db.owner, { role: "authenticated", claims: w.users[role].claims }, (c) =>
      c.query<Claimed>("select * from public.claim_next_part($1)", [w.workspaceId]),
    );
    expect(r.ok && r.value.rows[0]?.annotator_id).toBe(w.users[role].id);
  });

  it.each(["ml_engineer", "viewer", "outsider"] as const)("%s may not (42501)", async (who) => {
    const me = who === "outsider" ? outsider : w.users[who];
    const r = await attempt(db.owner, { role: "authenticated", claims: me.claims }, (c) =>
      c.query("select * from public.claim_next_part($1)", [w.workspaceId]),
    );
    expect(r).toMatchObject({ ok: false, code: "42501" });
  });

  it("anon may not, even with an annotator's claims", async () => {
    const r = await attempt(db.owner, { role: "anon", claims: w.users.annotator.claims }, (c) =>
      c.query("select * from public.claim_next_part($1)", [w.workspaceId]),
    );
    expect(r).toMatchObject({ ok: false, code: "42501" });
  });
});

describe("leases", () => {
  let w: Workspace;
  let second: TestUser;
  beforeAll(async () => {
    w = await createWorkspaceWithRoles(db.owner, "leases");
    second = await newMember(w, "leases-annotator2");
  });

  /** A fresh dataset of this workspace with parts in the given statuses, for one test. */
  async function queue(...statuses: PartStatus[]): Promise<{ ws: Workspace; ids: string[] }> {
    const { rows } = await db.owner.query<{ id: string }>(
      "insert into public.datasets (workspace_id, name) values ($1, $2) returning id",
      [w.workspaceId, `q-${Math.random().toString(36).slice(2)}`],
    );
    const ws = { ...w, datasetId: rows[0]?.id as string };
    const ids: string[] = [];
    for (const status of statuses) ids.push(...(await insertParts(db.owner, { ...ws, count: 1, status })));
    return { ws, ids };
  }

  it("an expired claim goes to the next annotator who asks, keeping where it came from", async () => {
    const { ws, ids } = await queue("pre_labeled");
    const mine = await claim(w.users.annotator, ws, 30);
    expect(mine?.id).toBe(ids[0]);
    expect(await claim(second, ws)).toBeNull(); // the lease is live
    await expireLease(ids[0] as string);
    const theirs = await claim(second, ws);
    expect(theirs).toMatchObject({
      id: ids[0],
      status: "in_progress",
      annotator_id: second.id,
      claimed_from: "pre_labeled",
    });
    expect(theirs?.lease_expires_at.getTime()).toBeGreaterThan(Date.now());
    const { rows } = await db.owner.query<{ data: { expired_claim_of: string } }>(
      "select data from public.audit_events where action = 'part.claimed' and target_id = $1 order by id",
      [ids[0]],
    );
    expect(rows.map((r) => r.data.expired_claim_of)).toEqual([null, w.users.annotator.id]);
    // the first annotator has lost it: no renewing, releasing or submitting
    const first = { role: "authenticated" as const, claims: w.users.annotator.claims };
    expect(await attempt(db.owner, first, (c) => c.query("select public.renew_claim($1)", [ids[0]]))).toMatchObject({
      ok: false,
      code: "FC006",
    });
    expect(await attempt(db.owner, first, (c) => c.query("select public.release_part($1)", [ids[0]]))).toMatchObject({
      ok: false,
      code: "FC006",
    });
    const submit = await attempt(db.owner, first, (c) =>
      c.query("update public.parts set status = 'in_review' where id = $1", [ids[0]]),
    );
    expect(submit).toMatchObject({ ok: true, value: { rowCount: 0 } });
  });

  it("release_expired_claims() returns expired parts to where they were claimed from, and only those", async () => {
    const { ws, ids } = await queue("pre_labeled", "unannotated", "pre_labeled");
    const claimed = [];
    for (let i = 0; i < 3; i++) claimed.push(await claim(w.users.annotator, ws, 60));
    expect(claimed.map((c) => c?.id).sort()).toEqual([...ids].sort());
    const [fromPre, fromUnannotated, live] = ids as [string, string, string];
    await expireLease(fromPre);
    await expireLease(fromUnannotated);
    // a rejected part is in progress without a lease: not a claim to sweep
    const [rejected] = await insertParts(db.owner, { ...ws, count: 1, status: "in_progress" });
    await db.owner.query("update public.parts set annotator_id = $2, claimed_from = 'pre_labeled' where id = $1", [
      rejected,
      w.users.annotator.id,
    ]);

    // users cannot run the sweep
    const asUser = await attempt(db.owner, { role: "authenticated", claims: w.users.admin.claims }, (c) =>
      c.query("select public.release_expired_claims()"),
    );
    expect(asUser).toMatchObject({ ok: false, code: "42501" });

    const n = await withService(db.owner, async (c) => {
      const { rows } = await c.query<{ n: number }>("select public.release_expired_claims() as n");
      return rows[0]?.n;
    });
    expect(n).toBeGreaterThanOrEqual(2); // other tests' expired claims in this database may be swept too
    const cleared = { annotator_id: null, claimed_at: null, lease_expires_at: null, claimed_from: null };
    expect(await part(fromPre)).toEqual({ status: "pre_labeled", ...cleared });
    expect(await part(fromUnannotated)).toEqual({ status: "unannotated", ...cleared });
    expect(await part(live)).toMatchObject({ status: "in_progress", annotator_id: w.users.annotator.id });
    expect(await part(rejected as string)).toMatchObject({ status: "in_progress", annotator_id: w.users.annotator.id });
    // the part is claimable again
    expect((await claim(second, ws))?.id).toBe(fromPre);
  });

  it("renew_claim: the holder extends the lease; anyone else gets FC006", async () => {
    const { ws, ids } = await queue("unannotated");
    const id = ids[0] as string;
    const c = await claim(w.users.annotator, ws, 30);
    const before = Date.now();
    const renewed = await withUser(db.owner, w.users.annotator.claims, async (cl) => {
      const { rows } = await cl.query<{ until: Date }>("select public.renew_claim($1, 3600) as until", [id]);
      return rows[0]?.until as Date;
    });
    expect(renewed.getTime()).toBeGreaterThan((c?.lease_expires_at.getTime() ?? 0) + 3000_000);
    expect(renewed.getTime()).toBeGreaterThan(before + 3500_000);
    expect((await part(id)).lease_expires_at?.getTime()).toBe(renewed.getTime());

    for (const other of [second, w.users.engineer, w.users.admin, w.users.viewer]) {
      const r = await attempt(db.owner, { role: "authenticated", claims: other.claims }, (cl) =>
        cl.query("select public.renew_claim($1)", [id]),
      );
      expect(r, other.email).toMatchObject({ ok: false, code: "FC006" });
    }
    // nor by the holder once submitted (submitting needs every face labelled: FC008)
    await labelCompletely(db.owner, id, { authorId: w.users.annotator.id });
    await withUser(db.owner, w.users.annotator.claims, (cl) =>
      cl.query("update public.parts set status = 'in_review' where id = $1", [id]),
    );
    const afterSubmit = await attempt(db.owner, { role: "authenticated", claims: w.users.annotator.claims }, (cl) =>
      cl.query("select public.renew_claim($1)", [id]),
    );
    expect(afterSubmit).toMatchObject({ ok: false, code: "FC006" });
  });

  it("release_part: the holder gives the part back to the queue it came from", async () => {
    const { ws, ids } = await queue("pre_labeled", "unannotated");
    for (let i = 0; i < 2; i++) await claim(w.users.annotator, ws);
    for (const [id, back] of [
      [ids[0], "pre_labeled"],
      [ids[1], "unannotated"],
    ] as const) {
      const released = await withUser(db.owner, w.users.annotator.claims, async (c) => {
        const { rows } = await c.query<{ status: string }>("select (public.release_part($1)).status", [id]);
        return rows[0]?.status;
      });
      expect(released).toBe(back);
      expect(await part(id as string)).toEqual({
        status: back,
        annotator_id: null,
        claimed_at: null,
        lease_expires_at: null,
        claimed_from: null,
      });
    }
  });

  it("release_part: another annotator or an engineer gets FC006; an admin may release anyone's claim", async () => {
    const { ws, ids } = await queue("pre_labeled");
    const id = ids[0] as string;
    await claim(w.users.annotator, ws);
    for (const other of [second, w.users.engineer]) {
      const r = await attempt(db.owner, { role: "authenticated", claims: other.claims }, (c) =>
        c.query("select public.release_part($1)", [id]),
      );
      expect(r, other.email).toMatchObject({ ok: false, code: "FC006" });
    }
    expect((await part(id)).annotator_id).toBe(w.users.annotator.id);
    await withUser(db.owner, w.users.admin.claims, (c) => c.query("select public.release_part($1)", [id]));
    expect((await part(id)).status).toBe("pre_labeled");
  });
});
