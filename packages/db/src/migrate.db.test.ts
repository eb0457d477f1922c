import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { listMigrations, migrate } from "./migrate";
import { SUPABASE_DIR } from "./testing";

describe("migrations", () => {
  const name = `m_${randomUUID().replaceAll("-", "")}`;
  const base = inject("pgBaseUrl");
  let client: pg.Client;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`create database ${name}`); // empty: not from the template
    await admin.end();
    client = new pg.Client({ connectionString: base.replace(/\/[^/]*$/, `/${name}`) });
    await client.connect();
  });

  afterAll(async () => {
    await client.end();
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`drop database ${name} with (force)`);
    await admin.end();
  });

  it("apply from zero, then a second run applies nothing and the bootstrap is idempotent", async () => {
    const files = await listMigrations(SUPABASE_DIR);
    const first = await migrate(client, SUPABASE_DIR);
    expect(first.bootstrapped).toBe(true);
    expect(first.supabase).toBe(false);
    expect(first.applied).toHaveLength(files.length);
    const second = await migrate(client, SUPABASE_DIR);
    expect(second.bootstrapped).toBe(true);
    expect(second.applied).toEqual([]);
    expect(second.skipped).toBe(files.length);
    const { rows } = await client.query("select version from supabase_migrations.schema_migrations order by version");
    expect(rows.map((r) => r.version)).toEqual(files.map((f) => f.version));
  });

  it("a second run (every start re-runs the bootstrap) leaves every privilege as the migrations set it", async () => {
    const privileges = async () =>
      (
        await client.query<{ p: string }>(
          `select format('%s %s %s', grantee, privilege_type, table_schema || '.' || table_name) as p
             from information_schema.role_table_grants where table_schema in ('public', 'private', 'auth')
           union all
           select format('%s %s %s.%s', grantee, privilege_type, table_schema || '.' || table_name, column_name)
             from information_schema.column_privileges where table_schema = 'public'
           union all
           select format('%s EXECUTE %s.%s', grantee, routine_schema, routine_name)
             from information_schema.routine_privileges where routine_schema in ('public', 'private', 'auth')
           order by 1`,
        )
      ).rows.map((r) => r.p);
    const before = await privileges();
    expect(before).toContain("authenticated UPDATE public.profiles.display_name");
    expect(before).not.toContain("authenticated UPDATE public.profiles.email");
    expect(before).not.toContain("anon EXECUTE public.claim_next_part");
    await migrate(client, SUPABASE_DIR);
    expect(await privileges()).toEqual(before);
  });

  it("creates what Supabase provides: auth schema, auth.users, auth.uid(), auth.jwt(), API roles", async () => {
    const roles = await client.query(
      "select rolname, rolbypassrls from pg_roles where rolname in ('anon','authenticated','service_role') order by 1",
    );
    expect(roles.rows).toEqual([
      { rolname: "anon", rolbypassrls: false },
      { rolname: "authenticated", rolbypassrls: false },
      { rolname: "service_role", rolbypassrls: true },
    ]);
    await client.query("begin");
    const sub = randomUUID();
    await client.query("select set_config('request.jwt.claims', $1, true)", [
      JSON.stringify({ sub, role: "authenticated", email: "a@b.test" }),
    ]);
    const r = await client.query(
      "select auth.uid() as uid, auth.role() as role, auth.email() as email, auth.jwt() ->> 'sub' as jwt_sub",
    );
    expect(r.rows[0]).toEqual({ uid: sub, role: "authenticated", email: "a@b.test", jwt_sub: sub });
    await client.query("commit");
    // after commit the setting reads '' (not NULL): auth.uid() must still be NULL, not an error
    const after = await client.query("select auth.uid() as uid, auth.jwt() as jwt");
    expect(after.rows[0]).toEqual({ uid: null, jwt: null });
  });

  it("skips the bootstrap on a Supabase database", async () => {
    await client.query("create role supabase_admin nologin");
    try {
      const r = await migrate(client, SUPABASE_DIR);
      expect(r).toMatchObject({ supabase: true, bootstrapped: false, applied: [] });
    } finally {
      await client.query("drop role supabase_admin");
    }
  });

  it("enables row-level security on every table of the public and private schemas", async () => {
    const { rows } = await client.query<{ table: string; rls: boolean }>(
      `select n.nspname || '.' || c.relname as table, c.relrowsecurity as rls
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where c.relkind in ('r', 'p') and n.nspname in ('public', 'private') order by 1`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(12);
    expect(rows.filter((r) => !r.rls)).toEqual([]);
  });

  it("gives every user-facing table a policy per operation it allows, to authenticated (anon: share links only)", async () => {
    const { rows } = await client.query<{ tablename: string; policyname: string; cmd: string; roles: string[] }>(
      "select tablename, policyname, cmd, roles::text[] as roles from pg_policies where schemaname = 'public'",
    );
    expect(rows.every((p) => p.roles.length === 1)).toBe(true);
    // a guest is never an authenticated user: anon policies are those of share links, and nothing else
    const anon = rows.filter((p) => p.roles[0] === "anon");
    expect(anon.map((p) => p.policyname).every((n) => n.startsWith("A share link"))).toBe(true);
    expect(anon.map((p) => `${p.tablename} ${p.cmd}`).sort()).toEqual([
      "annotation_revisions SELECT",
      "comments INSERT",
      "comments SELECT",
      "datasets SELECT",
      "label_schemas SELECT",
      "part_geometry SELECT",
      "parts SELECT",
    ]);
    expect(rows.filter((p) => p.roles[0] !== "anon").every((p) => p.roles[0] === "authenticated")).toBe(true);
    expect(rows.every((p) => p.cmd !== "ALL")).toBe(true);
    const tables = await client.query<{ relname: string }>(
      "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and c.relkind = 'r'",
    );
    for (const t of tables.rows) {
      expect(
        rows.some((p) => p.tablename === t.relname && p.cmd === "SELECT"),
        `${t.relname} has a select policy`,
      ).toBe(true);
    }
  });
});
