import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { z } from "zod";
import { startEmbeddedPostgres } from "./embedded";
import { listMigrations, migrate } from "./migrate";
import { renderSchema } from "./schema-dump";
import { freePort } from "./testing/paths";

/**
 * `npx pnpm db:migrate` / `db:status`: the migration runner from a terminal. Uses DATABASE_URL
 * (deployed: Supabase's session pooler), or the embedded database of a running `npm start`.
 * `npm run db:schema`: supabase/schema.sql rendered from a database migrated from nothing, in an
 * embedded PostgreSQL of its own (a temporary folder, removed afterwards).
 */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

const env = z
  .object({
    DATABASE_URL: z.string().url().optional(),
    FACET_DATA_DIR: z.string().default(path.join(REPO_ROOT, ".data")),
    FACET_PG_PORT: z.coerce.number().int().default(54329),
  })
  .parse(process.env);

function databaseUrl(): string {
  if (env.DATABASE_URL) return env.DATABASE_URL;
  try {
    const { pgPassword } = JSON.parse(readFileSync(path.join(env.FACET_DATA_DIR, "secrets.json"), "utf8")) as {
      pgPassword: string;
    };
    return `postgres://postgres:${encodeURIComponent(pgPassword)}@127.0.0.1:${env.FACET_PG_PORT}/facet`;
  } catch {
    throw new Error("set DATABASE_URL, or run `npm start` first (the embedded database lives in .data/)");
  }
}

/** Migrate a new embedded database from nothing and write supabase/schema.sql from its catalogs. */
async function writeSchemaFile(supabaseDir: string): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "facet-schema-"));
  try {
    const server = await startEmbeddedPostgres({
      dataDir: path.join(dir, "pg"),
      logFile: path.join(dir, "postgres.log"),
      port: await freePort(),
      password: "facet-schema",
      database: "facet",
      settings: { fsync: "off", synchronous_commit: "off", full_page_writes: "off" },
    });
    try {
      const client = new pg.Client({ connectionString: server.url() });
      await client.connect();
      try {
        const r = await migrate(client, supabaseDir);
        const file = path.join(supabaseDir, "schema.sql");
        const text = await renderSchema(client);
        await writeFile(file, text);
        console.log(
          `${path.relative(REPO_ROOT, file)}: ${text.split("\n").length - 1} lines, ${r.applied.length} migrations`,
        );
      } finally {
        await client.end();
      }
    } finally {
      await server.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(command: string | undefined) {
  const supabaseDir = path.join(REPO_ROOT, "supabase");
  if (command === "schema") return writeSchemaFile(supabaseDir);
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    if (command === "migrate") {
      const r = await migrate(client, supabaseDir);
      console.log(r.supabase ? "Supabase database: bootstrap skipped" : "plain PostgreSQL: bootstrap applied");
      console.log(r.applied.length ? `applied: ${r.applied.join(", ")}` : "nothing to apply");
    } else if (command === "status") {
      const applied = new Set(
        (
          await client
            .query<{ version: string }>("select version from supabase_migrations.schema_migrations order by version")
            .catch(() => ({ rows: [] as Array<{ version: string }> }))
        ).rows.map((r) => r.version),
      );
      for (const m of await listMigrations(supabaseDir)) {
        console.log(`${applied.has(m.version) ? "applied" : "pending"}  ${m.version}_${m.name}`);
      }
    } else {
      console.error("usage: db <migrate|status|schema>");
      process.exitCode = 2;
    }
  } finally {
    await client.end();
  }
}

main(process.argv[2]).catch((e) => {
  console.error(`db: ${(e as Error).message}`);
  process.exit(1);
});
