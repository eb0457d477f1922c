/**
 * Erasure on Supabase: GoTrue's own tables hold a person's phone, tokens carrying their address, MFA
 * factors and audit entries naming them. Here they are made as GoTrue makes them (the columns erasure
 * reads), since the embedded bootstrap has none; erase_person must clear the person's rows and only theirs.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { withUser } from "../session";
import { createTestDatabase, createUser, createWorkspaceWithRoles, type TestDatabase } from "../testing";
import { erasePerson } from "./people";

describe("erasure with Supabase Auth's tables", () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase(inject("pgBaseUrl"));
    await db.owner.query(`
      alter table auth.users add column phone text;
      create table auth.one_time_tokens (id uuid primary key default gen_random_uuid(), user_id uuid not null,
        token_type text not null, token_hash text not null, relates_to text not null);
      create table auth.mfa_factors (id uuid primary key default gen_random_uuid(), user_id uuid not null,
        factor_type text not null, phone text);
      create table auth.flow_state (id uuid primary key default gen_random_uuid(), user_id uuid,
        auth_code text not null, provider_type text not null);
      create table auth.audit_log_entries (instance_id uuid, id uuid primary key default gen_random_uuid(),
        payload json, created_at timestamptz default now(), ip_address varchar(64) not null default '');
    `);
  });
  afterAll(async () => {
    await db.drop();
  });

  it("removes the person's phone, tokens, factors, flow state and GoTrue audit entries, and nobody else's", async () => {
    const w = await createWorkspaceWithRoles(db.owner, "erase-auth");
    const gone = await createUser(db.owner, "erase-auth-gone");
    const other = w.users.engineer;
    const email = (await db.owner.query<{ email: string }>("select email from auth.users where id = $1", [gone.id]))
      .rows[0]?.email as string;
    await db.owner.query(
      "insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'annotator')",
      [w.workspaceId, gone.id],
    );
    for (const u of [gone.id, other.id]) {
      await db.owner.query("update auth.users set phone = '+15550100' where id = $1", [u]);
      await db.owner.query(
        "insert into auth.one_time_tokens (user_id, token_type, token_hash, relates_to) values ($1, 'recovery_token', 'h', $2)",
        [u, `${u}@example.test`],
      );
      await db.owner.query("insert into auth.mfa_factors (user_id, factor_type, phone) values ($1, 'phone', '+1555')", [
        u,
      ]);
      await db.owner.query(
        "insert into auth.flow_state (user_id, auth_code, provider_type) values ($1, 'c', 'email')",
        [u],
      );
      await db.owner.query(
        "insert into auth.audit_log_entries (payload) values (json_build_object('actor_id', $1::text, 'action', 'login'))",
        [u],
      );
    }
    // an entry naming the person only by address (a recovery request before they had an id here)
    await db.owner.query(
      "insert into auth.audit_log_entries (payload) values (json_build_object('actor_username', upper($1), 'action', 'user_recovery_requested'))",
      [email],
    );

    await withUser(
      db.owner,
      w.users.admin.claims,
      (c) => erasePerson(c, { workspaceId: w.workspaceId, userId: gone.id }),
      {
        workspaceId: w.workspaceId,
      },
    );

    const count = async (sql: string, id: string) =>
      Number((await db.owner.query(`select count(*) as n from ${sql}`, [id])).rows[0]?.n);
    for (const [id, expected] of [
      [gone.id, 0],
      [other.id, 1],
    ] as const) {
      expect(await count("auth.users where id = $1 and phone is not null", id), id).toBe(expected);
      expect(await count("auth.one_time_tokens where user_id = $1", id)).toBe(expected);
      expect(await count("auth.mfa_factors where user_id = $1", id)).toBe(expected);
      expect(await count("auth.flow_state where user_id = $1", id)).toBe(expected);
      expect(await count("auth.audit_log_entries where payload ->> 'actor_id' = $1::text", id)).toBe(expected);
    }
    expect(await count("auth.audit_log_entries where payload::text ilike '%' || $1 || '%'", email)).toBe(0);
  });
});
