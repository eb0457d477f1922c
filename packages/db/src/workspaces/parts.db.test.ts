/**
 * A dataset's parts as the API lists them: keyset pages by name (names may repeat), a lookup by
 * name, and nothing of another workspace's datasets.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { toAppError } from "../errors";
import { withUser } from "../session";
import {
  createTestDatabase,
  createWorkspaceWithRoles,
  insertDataset,
  insertParts,
  type TestDatabase,
} from "../testing";
import { listDatasetParts } from "./parts";

type Workspace = Awaited<ReturnType<typeof createWorkspaceWithRoles>>;

let db: TestDatabase;
let w: Workspace;
let other: Workspace;
let datasetId: string;
const NAMES = ["d.step", "b.step", "a.step", "b.step", "c.stp", "b.step", "e.step"];

beforeAll(async () => {
  db = await createTestDatabase(inject("pgBaseUrl"));
  w = await createWorkspaceWithRoles(db.owner, "dataset-parts");
  other = await createWorkspaceWithRoles(db.owner, "dataset-parts-other");
  datasetId = await insertDataset(db.owner, {
    workspaceId: w.workspaceId,
    labelSchemaId: w.labelSchemaId,
    name: "listed",
  });
  const ids = await insertParts(db.owner, { workspaceId: w.workspaceId, datasetId, count: NAMES.length });
  await db.owner.query(
    "update public.parts set name = ($2::text[])[array_position($1::uuid[], id)] where id = any ($1)",
    [ids, NAMES],
  );
});

afterAll(async () => {
  await db.drop();
});

const list = (input: { name?: string; cursor?: string | null; limit: number; dataset?: string }, ws = w) =>
  withUser(db.owner, ws.users.viewer.claims, (c) =>
    listDatasetParts(c, { workspaceId: ws.workspaceId, dataset: input.dataset ?? "listed", ...input }),
  );

describe("a dataset's parts", () => {
  it("come in pages by name then id, every part once, however names repeat", async () => {
    const seen: Array<{ id: string; name: string }> = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<typeof listDatasetParts>> = await list({ cursor, limit: 2 });
      expect(page.parts.length).toBeLessThanOrEqual(2);
      seen.push(...page.parts);
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(4);
    expect(seen.map((p) => p.name)).toEqual([...NAMES].sort());
    expect(new Set(seen.map((p) => p.id)).size).toBe(NAMES.length);
    const ordered = [...seen].sort((a, b) => (a.name === b.name ? (a.id < b.id ? -1 : 1) : a.name < b.name ? -1 : 1));
    expect(seen).toEqual(ordered);
    const whole = await list({ limit: 1000 });
    expect(whole.parts).toEqual(seen);
    expect(whole.nextCursor).toBeNull();
  });

  it("are looked up by name (all of that name), by dataset id as well as by name", async () => {
    const named = await list({ name: "b.step", limit: 1000 });
    expect(named.parts.map((p) => p.name)).toEqual(["b.step", "b.step", "b.step"]);
    expect((await list({ name: "none.step", limit: 10 })).parts).toEqual([]);
    expect((await list({ dataset: datasetId, limit: 1000 })).parts).toHaveLength(NAMES.length);
  });

  it("refuse a cursor they did not give out, and show another workspace nothing", async () => {
    await expect(
      list({ cursor: "not-a-cursor", limit: 5 }).catch((e) => Promise.reject(toAppError(e))),
    ).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
    });
    await expect(
      list({ dataset: datasetId, limit: 5 }, other).catch((e) => Promise.reject(toAppError(e))),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
