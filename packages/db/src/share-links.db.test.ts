/**
 * Share links against a real PostgreSQL: only a token's SHA-256 is stored; a guest holding a valid
 * link (`withShareLink`: role anon, the token in the claims) sees that one part and what belongs to
 * it, and comments on it when the link allows, and nothing else; revoked, expired or unknown links
 * show nothing; revoking is one-way.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { newShareLinkSchema, shareTokenSchema } from "@facet/core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Claims } from "./session";
import { withShareLink, withUser } from "./session";
import {
  type As,
  attempt,
  createTestDatabase,
  createWorkspaceWithRoles,
  insertDataset,
  insertParts,
  labelCompletely,
  refusal,
  type TestDatabase,
  type TestUser,
} from "./testing";
import { addComment, addGuestComment, listComments } from "./workspaces/comments";
import {
  createShareLink,
  listShareLinks,
  openShareLink,
  revokeShareLink,
  type ShareLinkRow,
  shareTokenHash,
} from "./workspaces/share-links";
import { getLabellingContext } from "./workspaces/workbench";

type Workspace = Awaited<ReturnType<typeof createWorkspaceWithRoles>>;

let db: TestDatabase;
let w: Workspace;
let elsewhere: Workspace;
let outsider: TestUser;
/** The shared part, another part of the same dataset, and a part of another dataset (and label schema). */
let shared: string;
let sibling: string;
let elsewherePart: string;
let otherDatasetId: string;
let otherSchemaId: string;
let sharedComment: string;
let siblingComment: string;

async function comment(u: TestUser, partId: string, body: string): Promise<string> {
  const c = await withUser(db.owner, u.claims, (cl) =>
    addComment(cl, { workspaceId: w.workspaceId, partId, comment: { body } }),
  );
  return c.id;
}

beforeAll(async () => {
  db = await createTestDatabase(inject("pgBaseUrl"));
  w = await createWorkspaceWithRoles(db.owner, "sl");
  elsewhere = await createWorkspaceWithRoles(db.owner, "sl-else");
  outsider = elsewhere.users.admin;
  [shared, sibling] = (await insertParts(db.owner, { ...w, count: 2, status: "in_review" })) as [string, string];
  const { rows: schema } = await db.owner.query<{ id: string }>(
    "insert into public.label_schemas (workspace_id, name, taxonomy) select workspace_id, 'Other', taxonomy from public.label_schemas where id = $1 returning id",
    [w.labelSchemaId],
  );
  otherSchemaId = schema[0]?.id as string;
  otherDatasetId = await insertDataset(db.owner, {
    workspaceId: w.workspaceId,
    labelSchemaId: otherSchemaId,
    name: "other",
  });
  [elsewherePart] = (await insertParts(db.owner, {
    workspaceId: w.workspaceId,
    datasetId: otherDatasetId,
    count: 1,
    status: "in_review",
  })) as [string];
  for (const id of [shared, sibling, elsewherePart]) {
    await labelCompletely(db.owner, id, { authorId: w.users.annotator.id, faceCount: 3 });
  }
  // a second revision of the shared part
  await db.owner.query(
    `insert into public.annotation_revisions (part_id, revision_no, author_id, face_signature, document)
     select part_id, 2, author_id, face_signature, document from public.annotation_revisions where part_id = $1`,
    [shared],
  );
  sharedComment = await comment(w.users.engineer, shared, "on the shared part");
  siblingComment = await comment(w.users.engineer, sibling, "on the sibling");
  await comment(w.users.engineer, elsewherePart, "on the other dataset's part");
});

afterAll(async () => {
  await db.drop();
});

async function share(
  partId: string,
  access: "read" | "comment" = "read",
  u: TestUser = w.users.engineer,
): Promise<{ link: ShareLinkRow; token: string }> {
  return withUser(db.owner, u.claims, (c) =>
    createShareLink(c, {
      workspaceId: w.workspaceId,
      partId,
      link: newShareLinkSchema.parse({ access, expiresInDays: 7, label: `${access} link` }),
    }),
  );
}

/** As a guest holding `token`, for `attempt` (rolled back). */
const guest = (token: string): As => ({
  role: "anon",
  claims: { role: "anon", share_token: token } as unknown as Claims,
});

