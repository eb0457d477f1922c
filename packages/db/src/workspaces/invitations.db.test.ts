/**
 * Who used each invitation link (issue 17, item 13): accept_invitation records each use with the
 * membership it grants, in the same transaction, and the workspace's admins (only they) read it beside
 * the link.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { withUser } from "../session";
import {
  attempt,
  createTestDatabase,
  createUser,
  createWorkspaceWithRoles,
  refusal,
  type TestDatabase,
  type TestUser,
} from "../testing";
import { acceptInvitation, createInvitation, listInvitations } from "./invitations";

type Workspace = Awaited<ReturnType<typeof createWorkspaceWithRoles>>;

let db: TestDatabase;
let w: Workspace;
let other: Workspace;

beforeAll(async () => {
  db = await createTestDatabase(inject("pgBaseUrl"));
  w = await createWorkspaceWithRoles(db.owner, "inv");
  other = await createWorkspaceWithRoles(db.owner, "inv-other");
});

afterAll(async () => {
  await db.drop();
});

const hex64 = () => randomBytes(32).toString("hex");

/** An invitation link of W made by its admin: its id and its token's hash. */
async function invite(maxUses = 1): Promise<{ id: string; tokenHash: string }> {
  const tokenHash = hex64();
  const { id } = await withUser(db.owner, w.users.admin.claims, (c) =>
    createInvitation(c, { workspaceId: w.workspaceId, role: "annotator", tokenHash, expiresInHours: 24, maxUses }),
  );
  return { id, tokenHash };
}

const accept = (u: TestUser, tokenHash: string) => withUser(db.owner, u.claims, (c) => acceptInvitation(c, tokenHash));

const listAs = (u: TestUser, workspaceId = w.workspaceId) =>
  withUser(db.owner, u.claims, (c) => listInvitations(c, workspaceId), { workspaceId });

describe("who used an invitation link", () => {
  it("is recorded with the membership, in the same transaction, and listed for the admin with when", async () => {
    const link = await invite();
    const newcomer = await createUser(db.owner, "newcomer");
    await db.owner.query("update public.profiles set display_name = 'Nia Newcomer' where user_id = $1", [newcomer.id]);
    const joined = await accept(newcomer, link.tokenHash);
    expect(joined).toMatchObject({ workspaceId: w.workspaceId, role: "annotator", alreadyMember: false });

    // one row, written by the transaction that made the membership
    const { rows } = await db.owner.query<{ same: boolean; at: boolean }>(
      `select u.xmin::text = m.xmin::text as same, u.used_at = m.created_at as at
       from public.invitation_uses u
       join public.workspace_members m on m.workspace_id = u.workspace_id and m.user_id = u.user_id
       where u.invitation_id = $1`,
      [link.id],
    );
    expect(rows).toEqual([{ same: true, at: true }]);

    const listed = (await listAs(w.users.admin)).find((i) => i.id === link.id);
    expect(listed?.useCount).toBe(1);
    expect(listed?.uses).toEqual([
      { id: expect.any(String), email: newcomer.email, displayName: "Nia Newcomer", usedAt: expect.any(String) },
    ]);
    expect(Date.parse(listed?.uses[0]?.usedAt ?? "")).toBeGreaterThan(Date.now() - 60_000);
  });

  it("lists every person who used a link for several, in the order they came; a refused use records nothing", async () => {
    const link = await invite(2);
    const first = await createUser(db.owner, "first");
    const second = await createUser(db.owner, "second");
    const late = await createUser(db.owner, "late");
    await accept(first, link.tokenHash);
    await accept(second, link.tokenHash);
    // used up: refused, and nobody added
    expect((await refusal(accept(late, link.tokenHash))).code).toBe("INVITATION_INVALID");
    // a member opening a link again is told so, and it is not a use
    const again = await invite();
    expect(await accept(w.users.engineer, again.tokenHash)).toMatchObject({ alreadyMember: true });

    const list = await listAs(w.users.admin);
    expect(list.find((i) => i.id === link.id)?.uses.map((u) => u.email)).toEqual([first.email, second.email]);
    expect(list.find((i) => i.id === again.id)?.uses).toEqual([]);
  });

  it("stays when the person leaves the workspace, without showing who they are any more", async () => {
    const link = await invite();
    const leaver = await createUser(db.owner, "leaver");
    await accept(leaver, link.tokenHash);
    await withUser(db.owner, leaver.claims, (c) =>
      c.query("delete from public.workspace_members where workspace_id = $1 and user_id = $2", [
        w.workspaceId,
        leaver.id,
      ]),
    );
    const listed = (await listAs(w.users.admin)).find((i) => i.id === link.id);
    // the admin no longer shares a workspace with them: their profile is not theirs to read
    expect(listed?.uses).toEqual([
      { id: expect.any(String), email: null, displayName: null, usedAt: expect.any(String) },
    ]);
  });

  it("is read by the workspace's admins only: not by its other members, nor by an admin of another workspace", async () => {
    const link = await invite();
    await accept(await createUser(db.owner, "seen"), link.tokenHash);
    const count = (u: TestUser, workspaceId: string | null) =>
      attempt(db.owner, { role: "authenticated", claims: u.claims }, async (c) => {
        if (workspaceId) await c.query("select set_config('facet.workspace_id', $1, true)", [workspaceId]);
        const r = await c.query<{ n: number }>(
          "select count(*)::int as n from public.invitation_uses where invitation_id = $1",
          [link.id],
        );
        return r.rows[0]?.n;
      });
    expect(await count(w.users.admin, w.workspaceId)).toEqual({ ok: true, value: 1 });
    for (const role of ["engineer", "annotator", "ml_engineer", "viewer"] as const) {
      expect(await count(w.users[role], null), role).toEqual({ ok: true, value: 0 });
    }
    expect(await count(other.users.admin, null)).toEqual({ ok: true, value: 0 });
    // nor through a request scoped to the other workspace, by someone who is admin of both
    const both = await createUser(db.owner, "both");
    await db.owner.query(
      "insert into public.workspace_members (workspace_id, user_id, role) values ($1, $3, 'admin'), ($2, $3, 'admin')",
      [w.workspaceId, other.workspaceId, both.id],
    );
    expect(await count(both, other.workspaceId)).toEqual({ ok: true, value: 0 });
    expect(await count(both, w.workspaceId)).toEqual({ ok: true, value: 1 });
  });

  it("is written by accepting a link only: nobody inserts, changes or deletes a use by hand", async () => {
    const link = await invite();
    const user = await createUser(db.owner, "forger");
    await accept(user, link.tokenHash);
    const admin = { role: "authenticated" as const, claims: w.users.admin.claims };
    const tries = [
      [
        "insert into public.invitation_uses (invitation_id, workspace_id, user_id) values ($1, $2, $3)",
        [link.id, w.workspaceId, w.users.viewer.id],
      ],
      ["update public.invitation_uses set user_id = $2 where invitation_id = $1", [link.id, w.users.viewer.id]],
      ["delete from public.invitation_uses where invitation_id = $1", [link.id]],
    ] as const;
    for (const [sql, params] of tries) {
      const r = await attempt(db.owner, admin, (c) => c.query(sql, [...params]));
      // refused (insert), or no row to act on (update, delete)
      expect(r.ok ? r.value.rowCount : r.code, sql).toBe(sql.startsWith("insert") ? "42501" : 0);
    }
  });
});
