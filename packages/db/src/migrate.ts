import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type pg from "pg";

/** Supabase CLI naming: `<14-digit timestamp>_<name>.sql`. */
const MIGRATION_FILE = /^(\d{14})_([a-z0-9_]+)\.sql$/;

export interface MigrationFile {
  version: string;
  name: string;
  file: string;
}

export interface MigrateResult {
  bootstrapped: boolean;
  supabase: boolean;
  applied: string[];
  skipped: number;
}

export async function listMigrations(supabaseDir: string): Promise<MigrationFile[]> {
  const dir = path.join(supabaseDir, "migrations");
  const files = (await readdir(dir)).filter((f) => f.endsWith(".sql")).sort();
  return files.map((file) => {
    const m = MIGRATION_FILE.exec(file);
    if (!m) throw new Error(`migration file ${file} does not follow <timestamp>_<name>.sql`);
    return { version: m[1] as string, name: m[2] as string, file: path.join(dir, file) };
  });
}

/**
 * Apply the bootstrap (plain PostgreSQL only) and every pending migration, each in its own
 * transaction, under an advisory lock so two processes never migrate at once. Applied versions
 * are recorded in `supabase_migrations.schema_migrations`, the table the Supabase CLI uses, so
 * `supabase db push` and this runner agree on what is applied.
 */
export async function migrate(client: pg.ClientBase, supabaseDir: string): Promise<MigrateResult> {
  await client.query("select pg_advisory_lock(hashtext('facet.migrate'))");
  try {
    const { rows } = await client.query<{ supabase: boolean }>(
      "select exists (select 1 from pg_roles where rolname = 'supabase_admin') as supabase",
    );
    const supabase = rows[0]?.supabase ?? false;
    let bootstrapped = false;
    if (!supabase) {
      const bootDir = path.join(supabaseDir, "bootstrap");
      for (const f of (await readdir(bootDir)).filter((x) => x.endsWith(".sql")).sort()) {
        await runInTransaction(client, await readFile(path.join(bootDir, f), "utf8"), `bootstrap/${f}`);
      }
      bootstrapped = true;
    }
    await client.query(`
      create schema if not exists supabase_migrations;
      create table if not exists supabase_migrations.schema_migrations (
        version text primary key, statements text[], name text
      )`);
    const applied = new Set(
      (await client.query<{ version: string }>("select version from supabase_migrations.schema_migrations")).rows.map(
        (r) => r.version,
      ),
    );
    const done: string[] = [];
    let skipped = 0;
    for (const m of await listMigrations(supabaseDir)) {
      if (applied.has(m.version)) {
        skipped++;
        continue;
      }
      const sql = await readFile(m.file, "utf8");
      await runInTransaction(client, sql, path.basename(m.file), async () => {
        await client.query(
          "insert into supabase_migrations.schema_migrations (version, statements, name) values ($1, $2, $3)",
          [m.version, [sql], m.name],
        );
      });
      done.push(`${m.version}_${m.name}`);
    }
    return { bootstrapped, supabase, applied: done, skipped };
  } finally {
    await client.query("select pg_advisory_unlock(hashtext('facet.migrate'))");
  }
}

async function runInTransaction(
  client: pg.ClientBase,
  sql: string,
  label: string,
  after?: () => Promise<void>,
): Promise<void> {
  await client.query("begin");
  try {
    await client.query(sql);
    if (after) await after();
    await client.query("commit");
  } catch (e) {
    await client.query("rollback").catch(() => {});
    const err = e as { message?: string; position?: string };
    const where = err.position ? ` (at character ${err.position})` : "";
    throw new Error(`${label} failed: ${err.message ?? String(e)}${where}`, { cause: e });
  }
}
