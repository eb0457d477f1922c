/**
 * "Similar parts" against a real PostgreSQL: nearest fingerprints first through the cube GiST index,
 * near-duplicates marked, and a member of one workspace never shown another workspace's parts.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { withService, withUser } from "../session";
import { createTestDatabase, createWorkspaceWithRoles, insertParts, type TestDatabase } from "../testing";
import { describeGeometry, geometryWithoutDescription, similarParts, similarPartsSql } from "./similar";

type Workspace = Awaited<ReturnType<typeof createWorkspaceWithRoles>>;

const DIMENSIONS = 47;
const NEAR = 0.05;
/** The target's fingerprint: every coordinate 1 (random ones lie in [0, 2)). */
const target = Array.from({ length: DIMENSIONS }, () => 1);
const moved = (by: number) => target.map((x, i) => (i === 3 ? x + by : x));

let db: TestDatabase;
let a: Workspace;
let b: Workspace;
const ids: Record<string, string> = {};

/** Give parts geometry with fingerprints: given ones, or random ones in [0, 2)^47. */
async function fingerprint(partIds: string[], descriptor?: number[]) {
  await db.owner.query(
    `with g as (
       insert into public.part_geometry (blob_sha256, tessellator_version, params_hash, params, mesh_key, faces_key,
         face_count, triangle_count, face_signature, area, bbox, shape_descriptor, surface_types, thumbnail_key)
       select p.blob_sha256, 't1', 'p1', '{}', 'derived/' || p.id || '/mesh.glb', 'derived/' || p.id || '/faces.json',
              10, 40, 's', 1, '{}',
              coalesce($2::real[], array(select (random() * 2)::real from generate_series(1, ${DIMENSIONS}) k
                                         where p.id is not null)),
              '{plane}', case when $2::real[] is null then null else 'derived/' || p.id || '/thumbnail.png' end
       from public.parts p where p.id = any ($1::uuid[])
       returning id, blob_sha256)
     update public.parts p set geometry_id = g.id from g where g.blob_sha256 = p.blob_sha256 and p.id = any ($1::uuid[])`,
    [partIds, descriptor ?? null],
  );
}

beforeAll(async () => {
  db = await createTestDatabase(inject("pgBaseUrl"));
  a = await createWorkspaceWithRoles(db.owner, "similar-a");
  b = await createWorkspaceWithRoles(db.owner, "similar-b");
  const [t, dup, close, noPrint] = await insertParts(db.owner, {
    workspaceId: a.workspaceId,
    datasetId: a.datasetId,
    count: 4,
    status: "unannotated",
  });
  Object.assign(ids, { target: t, dup, close, noPrint });
  await fingerprint([t as string], target);
  await fingerprint([dup as string], moved(0.01));
  await fingerprint([close as string], moved(0.2));
  // workspace B holds the very same shape (distance 0): A's members must never see it
  const [twin] = await insertParts(db.owner, {
    workspaceId: b.workspaceId,
    datasetId: b.datasetId,
    count: 1,
    status: "approved",
  });
  ids.twin = twin as string;
  await fingerprint([twin as string], target);
  // a few thousand others in each workspace
  for (const w of [a, b]) {
    const others = await insertParts(db.owner, {
      workspaceId: w.workspaceId,
      datasetId: w.datasetId,
      count: 2500,
      status: "unannotated",
    });
    await fingerprint(others);
  }
  await db.owner.query("analyze public.parts; analyze public.part_geometry");
}, 120_000);

afterAll(async () => {
  await db?.drop();
});

const ask = (w: Workspace, partId: string, limit = 5, who: keyof Workspace["users"] = "viewer") =>
  withUser(db.owner, w.users[who].claims, (c) =>
    similarParts(c, { workspaceId: w.workspaceId, partId, limit, nearDuplicateDistance: NEAR }),
  );

