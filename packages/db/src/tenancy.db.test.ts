import { randomBytes, randomUUID } from "node:crypto";
import { DEFAULT_TAXONOMY } from "@facet/core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  closeEventStream,
  openEventStream,
  pruneEventStreams,
  takeRateLimit,
  takeRateLimits,
  touchEventStream,
} from "./limits";
import type { Claims } from "./session";
import { withUser } from "./session";
import {
  addMember,
  attempt,
  createTestDatabase,
  createWorkspaceWithRoles,
  insertDataset,
  insertParts,
  listenFacetEvents,
  refusal,
  type TestDatabase,
} from "./testing";
import { partHistory } from "./workspaces/history";
import { claimNextPart, releasePart } from "./workspaces/parts";
import { latestRevision } from "./workspaces/revisions";
import { renewClaim } from "./workspaces/workbench";
import {
  createWorkspace,
  findWorkspaceForMember,
  getWorkspaceForMember,
  listMyWorkspaces,
} from "./workspaces/workspaces";

/**
 * Workspaces are tenants. A request made for one workspace (a route under /api/workspaces/<ws>/…,
 * or an API key bound to it) sees and changes nothing of another, whatever else its caller belongs
 * to: the membership helpers every policy and function uses answer "no" outside the scope.
 */

let db: TestDatabase;
let a: Awaited<ReturnType<typeof createWorkspaceWithRoles>>;
let b: Awaited<ReturnType<typeof createWorkspaceWithRoles>>;
/** Admin of A and annotator of B: the member of both. */
let both: { id: string; claims: Claims };

beforeAll(async () => {
  db = await createTestDatabase(inject("pgBaseUrl"));
  a = await createWorkspaceWithRoles(db.owner, "tenant-a");
  b = await createWorkspaceWithRoles(db.owner, "tenant-b");
  both = { id: a.users.admin.id, claims: a.users.admin.claims };
  await addMember(db.owner, b.workspaceId, both.id, "annotator");
});
afterAll(() => db.drop());

/** A part of A claimed by A's annotator, with a revision. */
async function heldPartOfA(): Promise<string> {
  const dataset = await insertDataset(db.owner, { workspaceId: a.workspaceId, labelSchemaId: a.labelSchemaId });
  const [partId] = await insertParts(db.owner, {
    workspaceId: a.workspaceId,
    datasetId: dataset,
    count: 1,
    status: "pre_labeled",
  });
  await withUser(db.owner, a.users.annotator.claims, (c) =>
    claimNextPart(c, { workspaceId: a.workspaceId, datasetId: dataset }),
  );
  await db.owner.query(
    `insert into public.annotation_revisions (part_id, revision_no, author_id, document)
     values ($1, 1, $2, '{"labels": ["secret"]}')`,
    [partId, a.users.annotator.id],
  );
  return partId as string;
}

