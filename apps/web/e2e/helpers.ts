import { readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";

export const ADMIN = { email: "ada@example.test", password: "first admin password" };
export const WORKSPACE = { name: "Fixture Lab", slug: "fixture-lab" };

/** The platform's own database (arranging fixtures the UI cannot make yet, e.g. parts before ingest exists). */
export function database(): pg.Client {
  const dataDir = process.env.FACET_E2E_DATA_DIR as string;
  const { pgPassword } = JSON.parse(readFileSync(path.join(dataDir, "secrets.json"), "utf8")) as { pgPassword: string };
  const port = Number(process.env.FACET_E2E_PG_PORT ?? 54410);
  return new pg.Client({
    connectionString: `postgres://postgres:${encodeURIComponent(pgPassword)}@127.0.0.1:${port}/facet`,
  });
}
