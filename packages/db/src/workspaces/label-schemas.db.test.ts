/**
 * Label schemas for admins (issue 19, item 1): versions made from earlier ones with a class mapping,
 * the mapping applied to existing labels as NEW revisions (batched, once per part), a dataset moved to
 * another version only when its labels fit, and the rules the database holds on its own.
 */
import { DEFAULT_TAXONOMY, type Taxonomy } from "@facet/core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { withUser } from "../session";
import {
  attempt,
  createTestDatabase,
  createWorkspaceWithRoles,
  giveGeometry,
  insertDataset,
  insertParts,
  refusal,
  type TestDatabase,
} from "../testing";
import {
  applyMappingBatch,
  createLabelSchema,
  createLabelSchemaVersion,
  getLabelSchema,
  listLabelSchemas,
  mappingProgress,
  setDatasetLabelSchema,
} from "./label-schemas";

type Workspace = Awaited<ReturnType<typeof createWorkspaceWithRoles>>;

let db: TestDatabase;
let w: Workspace;

beforeAll(async () => {
  db = await createTestDatabase(inject("pgBaseUrl"));
  w = await createWorkspaceWithRoles(db.owner, "schemas");
});

afterAll(async () => {
  await db.drop();
});

const as = (role: keyof Workspace["users"]) => ({ role: "authenticated" as const, claims: w.users[role].claims });
const asAdmin = <T>(fn: Parameters<typeof withUser<T>>[2]) => withUser(db.owner, w.users.admin.claims, fn);

const cls = (key: string, hotkey: string | null = null, parent: string | null = null) => ({
  key,
  name: key.replaceAll("_", " "),
  colour: "#336699",
  hotkey,
  isStock: key === "stock",
  parameters: [],
  parent,
});
const taxonomy = (...types: ReturnType<typeof cls>[]): Taxonomy => ({ featureTypes: types, crosswalks: {} });

/** A part of the dataset with geometry and one revision labelling its faces, made under `schemaId`. */
async function labelledPart(datasetId: string, schemaId: string | null, labels: (string | null)[]) {
  const [partId] = await insertParts(db.owner, {
    workspaceId: w.workspaceId,
    datasetId,
    count: 1,
    status: "in_review",
  });
  const signature = await giveGeometry(db.owner, partId as string, { faceCount: labels.length });
  const document = { schemaVersion: 1, faceSignature: signature, faceCount: labels.length, labels, instances: [] };
  await db.owner.query(
    `insert into public.annotation_revisions (part_id, revision_no, author_id, label_schema_id, face_signature, document)
     values ($1, 1, $2, $3, $4, $5)`,
    [partId, w.users.annotator.id, schemaId, signature, JSON.stringify(document)],
  );
  return partId as string;
}

async function revisions(partId: string) {
  const { rows } = await db.owner.query<{ revision_no: number; label_schema_id: string | null; labels: unknown }>(
    `select revision_no, label_schema_id, document -> 'labels' as labels from public.annotation_revisions
     where part_id = $1 order by revision_no`,
    [partId],
  );
  return rows;
}