describe("a request scoped to workspace B by its route", () => {
  const inB = { workspaceId: "" };
  beforeAll(() => {
    inB.workspaceId = b.workspaceId;
  });

  it("reads nothing of A, although its caller is A's admin", async () => {
    const partId = await heldPartOfA();
    const unscoped = await withUser(db.owner, both.claims, (c) => latestRevision(c, a.workspaceId, partId));
    expect(unscoped?.revisionNo).toBe(1); // the same person, acting for A, sees it
    const seen = await withUser(
      db.owner,
      both.claims,
      async (c) => ({
        parts: (await c.query("select 1 from public.parts where id = $1", [partId])).rowCount,
        revisions: (await c.query("select 1 from public.annotation_revisions where part_id = $1", [partId])).rowCount,
        latest: await latestRevision(c, b.workspaceId, partId),
        history: await partHistory(c, partId),
        datasets: (await c.query("select 1 from public.datasets where workspace_id = $1", [a.workspaceId])).rowCount,
        members: (await c.query("select 1 from public.workspace_members where workspace_id = $1", [a.workspaceId]))
          .rowCount,
        profiles: (await c.query("select 1 from public.profiles where user_id = $1", [a.users.viewer.id])).rowCount,
        workspaces: (await listMyWorkspaces(c)).map((w) => w.id),
      }),
      inB,
    );
    expect(seen).toEqual({
      parts: 0,
      revisions: 0,
      latest: null,
      history: [],
      datasets: 0,
      members: 0,
      profiles: 0,
      workspaces: [b.workspaceId],
    });
  });

  it("changes nothing of A: release, renew, claim, revisions, audit events, workspace lookups are refused", async () => {
    const partId = await heldPartOfA();
    // releasing another annotator's claim in A through B's route: the admin's rights in A do not count
    expect(await refusal(withUser(db.owner, both.claims, (c) => releasePart(c, b.workspaceId, partId), inB))).toEqual(
      expect.objectContaining({ code: "NOT_FOUND" }),
    );
    // even calling the function directly
    const direct = await attempt(db.owner, { role: "authenticated", claims: both.claims }, async (c) => {
      await c.query("select set_config('facet.workspace_id', $1, true)", [b.workspaceId]);
      return c.query("select public.release_part($1)", [partId]);
    });
    expect(direct).toMatchObject({ ok: false, code: "FC006" });
    expect(
      (await db.owner.query("select status, annotator_id from public.parts where id = $1", [partId])).rows[0],
    ).toEqual({ status: "in_progress", annotator_id: a.users.annotator.id });

    const asAnnotatorOfA = await attempt(
      db.owner,
      { role: "authenticated", claims: a.users.annotator.claims },
      async (c) => {
        await c.query("select set_config('facet.workspace_id', $1, true)", [b.workspaceId]);
        return c.query("select public.renew_claim($1, 600)", [partId]);
      },
    );
    expect(asAnnotatorOfA).toMatchObject({ ok: false, code: "FC006" });

    for (const [label, sql, params] of [
      ["claim in A", "select * from public.claim_next_part($1)", [a.workspaceId]],
      [
        "audit event in A",
        "select public.record_audit_event($1, 'upload.skipped', 'datasets', $2)",
        [a.workspaceId, a.datasetId],
      ],
      [
        "revision on A's part",
        `insert into public.annotation_revisions (part_id, revision_no, author_id, document) values ($1, 2, $2, '{}')`,
        [partId, both.id],
      ],
      [
        "dataset in A",
        "insert into public.datasets (workspace_id, name, created_by) values ($1, 'x', $2)",
        [a.workspaceId, both.id],
      ],
      ["rename A", "update public.workspaces set name = 'Pwned' where id = $1 returning 1", [a.workspaceId]],
    ] as const) {
      const r = await attempt(db.owner, { role: "authenticated", claims: both.claims }, async (c) => {
        await c.query("select set_config('facet.workspace_id', $1, true)", [b.workspaceId]);
        const out = await c.query(sql, [...params]);
        if (out.rowCount === 0) throw Object.assign(new Error("no row"), { code: "0ROWS" });
        return out.rowCount;
      });
      expect(r.ok, label).toBe(false);
    }
    expect(await refusal(withUser(db.owner, both.claims, (c) => getWorkspaceForMember(c, a.slug), inB))).toMatchObject({
      code: "NOT_A_MEMBER",
    });
  });
});

