/**
 * supabase/schema.sql is what the migrations add up to: the migrated test database, rendered by
 * schema-dump.ts, equals the committed file byte for byte.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { renderSchema } from "./schema-dump";
import { createTestDatabase, SUPABASE_DIR, type TestDatabase } from "./testing";

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase(inject("pgBaseUrl"));
});

afterAll(async () => {
  await db.drop();
});

async function render(): Promise<string> {
  const client = await db.owner.connect();
  try {
    return await renderSchema(client);
  } finally {
    client.release();
  }
}

describe("supabase/schema.sql", () => {
  it("equals the migrated database rendered from its catalogs", async () => {
    const committed = await readFile(path.join(SUPABASE_DIR, "schema.sql"), "utf8").catch(() => "(no file)");
    const rendered = await render();
    expect(committed, "supabase/schema.sql is out of date: run npm run db:schema").toBe(rendered);
  });

  it("renders the same bytes twice, whatever the connection's search path", async () => {
    const client = await db.owner.connect();
    try {
      await client.query("set search_path = public, private, auth");
      const other = await renderSchema(client);
      expect(other).toBe(await render());
      // the rendering's settings stay in its own transaction
      expect((await client.query("show search_path")).rows[0]?.search_path).toBe("public, private, auth");
    } finally {
      await client.query("reset search_path");
      client.release();
    }
  });

  it("holds each function once, and the parts triggers' dispatchers and steps", async () => {
    const text = await render();
    const functions = [...text.matchAll(/^CREATE OR REPLACE (?:FUNCTION|PROCEDURE) (\S+?)\(/gm)].map((m) => m[1]);
    const { rows } = await db.owner.query<{ n: number }>(
      `select count(*)::int as n from pg_proc where pronamespace in ('public'::regnamespace, 'private'::regnamespace, 'auth'::regnamespace)`,
    );
    expect(functions).toHaveLength(rows[0]?.n as number);
    for (const name of ["private.parts_before_update", "private.parts_guard", "private.face_majority"]) {
      expect(
        functions.filter((f) => f === name),
        name,
      ).toHaveLength(1);
    }
    expect(text).toContain(
      "CREATE TRIGGER parts_before_update BEFORE UPDATE ON public.parts FOR EACH ROW EXECUTE FUNCTION private.parts_before_update();",
    );
  });
});