/** The ids of a table's rows the guest sees; "denied" when the guest may not read the table at all. */
async function guestSees(token: string, sql: string, params: unknown[] = []): Promise<string[] | "denied"> {
  const r = await attempt(db.owner, guest(token), (c) => c.query<{ id: string }>(sql, params));
  if (!r.ok) {
    expect(r.code, `${sql}: ${r.message}`).toBe("42501");
    return "denied";
  }
  return r.value.rows.map((row) => String(row.id)).sort();
}

/** Nothing at all: no rows, or no access to the table. */
function nothing(seen: string[] | "denied"): boolean {
  return seen === "denied" || seen.length === 0;
}

async function linkRow(id: string) {
  const { rows } = await db.owner.query<{
    token_hash: string;
    created_by: string | null;
    revoked_at: Date | null;
    revoked_by: string | null;
    use_count: number;
    last_used_at: Date | null;
    expires_at: Date;
    label: string | null;
    raw: string;
  }>(
    `select token_hash, created_by, revoked_at, revoked_by, use_count, last_used_at, expires_at, label,
            to_jsonb(l)::text as raw
     from public.share_links l where id = $1`,
    [id],
  );
  if (!rows[0]) throw new Error(`no share link ${id}`);
  return rows[0];
}

async function showsNothing(token: string): Promise<void> {
  for (const table of ["parts", "annotation_revisions", "comments", "part_geometry", "datasets", "label_schemas"]) {
    expect(await guestSees(token, `select id from public.${table}`), table).toEqual([]);
  }
  expect(await refusal(withShareLink(db.owner, token, (c) => openShareLink(c)))).toEqual({
    code: "SHARE_LINK_INVALID",
    message: "this share link is not valid: it was revoked, it expired, or it never existed",
  });
  expect(
    await refusal(withShareLink(db.owner, token, (c) => addGuestComment(c, shared, { body: "x", authorName: "Jo" }))),
  ).toMatchObject({ code: "FORBIDDEN" });
}

const asUser = (u: TestUser): As => ({ role: "authenticated", claims: u.claims });