describe("an API key bound to workspace B (claim facet_workspace_id)", () => {
  it("is confined to B in every query, like a route scope", async () => {
    const partId = await heldPartOfA();
    const keyClaims: Claims = { ...both.claims, facet_workspace_id: b.workspaceId };
    const seen = await withUser(db.owner, keyClaims, async (c) => ({
      parts: (await c.query("select 1 from public.parts where id = $1", [partId])).rowCount,
      workspaces: (await listMyWorkspaces(c)).map((w) => w.id),
    }));
    expect(seen).toEqual({ parts: 0, workspaces: [b.workspaceId] });
    // the key's binding and a route's scope together: both must allow
    const both2 = await withUser(db.owner, keyClaims, (c) => listMyWorkspaces(c), { workspaceId: a.workspaceId });
    expect(both2).toEqual([]);
    // a bound key neither creates workspaces nor joins them
    expect(
      await refusal(
        withUser(db.owner, keyClaims, (c) =>
          createWorkspace(c, { name: "Side project", slug: "side-project", taxonomy: DEFAULT_TAXONOMY }),
        ),
      ),
    ).toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("API keys made with an API key", () => {
  async function keyOf(userId: string, workspaceId: string | null, scopes: string[], expiresAt: Date | null = null) {
    const { rows } = await db.owner.query<{ id: string }>(
      `insert into public.api_keys (workspace_id, user_id, name, prefix, key_hash, scopes, expires_at)
       values ($1, $2, 'parent', 'abcdefgh', $3, $4, $5) returning id`,
      [workspaceId, userId, randomBytes(32).toString("hex"), scopes, expiresAt],
    );
    return rows[0]?.id as string;
  }
  const mint = (claims: Claims, workspaceId: string | null, scopes: string[], expiresAt: Date | null = null) =>
    attempt(db.owner, { role: "authenticated", claims }, async (c) => {
      const { rows } = await c.query<{ id: string; parent_id: string; expires_at: Date | null }>(
        `insert into public.api_keys (workspace_id, user_id, name, prefix, key_hash, scopes, expires_at)
         values ($1, auth.uid(), 'child', 'ijklmnop', $2, $3, $4) returning id, parent_id, expires_at`,
        [workspaceId, randomBytes(32).toString("hex"), scopes, expiresAt],
      );
      return rows[0];
    });

  it("stay within the parent's binding and scopes, never outlive it, and are revoked with it", async () => {
    // A's admin, who is annotator of B, holds a key bound to A with read + admin
    const later = new Date(Date.now() + 86_400_000);
    const parent = await keyOf(both.id, a.workspaceId, ["read", "admin"], later);
    const claims: Claims = { ...both.claims, api_key_id: parent, facet_workspace_id: a.workspaceId };
    expect(await mint(claims, null, ["read"])).toMatchObject({ ok: false, code: "42501" }); // unbound
    expect(await mint(claims, b.workspaceId, ["read"])).toMatchObject({ ok: false, code: "42501" }); // another workspace
    expect(await mint(claims, a.workspaceId, ["read", "ingest"])).toMatchObject({ ok: false, code: "42501" }); // more scopes
    const child = await mint(claims, a.workspaceId, ["read"], null);
    expect(child).toMatchObject({ ok: true, value: { parent_id: parent } });
    if (!child.ok) throw new Error("expected a key");
    expect(child.value?.expires_at?.getTime()).toBe(later.getTime()); // capped at the parent's expiry

    // for real (committed), then the parent revoked: the child goes with it
    const made = await withUser(db.owner, claims, async (c) => {
      const { rows } = await c.query<{ id: string }>(
        `insert into public.api_keys (workspace_id, user_id, name, prefix, key_hash, scopes)
         values ($1, auth.uid(), 'child', 'qrstuvwx', $2, '{read}') returning id`,
        [a.workspaceId, randomBytes(32).toString("hex")],
      );
      return rows[0]?.id as string;
    });
    await withUser(db.owner, both.claims, (c) =>
      c.query("update public.api_keys set revoked_at = now() where id = $1", [parent]),
    );
    const revoked = await db.owner.query<{ revoked: boolean }>(
      "select revoked_at is not null as revoked from public.api_keys where id = $1",
      [made],
    );
    expect(revoked.rows[0]?.revoked).toBe(true);
    // a revoked key makes nothing any more
    expect(await mint(claims, a.workspaceId, ["read"])).toMatchObject({ ok: false, code: "42501" });
  });

  it("a personal key (bound to nothing) may bind the keys it makes; a bound key sees only keys of its workspace", async () => {
    const personal = await keyOf(both.id, null, ["read", "ingest", "admin"]);
    const claims: Claims = { ...both.claims, api_key_id: personal };
    expect(await mint(claims, a.workspaceId, ["ingest"])).toMatchObject({ ok: true });
    expect(await mint(claims, null, ["read"])).toMatchObject({ ok: true });
    const bound = await keyOf(both.id, b.workspaceId, ["read"]);
    const visible = await withUser(
      db.owner,
      { ...both.claims, api_key_id: bound, facet_workspace_id: b.workspaceId },
      async (c) => (await c.query<{ id: string }>("select id from public.api_keys where user_id = auth.uid()")).rows,
    );
    expect(visible.map((k) => k.id)).toEqual([bound]);
  });
});

describe("parts held at once", () => {
  it("stops claiming at the dataset's limit (returned parts count), says so, and serves other datasets", async () => {
    const d1 = await insertDataset(db.owner, { workspaceId: b.workspaceId, labelSchemaId: b.labelSchemaId });
    const d2 = await insertDataset(db.owner, { workspaceId: b.workspaceId, labelSchemaId: b.labelSchemaId });
    await insertParts(db.owner, { workspaceId: b.workspaceId, datasetId: d1, count: 6, status: "pre_labeled" });
    await insertParts(db.owner, { workspaceId: b.workspaceId, datasetId: d2, count: 1, status: "pre_labeled" });
    const me = b.users.annotator.claims;
    const claim = (datasetId: string | null) =>
      withUser(db.owner, me, (c) => claimNextPart(c, { workspaceId: b.workspaceId, datasetId }));
    const held: string[] = [];
    for (let i = 0; i < 3; i++) held.push(((await claim(d1)) as { id: string }).id);
    const r = await refusal(claim(d1));
    expect(r.code).toBe("HOLD_LIMIT");
    expect(r.message).toMatch(/you already hold 3 parts of d-/);
    expect(await claim(d2)).toMatchObject({ datasetId: d2 });
    // a part returned to them by a reviewer still counts; releasing one frees a place
    await db.owner.query("update public.parts set returned_at = now(), lease_expires_at = null where id = $1", [
      held[0],
    ]);
    expect((await refusal(claim(d1))).code).toBe("HOLD_LIMIT");
    await withUser(db.owner, me, (c) => releasePart(c, b.workspaceId, held[1] as string));
    expect(await claim(d1)).toMatchObject({ datasetId: d1 });
    // the limit is the dataset's to set
    await db.owner.query("update public.datasets set max_held_parts = 4 where id = $1", [d1]);
    expect(await claim(d1)).toMatchObject({ datasetId: d1 });
  });

  it("leases last at most an hour", async () => {
    const d = await insertDataset(db.owner, { workspaceId: b.workspaceId, labelSchemaId: b.labelSchemaId });
    await insertParts(db.owner, { workspaceId: b.workspaceId, datasetId: d, count: 1, status: "pre_labeled" });
    const me = b.users.engineer.claims;
    expect(
      (
        await refusal(
          withUser(db.owner, me, (c) =>
            claimNextPart(c, { workspaceId: b.workspaceId, datasetId: d, leaseSeconds: 86_400 }),
          ),
        )
      ).code,
    ).toBe("VALIDATION_FAILED");
    const part = await withUser(db.owner, me, (c) =>
      claimNextPart(c, { workspaceId: b.workspaceId, datasetId: d, leaseSeconds: 3600 }),
    );
    expect((await refusal(withUser(db.owner, me, (c) => renewClaim(c, part?.id as string, 7200)))).code).toBe(
      "VALIDATION_FAILED",
    );
  });
});

describe("workspace addresses", () => {
  it("gives a new workspace a free address instead of a conflict that tells another workspace exists", async () => {
    const made = [];
    for (const who of [a.users.viewer, b.users.viewer, a.users.engineer]) {
      made.push(
        await withUser(db.owner, who.claims, (c) =>
          createWorkspace(c, { name: "Acme Machining", slug: "acme-machining", taxonomy: DEFAULT_TAXONOMY }),
        ),
      );
    }
    expect(made.map((w) => w.slug)).toEqual(["acme-machining", "acme-machining-2", "acme-machining-3"]);
    const long = "x".repeat(48);
    const twice = [];
    for (const who of [a.users.viewer, b.users.viewer]) {
      twice.push(
        await withUser(db.owner, who.claims, (c) =>
          createWorkspace(c, { name: long, slug: long, taxonomy: DEFAULT_TAXONOMY }),
        ),
      );
    }
    expect(twice.map((w) => w.slug)).toEqual([long, `${"x".repeat(46)}-2`]);
  });
});

describe("rate limits (generic cell rate algorithm, shared through the database)", () => {
  const limit = { limit: 5, periodSeconds: 100 };

  it("lets a burst of `limit` through, then one per period/limit, saying how long to wait", async () => {
    const key = randomUUID();
    for (let i = 0; i < 5; i++) expect(await takeRateLimit(db.owner, "test", key, limit)).toBe(0);
    const wait = await takeRateLimit(db.owner, "test", key, limit);
    expect(wait).toBeGreaterThan(19);
    expect(wait).toBeLessThanOrEqual(20);
    // a refused hit takes nothing: the wait does not grow
    expect(await takeRateLimit(db.owner, "test", key, limit)).toBeLessThanOrEqual(20);
    // 20 seconds later one more passes
    await db.owner.query(
      "update private.rate_limits set tat = tat - interval '20 seconds' where bucket = 'test' and key = $1",
      [key],
    );
    expect(await takeRateLimit(db.owner, "test", key, limit)).toBe(0);
    expect(await takeRateLimit(db.owner, "test", key, limit)).toBeGreaterThan(0);
    // keys and buckets are independent
    expect(await takeRateLimit(db.owner, "test", randomUUID(), limit)).toBe(0);
    expect(await takeRateLimit(db.owner, "other", key, limit)).toBe(0);
  });

  it("charges a cost at once, gives hits back, and counts concurrent hits exactly", async () => {
    const key = randomUUID();
    expect(await takeRateLimit(db.owner, "test", key, limit, 5)).toBe(0);
    expect(await takeRateLimit(db.owner, "test", key, limit)).toBeGreaterThan(0);
    await takeRateLimit(db.owner, "test", key, limit, -2);
    expect(await takeRateLimit(db.owner, "test", key, limit)).toBe(0);
    expect(await takeRateLimit(db.owner, "test", key, limit)).toBe(0);
    expect(await takeRateLimit(db.owner, "test", key, limit)).toBeGreaterThan(0);
    // several buckets in one round trip (a request counts for its user and its key): the longest wait
    const user = randomUUID();
    const keyOf = randomUUID();
    const both = [
      { bucket: "test:user", key: user, limit },
      { bucket: "test:key", key: keyOf, limit: { limit: 2, periodSeconds: 100 } },
    ];
    expect(await takeRateLimits(db.owner, both)).toBe(0);
    expect(await takeRateLimits(db.owner, both)).toBe(0);
    expect(await takeRateLimits(db.owner, both)).toBeGreaterThan(49); // the key's budget (2 per 100 s) is spent
    expect(await takeRateLimit(db.owner, "test:user", user, limit)).toBe(0); // the user's is not
    expect(await takeRateLimits(db.owner, [])).toBe(0);
    const racing = randomUUID();
    const waits = await Promise.all(Array.from({ length: 20 }, () => takeRateLimit(db.owner, "test", racing, limit)));
    expect(waits.filter((w) => w === 0)).toHaveLength(5);
  });
});

describe("live streams", () => {
  it("counts open streams per user across processes and refuses beyond the cap; stale ones stop counting", async () => {
    const user = a.users.viewer.id;
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    expect(await openEventStream(db.owner, { id: ids[0] as string, userId: user, cap: 2, liveSeconds: 60 })).toBe(true);
    expect(await openEventStream(db.owner, { id: ids[1] as string, userId: user, cap: 2, liveSeconds: 60 })).toBe(true);
    expect(await openEventStream(db.owner, { id: ids[2] as string, userId: user, cap: 2, liveSeconds: 60 })).toBe(
      false,
    );
    await closeEventStream(db.owner, ids[0] as string);
    expect(await openEventStream(db.owner, { id: ids[2] as string, userId: user, cap: 2, liveSeconds: 60 })).toBe(true);
    // a stream whose heartbeat stopped (its server died) no longer counts
    await db.owner.query("update private.event_streams set seen_at = now() - interval '2 minutes' where id = $1", [
      ids[1],
    ]);
    await touchEventStream(db.owner, ids[2] as string);
    expect(await openEventStream(db.owner, { id: randomUUID(), userId: user, cap: 2, liveSeconds: 60 })).toBe(true);
    // the worker forgets stale streams of users who never come back
    await db.owner.query("update private.event_streams set seen_at = now() - interval '2 minutes' where user_id = $1", [
      user,
    ]);
    expect(await pruneEventStreams(db.owner)).toBe(2);
    expect((await db.owner.query("select 1 from private.event_streams where user_id = $1", [user])).rowCount).toBe(0);
  });

  it("tells listeners when a membership is removed or changed, so open streams check again", async () => {
    const events = await listenFacetEvents(db);
    try {
      const w = await createWorkspaceWithRoles(db.owner, "access-events");
      await db.owner.query(
        "update public.workspace_members set role = 'viewer' where workspace_id = $1 and user_id = $2",
        [w.workspaceId, w.users.annotator.id],
      );
      await db.owner.query("delete from public.workspace_members where workspace_id = $1 and user_id = $2", [
        w.workspaceId,
        w.users.engineer.id,
      ]);
      await events.eventsOf("none", async () => {});
      const access = events.all().filter((e) => e.kind === "access" && e.workspace_id === w.workspaceId);
      expect(access).toEqual([
        { kind: "access", workspace_id: w.workspaceId, user_id: w.users.annotator.id },
        { kind: "access", workspace_id: w.workspaceId, user_id: w.users.engineer.id },
      ]);
    } finally {
      await events.close();
    }
  });
});

describe("finding the caller's workspace (every API request does)", () => {
  /** How many times a membership check ran while `fn` ran as `claims` (PostgreSQL's function counters). */
  async function membershipChecks(claims: Claims, fn: (c: import("pg").PoolClient) => Promise<unknown>) {
    const c = await db.owner.connect();
    // the counters of this backend not yet flushed, earlier transactions' included: read before and after
    const calls = async () =>
      (
        await c.query<{ n: number }>(
          `select coalesce(sum(calls), 0)::int as n from pg_stat_xact_user_functions
           where schemaname = 'private' and funcname like 'is_%member%'`,
        )
      ).rows[0]?.n ?? 0;
    try {
      await c.query("begin");
      await c.query("set local track_functions = 'all'");
      const before = await calls();
      await c.query("select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)", [
        JSON.stringify(claims),
      ]);
      await fn(c);
      await c.query("reset role");
      const n = (await calls()) - before;
      await c.query("rollback");
      return n;
    } finally {
      c.release();
    }
  }

  it("checks the caller's own memberships only, however many members the workspace has", async () => {
    const slug = (await db.owner.query("select slug from public.workspaces where id = $1", [b.workspaceId])).rows[0]
      .slug as string;
    const lookups = async () => [
      await membershipChecks(b.users.annotator.claims, (c) => getWorkspaceForMember(c, slug)),
      await membershipChecks(b.users.annotator.claims, (c) => listMyWorkspaces(c)),
    ];
    const small = await lookups();
    expect(small[0]).toBeGreaterThan(0); // the counters count: row-level security did check
    for (let i = 0; i < 120; i++) {
      const u = await db.owner.query<{ id: string }>(
        "insert into auth.users (email, email_confirmed_at) values ($1, now()) returning id",
        [`crowd-${i}-${randomUUID().slice(0, 6)}@example.test`],
      );
      await addMember(db.owner, b.workspaceId, u.rows[0]?.id as string, "viewer");
    }
    expect(await lookups()).toEqual(small);
  });

  it("in one round trip: as the caller, within a key's binding, with the value escaped, leaving the connection as it was", async () => {
    const { rows } = await db.owner.query<{ slug: string }>("select slug from public.workspaces where id = $1", [
      b.workspaceId,
    ]);
    const slug = rows[0]?.slug as string;
    const pool = new (await import("pg")).default.Pool({ connectionString: db.url, max: 1 });
    try {
      expect(await findWorkspaceForMember(pool, both.claims, slug)).toMatchObject({
        id: b.workspaceId,
        role: "annotator",
      });
      expect(await findWorkspaceForMember(pool, both.claims, b.workspaceId)).toMatchObject({ slug });
      // not a member, or a key bound to the other workspace: the same refusal
      await expect(findWorkspaceForMember(pool, a.users.engineer.claims, slug)).rejects.toMatchObject({
        code: "NOT_A_MEMBER",
      });
      const boundToA = { ...both.claims, facet_workspace_id: a.workspaceId };
      await expect(findWorkspaceForMember(pool, boundToA, slug)).rejects.toMatchObject({ code: "NOT_A_MEMBER" });
      // text that would end the literal, or the statement, is a slug that does not exist
      await expect(findWorkspaceForMember(pool, both.claims, `${slug}\u0000`)).rejects.toMatchObject({
        code: "VALIDATION_FAILED",
      });
      for (const hostile of [`${slug}' or '1'='1`, `x\\' or true --`, "x'; reset role; select '", "E'\\x27'"])
        await expect(findWorkspaceForMember(pool, both.claims, hostile), hostile).rejects.toMatchObject({
          code: "NOT_A_MEMBER",
        });
      // the one connection keeps nothing of the caller
      const after = await pool.query("select current_user, current_setting('request.jwt.claims', true) as claims");
      expect(after.rows[0]).toEqual({ current_user: "postgres", claims: "" });
    } finally {
      await pool.end();
    }
  });
});