describe("similar parts", () => {
  it("lists the workspace's nearest shapes first, the near-duplicate marked, the part itself left out", async () => {
    const r = await ask(a, ids.target as string);
    expect(r?.fingerprinted).toBe(true);
    const parts = r?.parts ?? [];
    expect(parts).toHaveLength(5);
    expect(parts.map((p) => p.id).slice(0, 2)).toEqual([ids.dup, ids.close]);
    expect(parts[0]).toMatchObject({ nearDuplicate: true, hasThumbnail: true, datasetId: a.datasetId });
    expect(parts[0]?.distance).toBeCloseTo(0.01, 5);
    expect(parts[1]).toMatchObject({ nearDuplicate: false });
    expect(parts[1]?.distance).toBeCloseTo(0.2, 5);
    expect(parts[2]?.hasThumbnail).toBe(false);
    const distances = parts.map((p) => p.distance);
    expect(distances).toEqual([...distances].sort((x, y) => x - y));
    expect(parts.map((p) => p.id)).not.toContain(ids.target);
  });

  it("never shows another workspace's parts, nor answers for them", async () => {
    const mine = await ask(a, ids.target as string, 50, "ml_engineer");
    const workspaces = await db.owner.query<{ workspace_id: string }>(
      "select distinct workspace_id from public.parts where id = any ($1::uuid[])",
      [mine?.parts.map((p) => p.id)],
    );
    expect(workspaces.rows.map((r) => r.workspace_id)).toEqual([a.workspaceId]);
    expect(mine?.parts.map((p) => p.id)).not.toContain(ids.twin);
    // B's member asking about A's part, through B's workspace or A's: nothing
    expect(await ask(b, ids.target as string)).toBeNull();
    const asB = await withUser(db.owner, b.users.admin.claims, (c) =>
      similarParts(c, {
        workspaceId: a.workspaceId,
        partId: ids.target as string,
        limit: 5,
        nearDuplicateDistance: NEAR,
      }),
    );
    expect(asB).toBeNull();
    // and from B, the twin's nearest are B's own
    const fromB = await ask(b, ids.twin as string, 20);
    const inB = await db.owner.query<{ n: number }>(
      "select count(*)::int n from public.parts where id = any ($1::uuid[]) and workspace_id = $2",
      [fromB?.parts.map((p) => p.id), b.workspaceId],
    );
    expect(inB.rows[0]?.n).toBe(20);
  });

  it("says when the part has no fingerprint yet", async () => {
    expect(await ask(a, ids.noPrint as string)).toEqual({ fingerprinted: false, parts: [] });
  });

  it("walks the cube index nearest first (EXPLAIN at a few thousand rows)", async () => {
    const total = await db.owner.query<{ n: number }>(
      "select count(*)::int n from public.part_geometry where shape_descriptor is not null",
    );
    const plan = await withUser(db.owner, a.users.viewer.claims, async (c) => {
      const { rows } = await c.query<{ "QUERY PLAN": string }>(`explain (analyze, costs off) ${similarPartsSql}`, [
        target,
        a.workspaceId,
        ids.target,
        10,
      ]);
      return rows.map((r) => r["QUERY PLAN"]).join("\n");
    });
    console.log(`similar parts among ${total.rows[0]?.n} fingerprints, as a member:\n${plan}`);
    expect(total.rows[0]?.n).toBeGreaterThan(5000);
    expect(plan).toMatch(/Index Scan using part_geometry_shape_idx/);
    expect(plan).not.toMatch(/Seq Scan on part_geometry/);
    expect(plan).not.toMatch(/Sort Key/);
  });

  it("fills in geometry recorded before fingerprints, once", async () => {
    const [old] = await insertParts(db.owner, {
      workspaceId: a.workspaceId,
      datasetId: a.datasetId,
      count: 1,
      status: "unannotated",
    });
    await db.owner.query(
      `with g as (
         insert into public.part_geometry (blob_sha256, tessellator_version, params_hash, params, mesh_key, faces_key,
           face_count, triangle_count, face_signature, area, bbox)
         select blob_sha256, 't1', 'p1', '{}', 'derived/old/mesh.glb', 'derived/old/faces.json', 3, 12, 's', 1, '{}'
         from public.parts where id = $1 returning id)
       update public.parts set geometry_id = (select id from g) where id = $1`,
      [old],
    );
    const todo = await withService(db.owner, (c) => geometryWithoutDescription(c, 10));
    expect(todo.map((g) => g.meshKey)).toEqual(["derived/old/mesh.glb"]);
    const description = {
      surfaceTypes: ["plane"],
      shapeDescriptor: moved(0.02),
      thumbnailKey: "derived/old/thumbnail.png",
    };
    const id = todo[0]?.id as string;
    expect(await withService(db.owner, (c) => describeGeometry(c, id, description))).toBe(true);
    expect(await withService(db.owner, (c) => describeGeometry(c, id, description))).toBe(false);
    expect(await withService(db.owner, (c) => geometryWithoutDescription(c, 10))).toEqual([]);
    const r = await ask(a, ids.target as string, 3);
    expect(r?.parts.map((p) => [p.id, p.nearDuplicate])).toEqual([
      [ids.dup, true],
      [old, true],
      [ids.close, false],
    ]);
  });
});