describe("label schema versions", () => {
  it("are made by admins only, under a name not taken", async () => {
    const made = await asAdmin((c) =>
      createLabelSchema(c, {
        workspaceId: w.workspaceId,
        name: "Holes",
        taxonomy: taxonomy(cls("stock", "1"), cls("hole", "2")),
      }),
    );
    expect(made).toMatchObject({ name: "Holes", version: 1, isDefault: false, mapping: null });
    const engineer = await refusal(
      withUser(db.owner, w.users.engineer.claims, (c) =>
        createLabelSchema(c, { workspaceId: w.workspaceId, name: "Mine", taxonomy: taxonomy(cls("stock")) }),
      ),
    );
    expect(engineer.code).toBe("FORBIDDEN");
    const again = await refusal(
      asAdmin((c) =>
        createLabelSchema(c, { workspaceId: w.workspaceId, name: "Holes", taxonomy: taxonomy(cls("stock")) }),
      ),
    );
    expect(again).toEqual({
      code: "CONFLICT",
      message: 'a schema named "Holes" exists already: make a new version of it instead',
    });
  });

  it("get a next version only with a mapping that covers every dropped class, listing each problem", async () => {
    const holes = (await asAdmin((c) => listLabelSchemas(c, w.workspaceId))).find((s) => s.name === "Holes");
    const r = await refusal(
      asAdmin((c) =>
        createLabelSchemaVersion(c, {
          workspaceId: w.workspaceId,
          fromId: holes?.id as string,
          taxonomy: taxonomy(cls("stock", "1"), cls("bore", "2")),
          mapping: {},
        }),
      ),
    );
    expect(r).toEqual({
      code: "VALIDATION_FAILED",
      message: "class hole is not in the new version: map it to one or more of its classes",
    });
  });

  it("of the default schema keep its crosswalks through a rename, and take the default with them", async () => {
    const types = DEFAULT_TAXONOMY.featureTypes.map((f) =>
      f.key === "chamfer" ? { ...f, key: "bevel", name: "Bevel" } : f,
    );
    const v2 = await asAdmin((c) =>
      createLabelSchemaVersion(c, {
        workspaceId: w.workspaceId,
        fromId: w.labelSchemaId,
        taxonomy: { featureTypes: types, crosswalks: {} },
        mapping: { chamfer: ["bevel"] },
      }),
    );
    expect(v2).toMatchObject({
      name: "Default",
      version: 2,
      isDefault: true,
      mapping: { fromId: w.labelSchemaId, fromVersion: 1 },
    });
    expect(v2.taxonomy.crosswalks.mfcad?.classes[0]).toEqual({ id: 0, name: "chamfer", feature: "bevel" });
    expect(Object.keys(v2.taxonomy.crosswalks)).toEqual(Object.keys(DEFAULT_TAXONOMY.crosswalks));
    expect((await asAdmin((c) => getLabelSchema(c, w.workspaceId, w.labelSchemaId))).isDefault).toBe(false);
  });
});

describe("the database's rules on mappings", () => {
  it("a mapping leads to a later version of the same schema and is never changed", async () => {
    const all = await asAdmin((c) => listLabelSchemas(c, w.workspaceId));
    const v2 = all.find((s) => s.name === "Default" && s.version === 2);
    const holes = all.find((s) => s.name === "Holes");
    const backwards = await attempt(db.owner, as("admin"), (c) =>
      c.query(
        `insert into public.label_schema_mappings (to_schema_id, workspace_id, from_schema_id, mapping, created_by)
         values ($1, $2, $3, '{}', $4)`,
        [w.labelSchemaId, w.workspaceId, v2?.id, w.users.admin.id],
      ),
    );
    expect(backwards).toMatchObject({ ok: false, code: "FC005" });
    const otherSchema = await attempt(db.owner, as("admin"), (c) =>
      c.query(
        `insert into public.label_schema_mappings (to_schema_id, workspace_id, from_schema_id, mapping, created_by)
         values ($1, $2, $3, '{}', $4)`,
        [holes?.id, w.workspaceId, w.labelSchemaId, w.users.admin.id],
      ),
    );
    expect(otherSchema).toMatchObject({ ok: false, code: "FC005" });
    const change = await attempt(db.owner, { role: "owner" }, (c) =>
      c.query(`update public.label_schema_mappings set mapping = '{"chamfer": ["stock"]}' where to_schema_id = $1`, [
        v2?.id,
      ]),
    );
    expect(change).toMatchObject({ ok: false, code: "FC005" });
  });
});