describe("creating a share link", () => {
  it("returns a 43-character token once and stores only its SHA-256; audited", async () => {
    const before = Date.now();
    const { link, token } = await share(shared, "comment");
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(shareTokenSchema.safeParse(token).success).toBe(true);
    expect(link).toEqual({
      id: expect.any(String),
      partId: shared,
      access: "comment",
      label: "comment link",
      expiresAt: expect.any(String),
      revokedAt: null,
      createdByEmail: w.users.engineer.email,
      createdAt: expect.any(String),
      lastUsedAt: null,
      useCount: 0,
      active: true,
    });
    const days7 = 7 * 86400_000;
    expect(Date.parse(link.expiresAt)).toBeGreaterThanOrEqual(before + days7 - 5000);
    expect(Date.parse(link.expiresAt)).toBeLessThanOrEqual(Date.now() + days7 + 5000);

    const row = await linkRow(link.id);
    const sha = createHash("sha256").update(token).digest("hex");
    expect(shareTokenHash(token)).toBe(sha);
    expect(row.token_hash).toBe(sha);
    expect(row.created_by).toBe(w.users.engineer.id);
    expect(row.raw).not.toContain(token);
    // nor does the audit log keep it
    const { rows: audit } = await db.owner.query<{ actor_id: string; data: Record<string, unknown>; raw: string }>(
      "select actor_id, data, data::text as raw from public.audit_events where action = 'share_link.created' and target_id = $1",
      [link.id],
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor_id: w.users.engineer.id,
      data: { part_id: shared, access: "comment", label: "comment link" },
    });
    expect(audit[0]?.raw).not.toContain(token);
    expect(audit[0]?.raw).not.toContain(sha);

    // every link has its own token
    const again = await share(shared, "comment");
    expect(again.token).not.toBe(token);
    // engineers and admins list them; nobody else sees them
    const byAdmin = await withUser(db.owner, w.users.admin.claims, (c) => listShareLinks(c, shared));
    expect(byAdmin.map((l) => l.id)).toEqual(expect.arrayContaining([link.id, again.link.id]));
    for (const u of [w.users.annotator, w.users.ml_engineer, w.users.viewer, outsider]) {
      expect(await withUser(db.owner, u.claims, (c) => listShareLinks(c, shared)), u.email).toEqual([]);
    }
  });

  it("engineers and admins only", async () => {
    expect((await share(shared, "read", w.users.admin)).link.createdByEmail).toBe(w.users.admin.email);
    for (const u of [w.users.annotator, w.users.ml_engineer, w.users.viewer]) {
      expect(await refusal(share(shared, "read", u)), u.email).toEqual({
        code: "FORBIDDEN",
        message: "your role does not allow this change",
      });
    }
    expect(await refusal(share(shared, "read", outsider))).toMatchObject({ code: "NOT_FOUND" });
    const insert =
      "insert into public.share_links (part_id, token_hash, access, expires_at, created_by) values ($1, $2, 'read', now() + interval '1 day', auth.uid())";
    for (const u of [w.users.annotator, w.users.viewer]) {
      const r = await attempt(db.owner, asUser(u), (c) => c.query(insert, [shared, shareTokenHash(randomUUID())]));
      expect(r, u.email).toMatchObject({ ok: false, code: "42501" });
    }
    // for an outsider the part does not exist, or the workspace is not theirs: refused either way
    const r = await attempt(db.owner, asUser(outsider), (c) => c.query(insert, [shared, shareTokenHash(randomUUID())]));
    expect(r.ok).toBe(false);
    expect(["42501", "23503"]).toContain(r.ok ? "" : r.code);
  });

  it("what a creator writes about who, when and how often is not taken", async () => {
    const r = await attempt(db.owner, asUser(w.users.engineer), async (c) => {
      const { rows } = await c.query(
        `insert into public.share_links (part_id, workspace_id, token_hash, access, expires_at, created_by, created_at,
           revoked_at, revoked_by, use_count, last_used_at)
         values ($1, $2, $3, 'read', now() + interval '1 day', $4, '2000-01-01', '2000-01-01', $4, 99, '2000-01-01')
         returning workspace_id, created_by, created_at = now() as created_now, revoked_at, revoked_by, use_count, last_used_at`,
        [shared, randomUUID(), shareTokenHash(randomUUID()), w.users.admin.id],
      );
      return rows[0];
    });
    expect(r).toEqual({
      ok: true,
      value: {
        workspace_id: w.workspaceId,
        created_by: w.users.engineer.id,
        created_now: true,
        revoked_at: null,
        revoked_by: null,
        use_count: 0,
        last_used_at: null,
      },
    });
  });

  it("a link expires within a year; a token hash must look like one", async () => {
    for (const days of [0, 366, 1.5]) {
      expect(newShareLinkSchema.safeParse({ access: "read", expiresInDays: days }).success, String(days)).toBe(false);
    }
    expect(newShareLinkSchema.safeParse({ access: "write", expiresInDays: 1 }).success).toBe(false);
    const insert = (expires: string, hash = shareTokenHash(randomUUID())) =>
      attempt(db.owner, asUser(w.users.engineer), (c) =>
        c.query(
          `insert into public.share_links (part_id, token_hash, access, expires_at, created_by)
           values ($1, $2, 'read', now() + $3::interval, auth.uid())`,
          [shared, hash, expires],
        ),
      );
    expect(await insert("367 days")).toMatchObject({ ok: false, code: "22023" });
    expect(await insert("-1 minute")).toMatchObject({ ok: false, code: "22023" });
    expect(await insert("365 days")).toMatchObject({ ok: true });
    expect(await insert("1 day", "not-a-hash")).toMatchObject({ ok: false, code: "23514" });
    expect(await insert("1 day", randomBytes(32).toString("base64url"))).toMatchObject({ ok: false, code: "23514" });
  });
});

