import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "../embedded";
import { migrate } from "../migrate";
import { freePort, SUPABASE_DIR, TEMPLATE_DB } from "./paths";

/** One real PostgreSQL for the whole `db` project; a migrated template each test file clones. */
export default async function setup(project: TestProject) {
  const dir = await mkdtemp(path.join(os.tmpdir(), "facet-test-pg-"));
  const server = await startEmbeddedPostgres({
    dataDir: path.join(dir, "pg"),
    logFile: path.join(dir, "postgres.log"),
    port: await freePort(),
    password: "facet-test",
    database: TEMPLATE_DB,
    settings: { max_connections: 300, fsync: "off", synchronous_commit: "off", full_page_writes: "off" },
  });
  const client = new pg.Client({ connectionString: server.url(TEMPLATE_DB) });
  await client.connect();
  try {
    await migrate(client, SUPABASE_DIR);
  } finally {
    await client.end();
  }
  project.provide("pgBaseUrl", server.url("postgres"));
  return async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