describe("applying a mapping to existing labels", () => {
  let from: string;
  let to: string;
  let datasetId: string;
  const parts: Record<string, string> = {};

  beforeAll(async () => {
    const v1 = await asAdmin((c) =>
      createLabelSchema(c, {
        workspaceId: w.workspaceId,
        name: "Shop",
        taxonomy: taxonomy(
          cls("stock", "1"),
          cls("through_hole", "2"),
          cls("blind_hole", "3"),
          cls("pocket", "4"),
          cls("slot"),
        ),
      }),
    );
    from = v1.id;
    datasetId = await insertDataset(db.owner, { workspaceId: w.workspaceId, labelSchemaId: from, name: "shop" });
    parts.merge = await labelledPart(datasetId, from, ["stock", "through_hole", "blind_hole"]);
    parts.split = await labelledPart(datasetId, from, ["stock", "pocket", "pocket", null]);
    parts.same = await labelledPart(datasetId, from, ["stock", "slot"]);
    parts.noSchema = await labelledPart(datasetId, null, ["blind_hole", "stock"]);
    parts.renumbered = await labelledPart(datasetId, from, ["through_hole", "stock"]);
    await giveGeometry(db.owner, parts.renumbered, { faceCount: 2 }); // retessellated since: another face numbering
    const v2 = await asAdmin((c) =>
      createLabelSchemaVersion(c, {
        workspaceId: w.workspaceId,
        fromId: from,
        taxonomy: taxonomy(
          cls("stock", "1"),
          cls("hole", "2"),
          cls("closed_pocket", "3", "pocket_family"),
          cls("open_pocket", "4", "pocket_family"),
          cls("pocket_family"),
          cls("slot"),
        ),
        mapping: { through_hole: ["hole"], blind_hole: ["hole"], pocket: ["closed_pocket", "open_pocket"] },
      }),
    );
    to = v2.id;
  });

  it("refuses to move the dataset to the new version while its labels use classes it lacks", async () => {
    const r = await refusal(
      asAdmin((c) => setDatasetLabelSchema(c, { workspaceId: w.workspaceId, dataset: datasetId, schemaId: to })),
    );
    expect(r.code).toBe("CONFLICT");
    expect(r.message).toContain("blind_hole: 2 parts");
    expect(r.message).toContain("make a version with a mapping and apply it instead");
  });

  it("writes new revisions in batches, switches the dataset, flags splits, records what it cannot map, and never maps twice", async () => {
    const before = await asAdmin((c) => mappingProgress(c, w.workspaceId, to));
    expect(before).toMatchObject({ done: 0, remaining: 5, datasetsOnOld: [{ id: datasetId, name: "shop" }] });

    const first = await asAdmin((c) => applyMappingBatch(c, { workspaceId: w.workspaceId, toId: to, limit: 2 }));
    expect(first).toMatchObject({ batch: 2, remaining: 3, datasetsOnOld: [] });
    const { rows } = await db.owner.query("select label_schema_id from public.datasets where id = $1", [datasetId]);
    expect(rows[0]?.label_schema_id).toBe(to);

    let last = first;
    while (last.remaining > 0)
      last = await asAdmin((c) => applyMappingBatch(c, { workspaceId: w.workspaceId, toId: to, limit: 2 }));
    expect(last).toMatchObject({ remaining: 0, done: 4 });

    const merged = await revisions(parts.merge as string);
    expect(merged).toHaveLength(2);
    expect(merged[0]).toMatchObject({
      revision_no: 1,
      label_schema_id: from,
      labels: ["stock", "through_hole", "blind_hole"],
    });
    expect(merged[1]).toMatchObject({ revision_no: 2, label_schema_id: to, labels: ["stock", "hole", "hole"] });
    expect((await revisions(parts.split as string))[1]?.labels).toEqual([
      "stock",
      "closed_pocket",
      "closed_pocket",
      null,
    ]);
    expect((await revisions(parts.noSchema as string))[1]).toMatchObject({
      label_schema_id: to,
      labels: ["hole", "stock"],
    });
    // nothing to change: no revision written
    expect(await revisions(parts.same as string)).toHaveLength(1);
    expect(await revisions(parts.renumbered as string)).toHaveLength(1);
    expect(last.flagged).toEqual([expect.objectContaining({ partId: parts.split, splitFaces: 2 })]);
    expect(last.problems).toEqual([
      expect.objectContaining({ partId: parts.renumbered, problem: expect.stringContaining("another face numbering") }),
    ]);

    const again = await asAdmin((c) => applyMappingBatch(c, { workspaceId: w.workspaceId, toId: to, limit: 50 }));
    expect(again).toMatchObject({ batch: 0, remaining: 0, done: 4 });
    expect(await revisions(parts.merge as string)).toHaveLength(2);
    // all but the part on another face numbering fit the new version now: that one needs a person
    const stranded = await refusal(
      asAdmin((c) => setDatasetLabelSchema(c, { workspaceId: w.workspaceId, dataset: "shop", schemaId: to })),
    );
    expect(stranded.message).toContain("(through_hole: 1 part)");
  });

  it("is refused to an engineer, and the record of a mapped part must tell the truth", async () => {
    const late = await labelledPart(datasetId, from, ["pocket", "stock"]);
    const r = await refusal(
      withUser(db.owner, w.users.engineer.claims, (c) =>
        applyMappingBatch(c, { workspaceId: w.workspaceId, toId: to, limit: 5 }),
      ),
    );
    expect(r.code).toBe("FORBIDDEN");
    expect(await revisions(late)).toHaveLength(1);
    const [fresh] = await insertParts(db.owner, { workspaceId: w.workspaceId, datasetId, count: 1 });
    const forged = await attempt(db.owner, as("admin"), (c) =>
      c.query(
        `insert into public.label_schema_mapped_parts (to_schema_id, part_id, workspace_id, from_revision_id, created_by)
         select $1, $2, $3, r.id, $4 from public.annotation_revisions r where r.part_id = $5 limit 1`,
        [to, fresh, w.workspaceId, w.users.admin.id, parts.same],
      ),
    );
    expect(forged).toMatchObject({ ok: false, code: "FC005" });
    const byEngineer = await attempt(db.owner, as("engineer"), (c) =>
      c.query(
        `insert into public.label_schema_mapped_parts (to_schema_id, part_id, workspace_id, from_revision_id, created_by)
         select $1, $2, $3, r.id, $4 from public.annotation_revisions r where r.part_id = $2`,
        [to, late, w.workspaceId, w.users.engineer.id],
      ),
    );
    expect(byEngineer).toMatchObject({ ok: false, code: "42501" });
  });
});