describe("what a guest with a link sees", () => {
  let token: string;
  let linkId: string;

  beforeAll(async () => {
    const s = await share(shared, "read");
    token = s.token;
    linkId = s.link.id;
  });

  it("exactly the part, its revisions, geometry, dataset, label schema and comments", async () => {
    const ids = async (sql: string, params: unknown[] = []) =>
      (await db.owner.query<{ id: string }>(sql, params)).rows.map((r) => String(r.id)).sort();
    expect(await guestSees(token, "select id from public.parts")).toEqual([shared]);
    expect(await guestSees(token, "select id from public.annotation_revisions")).toEqual(
      await ids("select id from public.annotation_revisions where part_id = $1", [shared]),
    );
    expect(await guestSees(token, "select id from public.annotation_revisions")).toHaveLength(2);
    expect(await guestSees(token, "select id from public.part_geometry")).toEqual(
      await ids("select geometry_id as id from public.parts where id = $1", [shared]),
    );
    expect(await guestSees(token, "select id from public.datasets")).toEqual([w.datasetId]);
    expect(await guestSees(token, "select id from public.label_schemas")).toEqual([w.labelSchemaId]);
    expect(await guestSees(token, "select id from public.comments")).toEqual([sharedComment]);

    // what the share page loads
    const page = await withShareLink(db.owner, token, async (c) => {
      const link = await openShareLink(c);
      return {
        link,
        part: await getLabellingContext(c, link.workspaceId, link.partId),
        comments: await listComments(c, link.partId),
      };
    });
    expect(page.link).toEqual({
      linkId,
      workspaceId: w.workspaceId,
      partId: shared,
      access: "read",
      expiresAt: expect.any(String),
    });
    expect(page.part.part).toMatchObject({ id: shared, status: "in_review", annotatorEmail: null });
    expect(page.part.geometry?.faceCount).toBe(3);
    expect(page.part.taxonomy?.featureTypes.length).toBeGreaterThan(0);
    expect(page.part.revision?.revisionNo).toBe(2);
    expect(page.comments.map((t) => [t.id, t.body])).toEqual([[sharedComment, "on the shared part"]]);
  });

  it("not another part of the workspace, nor what belongs to it", async () => {
    for (const other of [sibling, elsewherePart]) {
      expect(await guestSees(token, "select id from public.parts where id = $1", [other])).toEqual([]);
      expect(await guestSees(token, "select id from public.annotation_revisions where part_id = $1", [other])).toEqual(
        [],
      );
      expect(await guestSees(token, "select id from public.comments where part_id = $1", [other])).toEqual([]);
      expect(
        await refusal(withShareLink(db.owner, token, (c) => getLabellingContext(c, w.workspaceId, other))),
      ).toMatchObject({ code: "NOT_FOUND" });
      expect(await withShareLink(db.owner, token, (c) => listComments(c, other))).toEqual([]);
    }
    expect(await guestSees(token, "select id from public.comments where id = $1", [siblingComment])).toEqual([]);
    expect(await guestSees(token, "select id from public.datasets where id = $1", [otherDatasetId])).toEqual([]);
    expect(await guestSees(token, "select id from public.label_schemas where id = $1", [otherSchemaId])).toEqual([]);
  });

  it("nothing of the workspace's people, links, reviews, log or notifications", async () => {
    // a notification, an invitation and a review decision (of the sibling) exist in the workspace
    await comment(w.users.engineer, shared, `@${w.users.annotator.email.split("@")[0]} have a look`);
    await withUser(db.owner, w.users.engineer.claims, async (c) => {
      await c.query("update public.parts set status = 'approved' where id = $1", [sibling]);
      await c.query(
        "insert into public.part_reviews (part_id, revision_id, decision) select part_id, id, 'approved' from public.annotation_revisions where part_id = $1",
        [sibling],
      );
    });
    await db.owner.query(
      "insert into public.invitations (workspace_id, email, role, token_hash, created_by, expires_at) select $1, 'x@example.test', 'viewer', $2, $3, now() + interval '1 day'",
      [w.workspaceId, shareTokenHash(randomUUID()), w.users.admin.id],
    );
    const tables: Array<[string, string]> = [
      ["workspaces", "id"],
      ["workspace_members", "user_id"],
      ["profiles", "user_id"],
      ["share_links", "id"],
      ["audit_events", "id"],
      ["notifications", "id"],
      ["part_reviews", "id"],
      ["invitations", "id"],
      ["part_presence", "part_id"],
      ["jobs", "id"],
      ["api_keys", "id"],
      ["blobs", "sha256"],
    ];
    for (const [table, key] of tables) {
      const { rows } = await db.owner.query<{ n: number }>(`select count(*)::int as n from public.${table}`);
      const seen = await guestSees(token, `select ${key} as id from public.${table}`);
      expect(nothing(seen), `${table} (${rows[0]?.n} rows): ${JSON.stringify(seen)}`).toBe(true);
    }
    // the history of the part is for members
    const history = await attempt(db.owner, guest(token), (c) =>
      c.query("select * from public.part_history($1)", [shared]),
    );
    expect(history).toMatchObject({ ok: false, code: "42501" });
  });

  it("a guest cannot look members up through the database's helper functions", async () => {
    // the link tells the guest the workspace id; members' addresses must not be confirmable with it
    const r = await attempt(db.owner, guest(token), (c) =>
      c.query<{ ids: string[] }>("select private.mentioned_members($1, $2) as ids", [
        w.workspaceId,
        `@${w.users.admin.email} @${w.users.engineer.email}`,
      ]),
    );
    // refused, or at least resolving nobody
    expect(r.ok ? { ok: true, ids: r.value.rows[0]?.ids } : { ok: false, code: r.code }).toSatisfy(
      (v: { ok: boolean; code?: string; ids?: string[] }) => (v.ok ? v.ids?.length === 0 : v.code === "42501"),
    );
  });

  it("a guest changes nothing: no labels, no status, no resolving, no deleting", async () => {
    const writes: Array<[string, unknown[]]> = [
      [
        "insert into public.annotation_revisions (part_id, revision_no, document) values ($1, 3, '{\"labels\": []}')",
        [shared],
      ],
      ["update public.parts set status = 'approved' where id = $1", [shared]],
      ["update public.parts set name = 'renamed' where id = $1", [shared]],
      ["update public.comments set resolved_at = now() where id = $1", [sharedComment]],
      ["delete from public.comments where id = $1", [sharedComment]],
      ["delete from public.parts where id = $1", [shared]],
      ["update public.share_links set expires_at = now() + interval '300 days' where id = $1", [linkId]],
      ["update public.share_links set use_count = 0 where id = $1", [linkId]],
      [
        "insert into public.share_links (part_id, token_hash, access, expires_at) values ($1, $2, 'comment', now() + interval '1 day')",
        [sibling, shareTokenHash("mine")],
      ],
      ["select public.claim_next_part($1)", [w.workspaceId]],
      ["select public.renew_claim($1)", [shared]],
      ["select public.record_audit_event($1, 'guest.was.here')", [w.workspaceId]],
    ];
    for (const [sql, params] of writes) {
      const r = await attempt(db.owner, guest(token), (c) => c.query(sql, params));
      const refused = !r.ok || r.value.rowCount === 0;
      expect(refused, `${sql}: ${JSON.stringify(r)}`).toBe(true);
    }
    const { rows } = await db.owner.query<{ status: string; resolved: boolean }>(
      `select p.status, c.resolved_at is not null as resolved from public.parts p, public.comments c
       where p.id = $1 and c.id = $2`,
      [shared, sharedComment],
    );
    expect(rows).toEqual([{ status: "in_review", resolved: false }]);
  });

  it("a read link cannot comment", async () => {
    expect(
      await refusal(
        withShareLink(db.owner, token, (c) => addGuestComment(c, shared, { body: "hello", authorName: "Jo" })),
      ),
    ).toEqual({ code: "FORBIDDEN", message: "your role does not allow this change" });
  });

  it("opening a link counts its uses; a failed request does not", async () => {
    const { link, token: t } = await share(shared, "read");
    for (let i = 0; i < 3; i++) await withShareLink(db.owner, t, (c) => openShareLink(c));
    const row = await linkRow(link.id);
    expect(row.use_count).toBe(3);
    expect(row.last_used_at).toBeInstanceOf(Date);
    await withShareLink(db.owner, t, async (c) => {
      await openShareLink(c);
      throw new Error("the page failed");
    }).catch(() => undefined);
    expect((await linkRow(link.id)).use_count).toBe(3);
    const listed = await withUser(db.owner, w.users.engineer.claims, (c) => listShareLinks(c, shared, link.id));
    expect(listed[0]).toMatchObject({ useCount: 3, active: true, lastUsedAt: row.last_used_at?.toISOString() });
    // a member's request carries no share token: nothing to open (or count)
    const asMember = await attempt(db.owner, asUser(w.users.engineer), (c) =>
      c.query("select * from public.open_share_link()"),
    );
    expect(asMember.ok).toBe(false);
    expect(["42501", "FC009"]).toContain(asMember.ok ? "" : asMember.code);
    expect((await linkRow(link.id)).use_count).toBe(3);
  });
});