describe("a mapping over many parts", () => {
  it("maps every part exactly once across batches of 50 (FACET_SCHEMA_MAP_PARTS parts, 120 by default)", async () => {
    const N = Number(process.env.FACET_SCHEMA_MAP_PARTS ?? 120);
    const v1 = await asAdmin((c) =>
      createLabelSchema(c, {
        workspaceId: w.workspaceId,
        name: "Bulk",
        taxonomy: taxonomy(cls("stock", "1"), cls("a")),
      }),
    );
    const datasetId = await insertDataset(db.owner, { workspaceId: w.workspaceId, labelSchemaId: v1.id, name: "bulk" });
    const ids = await insertParts(db.owner, { workspaceId: w.workspaceId, datasetId, count: N, status: "approved" });
    await db.owner.query(
      `with g as (
         insert into public.part_geometry (blob_sha256, tessellator_version, params_hash, params, mesh_key, faces_key,
           face_count, triangle_count, face_signature, area, bbox)
         select p.blob_sha256, 't', 'p', '{}', 'm-' || p.id, 'f-' || p.id, 20, 80, 'sig-' || p.id, 1, '{}'
         from public.parts p where p.id = any($1) returning id, blob_sha256
       )
       update public.parts p set geometry_id = g.id from g where g.blob_sha256 = p.blob_sha256`,
      [ids],
    );
    await db.owner.query(
      `insert into public.annotation_revisions (part_id, revision_no, author_id, label_schema_id, face_signature, document)
       select p.id, 1, $2, $3, 'sig-' || p.id,
              jsonb_build_object('schemaVersion', 1, 'faceSignature', 'sig-' || p.id, 'faceCount', 20,
                'labels', (select jsonb_agg(case when i % 2 = 0 then 'a' else 'stock' end) from generate_series(1, 20) i),
                'instances', '[]'::jsonb)
       from public.parts p where p.id = any($1)`,
      [ids, w.users.annotator.id, v1.id],
    );
    const v2 = await asAdmin((c) =>
      createLabelSchemaVersion(c, {
        workspaceId: w.workspaceId,
        fromId: v1.id,
        taxonomy: taxonomy(cls("stock", "1"), cls("b")),
        mapping: { a: ["b"] },
      }),
    );
    const started = performance.now();
    let batches = 0;
    for (;;) {
      const t0 = performance.now();
      const p = await asAdmin((c) => applyMappingBatch(c, { workspaceId: w.workspaceId, toId: v2.id, limit: 50 }));
      if (process.env.FACET_SCHEMA_MAP_PARTS)
        console.log(`batch ${batches}: ${(performance.now() - t0).toFixed(0)} ms, ${p.remaining} left`);
      batches++;
      if (p.remaining === 0) break;
    }
    const ms = performance.now() - started;
    if (process.env.FACET_SCHEMA_MAP_PARTS) console.log(`mapped ${N} parts in ${batches} batches: ${ms.toFixed(0)} ms`);
    const { rows } = await db.owner.query<{ revisions: number; mapped: number; left: number }>(
      `select count(*)::int as revisions, count(*) filter (where label_schema_id = $2)::int as mapped,
              count(*) filter (where label_schema_id = $2 and document -> 'labels' ? 'a')::int as left
       from public.annotation_revisions where part_id = any($1)`,
      [ids, v2.id],
    );
    expect(rows[0]).toEqual({ revisions: 2 * N, mapped: N, left: 0 });
    expect(batches).toBe(Math.ceil(N / 50));
  });
});