describe("a comment link", () => {
  let token: string;
  let linkId: string;

  beforeAll(async () => {
    const s = await share(shared, "comment");
    token = s.token;
    linkId = s.link.id;
  });

  it("lets the guest comment on its part, named as a guest, mentioning nobody", async () => {
    const handle = w.users.engineer.email.split("@")[0] as string;
    const c = await withShareLink(db.owner, token, (cl) =>
      addGuestComment(cl, shared, {
        body: `@${handle} @${w.users.admin.email} the hole is off`,
        authorName: "  Jo Supplier  ",
      }),
    );
    expect(c).toMatchObject({
      partId: shared,
      parentId: null,
      kind: "comment",
      authorId: null,
      authorName: "Jo Supplier (guest)",
      guest: true,
      mentions: [],
      revisionNo: 2,
    });
    const { rows } = await db.owner.query<{ share_link_id: string; author_id: string | null }>(
      "select share_link_id, author_id from public.comments where id = $1",
      [c.id],
    );
    expect(rows).toEqual([{ share_link_id: linkId, author_id: null }]);
    expect((await db.owner.query("select 1 from public.notifications where comment_id = $1", [c.id])).rows).toEqual([]);
    // members see it as a guest's
    const threads = await withUser(db.owner, w.users.viewer.claims, (cl) => listComments(cl, shared));
    expect(threads.find((t) => t.id === c.id)).toMatchObject({ guest: true, authorName: "Jo Supplier (guest)" });
    const { rows: audit } = await db.owner.query<{ actor_id: string | null; data: Record<string, unknown> }>(
      "select actor_id, data from public.audit_events where action = 'comment.created' and target_id = $1",
      [c.id],
    );
    expect(audit).toEqual([
      {
        actor_id: null,
        data: expect.objectContaining({ share_link_id: linkId, author_name: "Jo Supplier (guest)", part_id: shared }),
      },
    ]);
  });

  it("a guest's reply notifies the thread's author", async () => {
    const c = await withShareLink(db.owner, token, (cl) =>
      addGuestComment(cl, shared, { body: "agreed", authorName: "Jo", parentId: sharedComment }),
    );
    const { rows } = await db.owner.query(
      "select user_id, kind, actor_id, summary from public.notifications where comment_id = $1",
      [c.id],
    );
    const name = (await db.owner.query<{ name: string }>("select name from public.parts where id = $1", [shared]))
      .rows[0]?.name;
    expect(rows).toEqual([
      { user_id: w.users.engineer.id, kind: "reply", actor_id: null, summary: `Jo (guest) replied on ${name}: agreed` },
    ]);
  });

  it("only on its own part, only as a guest comment, and with a name", async () => {
    expect(
      await refusal(
        withShareLink(db.owner, token, (c) => addGuestComment(c, sibling, { body: "x", authorName: "Jo" })),
      ),
    ).toEqual({ code: "FORBIDDEN", message: "your role does not allow this change" });
    const insert = (sql: string, params: unknown[]) => attempt(db.owner, guest(token), (c) => c.query(sql, params));
    expect(
      await insert("insert into public.comments (part_id, body, author_name) values ($1, 'x', 'Jo')", [sibling]),
    ).toMatchObject({ ok: false, code: "42501" });
    // a reply to a comment of another part: not visible to the guest, refused by the database anyway
    expect(
      await refusal(
        withShareLink(db.owner, token, (c) =>
          addGuestComment(c, shared, { body: "x", authorName: "Jo", parentId: siblingComment }),
        ),
      ),
    ).toMatchObject({ code: "NOT_FOUND" });
    expect(
      await insert("insert into public.comments (part_id, parent_id, body, author_name) values ($1, $2, 'x', 'Jo')", [
        shared,
        siblingComment,
      ]),
    ).toMatchObject({ ok: false, code: "22023" });
    // a review note
    const { rows: reviews } = await db.owner.query<{ id: string }>("select id from public.part_reviews limit 1");
    if (reviews[0]) {
      expect(
        await insert(
          "insert into public.comments (part_id, kind, review_id, body, author_name) values ($1, 'review_note', $2, 'x', 'Jo')",
          [shared, reviews[0].id],
        ),
      ).toMatchObject({ ok: false });
    }
    // posing as a member: the author is the guest, whatever was written
    const posing = await attempt(db.owner, guest(token), async (c) => {
      const { rows } = await c.query(
        "insert into public.comments (part_id, body, author_id, author_name) values ($1, 'x', $2, $3) returning author_id, author_name, share_link_id",
        [shared, w.users.admin.id, w.users.admin.email],
      );
      return rows[0];
    });
    expect(posing).toEqual({
      ok: true,
      value: { author_id: null, author_name: `${w.users.admin.email} (guest)`, share_link_id: linkId },
    });
    // no name
    for (const authorName of ["", "   "]) {
      expect(
        await insert("insert into public.comments (part_id, body, author_name) values ($1, 'x', $2)", [
          shared,
          authorName,
        ]),
        JSON.stringify(authorName),
      ).toMatchObject({ ok: false, code: "22023" });
    }
    // and still no resolving
    const resolve = await attempt(db.owner, guest(token), (c) =>
      c.query("update public.comments set resolved_at = now() where part_id = $1", [shared]),
    );
    expect(!resolve.ok || resolve.value.rowCount === 0).toBe(true);
  });
});

describe("revoked, expired and unknown links", () => {
  it("a revoked link shows nothing and cannot be opened", async () => {
    const { link, token } = await share(shared, "comment");
    expect(await guestSees(token, "select id from public.parts")).toEqual([shared]);
    const revoked = await withUser(db.owner, w.users.engineer.claims, (c) =>
      revokeShareLink(c, { partId: shared, linkId: link.id }),
    );
    expect(revoked).toMatchObject({ id: link.id, active: false, revokedAt: expect.any(String) });
    await showsNothing(token);
    const { rows } = await db.owner.query<{ actor_id: string }>(
      "select actor_id from public.audit_events where action = 'share_link.revoked' and target_id = $1",
      [link.id],
    );
    expect(rows).toEqual([{ actor_id: w.users.engineer.id }]);
    // the link records who revoked it
    expect((await linkRow(link.id)).revoked_by).toBe(w.users.engineer.id);
  });

  it("an expired link shows nothing and cannot be opened", async () => {
    const { link, token } = await share(shared, "comment");
    await withShareLink(db.owner, token, (c) => openShareLink(c));
    await db.owner.query("update public.share_links set expires_at = now() - interval '1 second' where id = $1", [
      link.id,
    ]);
    await showsNothing(token);
    const listed = await withUser(db.owner, w.users.admin.claims, (c) => listShareLinks(c, shared, link.id));
    expect(listed[0]).toMatchObject({ active: false, revokedAt: null, useCount: 1 });
  });

  it("an unknown, empty or hashed token shows nothing", async () => {
    const { link } = await share(shared, "comment");
    for (const token of [randomBytes(32).toString("base64url"), "", (await linkRow(link.id)).token_hash]) {
      await showsNothing(token);
    }
    // and no token at all
    const bare = await attempt(db.owner, { role: "anon", claims: null }, (c) => c.query("select id from public.parts"));
    expect(bare).toMatchObject({ ok: true, value: { rowCount: 0 } });
  });

  const update = (u: TestUser, linkId: string, set: string, params: unknown[] = []) =>
    attempt(db.owner, asUser(u), (c) =>
      c.query(`update public.share_links set ${set} where id = $1`, [linkId, ...params]),
    );

  it("a link changes only by being revoked", async () => {
    const { link } = await share(shared, "read");
    const refused: Record<string, unknown> = {};
    for (const set of [
      "label = 'renamed'",
      "expires_at = now() + interval '300 days'",
      "access = 'comment'",
      "use_count = use_count + 5",
      `token_hash = '${shareTokenHash("known")}'`,
    ]) {
      const r = await update(w.users.engineer, link.id, set);
      refused[set] = r.ok ? "changed" : r.code;
    }
    expect(refused).toEqual({
      "label = 'renamed'": "FC005",
      "expires_at = now() + interval '300 days'": "FC005",
      "access = 'comment'": "FC005",
      "use_count = use_count + 5": "FC005",
      [`token_hash = '${shareTokenHash("known")}'`]: "FC005",
    });
    // an update that changes nothing is no change
    expect(await update(w.users.engineer, link.id, "label = label")).toMatchObject({
      ok: true,
      value: { rowCount: 1 },
    });
  });

  it("an engineer cannot point a link at another part, let alone at another workspace's", async () => {
    const { link, token } = await share(shared, "comment");
    const [foreign] = (await insertParts(db.owner, {
      workspaceId: elsewhere.workspaceId,
      datasetId: elsewhere.datasetId,
      count: 1,
      status: "in_review",
    })) as [string];
    const codes: Record<string, string> = {};
    for (const [name, target] of [
      ["a sibling", sibling],
      ["another workspace's part", foreign],
    ] as const) {
      const r = await update(w.users.engineer, link.id, "part_id = $2", [target]);
      codes[name] = r.ok ? `changed (${r.value.rowCount} row)` : r.code;
    }
    // were it allowed (and committed), the guest would read (and comment on) the other workspace's part
    await withUser(db.owner, w.users.engineer.claims, (c) =>
      c.query("update public.share_links set part_id = $2 where id = $1", [link.id, foreign]),
    ).catch(() => undefined);
    const guestReads = await guestSees(token, "select id from public.parts");
    expect({ codes, guestReads }).toEqual({
      codes: { "a sibling": "FC005", "another workspace's part": "FC005" },
      guestReads: [shared],
    });
  });

  it("revoking takes the time and the revoker from the database, not from what was written", async () => {
    const { link, token } = await share(shared, "read");
    await withUser(db.owner, w.users.engineer.claims, (c) =>
      c.query("update public.share_links set revoked_at = '2000-01-01', revoked_by = $2 where id = $1", [
        link.id,
        w.users.admin.id,
      ]),
    );
    const row = await linkRow(link.id);
    expect(row.revoked_by).toBe(w.users.engineer.id);
    expect(Math.abs((row.revoked_at as Date).getTime() - Date.now())).toBeLessThan(60_000);
    await showsNothing(token);
  });

  it("revoking is once: no un-revoking, and revokeShareLink a second time changes nothing", async () => {
    const { link, token } = await share(shared, "read");
    const first = await withUser(db.owner, w.users.engineer.claims, (c) =>
      revokeShareLink(c, { partId: shared, linkId: link.id }),
    );
    for (const set of ["revoked_at = null", "revoked_at = now() + interval '1 hour'", "revoked_by = null"]) {
      expect(await update(w.users.admin, link.id, set), set).toMatchObject({
        ok: false,
        code: "FC005",
        message: "this share link is revoked already",
      });
    }
    const again = await withUser(db.owner, w.users.admin.claims, (c) =>
      revokeShareLink(c, { partId: shared, linkId: link.id }),
    );
    expect(again).toEqual(first);
    const { rows } = await db.owner.query(
      "select 1 from public.audit_events where action = 'share_link.revoked' and target_id = $1",
      [link.id],
    );
    expect(rows).toHaveLength(1);
    await showsNothing(token);
  });

  it("annotators and viewers neither see nor revoke links; nobody deletes one; links are revoked through their part", async () => {
    const { link, token } = await share(shared, "read");
    for (const u of [w.users.annotator, w.users.viewer, outsider]) {
      expect(await update(u, link.id, "revoked_at = now()"), u.email).toMatchObject({
        ok: true,
        value: { rowCount: 0 },
      });
      expect(
        await refusal(withUser(db.owner, u.claims, (c) => revokeShareLink(c, { partId: shared, linkId: link.id }))),
      ).toMatchObject({ code: "NOT_FOUND" });
    }
    for (const u of [w.users.engineer, w.users.admin]) {
      const del = await attempt(db.owner, asUser(u), (c) =>
        c.query("delete from public.share_links where id = $1", [link.id]),
      );
      expect(!del.ok || del.value.rowCount === 0, u.email).toBe(true);
    }
    const { link: other } = await share(sibling, "read");
    expect(
      await refusal(
        withUser(db.owner, w.users.engineer.claims, (c) => revokeShareLink(c, { partId: shared, linkId: other.id })),
      ),
    ).toMatchObject({ code: "NOT_FOUND" });
    expect((await linkRow(link.id)).revoked_at).toBe(null);
    expect((await linkRow(other.id)).revoked_at).toBe(null);
    expect(await guestSees(token, "select id from public.parts")).toEqual([shared]);
  });
});
