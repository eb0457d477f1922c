/**
 * Curation against a real PostgreSQL: the catalog's filters and paging, snapshots that no role can
 * change (and that keep what they pin), who may freeze, split and export, and other workspaces
 * seeing nothing.
 */
import { createHash } from "node:crypto";
import { parseCatalogFilter, snapshotChecksumText } from "@facet/core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { toAppError } from "../errors";
import { withService, withUser } from "../session";
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
import { discardPart } from "../workspaces/part-detail";
import { catalogOptions, countCatalog, listSavedFilters, queryCatalog, saveFilter, tagParts } from "./catalog";
import { listSnapshotExportParts, listSnapshotSplits, snapshotExportPageQuery } from "./exports";
import {
  checkSnapshotInDatabase,
  diffSnapshots,
  findSnapshot,
  freezeSnapshot,
  snapshotComposition,
  snapshotManifest,
  snapshotParts,
  snapshotPartsPageQuery,
} from "./snapshots";
import { nearDuplicatePairs, requestSplitAssignment, splitReport } from "./splits";

type Workspace = Awaited<ReturnType<typeof createWorkspaceWithRoles>>;

let db: TestDatabase;
let w: Workspace;
let other: Workspace;
let datasetId: string;
let parts: string[];

/** Labels for part i: a blind hole on i % 3 faces... deterministic and varied. */
function labelsFor(i: number, faceCount: number): (string | null)[] {
  return Array.from({ length: faceCount }, (_, f) =>
    f === 0 ? "stock" : f <= i % 3 ? "blind_hole" : f === faceCount - 1 && i % 2 === 0 ? "chamfer" : "stock",
  );
}

async function revise(partId: string, labels: (string | null)[], signature: string, authorId: string | null) {
  const instances = labels.flatMap((l, f) =>
    l === "blind_hole" ? [{ id: `h${f}`, feature: l, faces: [f], params: {} }] : [],
  );
  await db.owner.query(
    `insert into public.annotation_revisions (part_id, revision_no, author_id, face_signature, document)
     values ($1, 1, $2, $3, $4)`,
    [
      partId,
      authorId,
      signature,
      JSON.stringify({ schemaVersion: 1, faceSignature: signature, faceCount: labels.length, labels, instances }),
    ],
  );
}

const signatures = new Map<string, string>();

beforeAll(async () => {
  db = await createTestDatabase(inject("pgBaseUrl"));
  w = await createWorkspaceWithRoles(db.owner, "curate");
  other = await createWorkspaceWithRoles(db.owner, "curate-other");
  datasetId = await insertDataset(db.owner, {
    workspaceId: w.workspaceId,
    labelSchemaId: w.labelSchemaId,
    name: "mfcad",
  });
  parts = [
    ...(await insertParts(db.owner, { workspaceId: w.workspaceId, datasetId, count: 6, status: "approved" })),
    ...(await insertParts(db.owner, { workspaceId: w.workspaceId, datasetId, count: 6, status: "unannotated" })),
  ];
  for (const [i, id] of parts.entries()) {
    const faceCount = 4 + i;
    const sig = await giveGeometry(db.owner, id, { faceCount });
    signatures.set(id, sig);
    await db.owner.query(
      `update public.part_geometry set surface_types = $2, shape_descriptor = $3
       where id = (select geometry_id from public.parts where id = $1)`,
      // parts 0 and 1 are near-duplicates; the others far apart
      [id, i % 2 ? ["cylinder", "plane"] : ["plane"], [i < 2 ? 0 : i, i < 2 ? 0.001 * i : 1, 0]],
    );
    if (i < 10) await revise(id, labelsFor(i, faceCount), sig, i % 2 ? w.users.annotator.id : null);
  }
  await db.owner.query("update public.parts set tags = '{fixture}' where id = any ($1)", [parts.slice(0, 3)]);
  // the other workspace has a part named like ours
  const od = await insertDataset(db.owner, { workspaceId: other.workspaceId, labelSchemaId: other.labelSchemaId });
  await insertParts(db.owner, { workspaceId: other.workspaceId, datasetId: od, count: 2, status: "unannotated" });
});

afterAll(async () => {
  await db.drop();
});

const as = (role: keyof Workspace["users"], ws = w) => ({
  run: <T>(fn: Parameters<typeof withUser<T>>[2]) =>
    withUser(db.owner, ws.users[role].claims, fn, { workspaceId: ws.workspaceId }),
});

describe("the catalog", () => {
  const query = (q: string, role: keyof Workspace["users"] = "ml_engineer") =>
    as(role).run((c) =>
      queryCatalog(c, { workspaceId: w.workspaceId, datasetId, filter: parseCatalogFilter(q), limit: 100 }),
    );

  it("filters by status, classes and instance counts, faces, surfaces, tags, split, annotator and name", async () => {
    expect((await query("")).parts).toHaveLength(12);
    expect((await query("status=approved")).parts).toHaveLength(6);
    // blind holes on i % 3 faces: i % 3 >= 1 among the 10 labelled parts
    const holes = (await query("has=blind_hole")).parts;
    expect(holes.map((p) => p.id).sort()).toEqual(parts.filter((_, i) => i < 10 && i % 3 >= 1).sort());
    const two = (await query("count=blind_hole>=2")).parts;
    expect(two.map((p) => p.id).sort()).toEqual(parts.filter((_, i) => i < 10 && i % 3 === 2).sort());
    expect(two.every((p) => p.instanceCounts.blind_hole === 2)).toBe(true);
    const ids = async (q: string) => (await query(q)).parts.map((p) => p.id).sort();
    expect(await ids("count=blind_hole>1")).toEqual(two.map((p) => p.id).sort());
    expect(await ids("count=blind_hole=1")).toEqual(parts.filter((_, i) => i < 10 && i % 3 === 1).sort());
    // parts without labels count 0 instances
    expect(await ids("count=blind_hole<=1")).toEqual(parts.filter((_, i) => i >= 10 || i % 3 !== 2).sort());
    expect(await ids("count=blind_hole>=21")).toEqual([]);
    expect((await query("count=blind_hole=0&status=approved")).parts).toHaveLength(2);
    expect((await query("faces=6..8")).parts.map((p) => p.faceCount).sort()).toEqual([6, 7, 8]);
    expect((await query("surface=cylinder")).parts).toHaveLength(6);
    expect((await query("tag=fixture")).parts).toHaveLength(3);
    expect((await query("split=none")).parts).toHaveLength(12);
    expect((await query(`annotator=${w.users.annotator.id}`)).parts).toHaveLength(5);
    const name = (await query("")).parts[3]?.name as string;
    expect(
      (await query(`q=${encodeURIComponent(name.slice(5, 11).toUpperCase())}`)).parts.map((p) => p.name),
    ).toContain(name);
    expect((await query("q=100%25")).parts).toHaveLength(0); // % is a character, not a wildcard
    const options = await as("viewer").run((c) => catalogOptions(c, { workspaceId: w.workspaceId, datasetId }));
    expect(options.surfaces).toEqual([
      { surface: "plane", parts: 12 },
      { surface: "cylinder", parts: 6 },
    ]);
    expect(options.features.find((f) => f.key === "blind_hole")?.parts).toBe(holes.length);
    expect(options.tags).toEqual([{ tag: "fixture", parts: 3 }]);
    expect(options.splits).toEqual([{ split: null, parts: 12 }]);
    expect(options.annotators).toEqual([{ id: w.users.annotator.id, email: w.users.annotator.email, parts: 5 }]);
    const n = await as("viewer").run((c) =>
      countCatalog(c, { workspaceId: w.workspaceId, datasetId, filter: parseCatalogFilter("has=blind_hole") }),
    );
    expect(n).toBe(holes.length);
  });

  it("pages with a cursor in any order, without gaps or repeats", async () => {
    for (const sort of ["name", "-name", "faces", "-faces", "added", "-changed", "status"]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<typeof queryCatalog>> = await as("viewer").run((c) =>
          queryCatalog(c, {
            workspaceId: w.workspaceId,
            datasetId,
            filter: parseCatalogFilter(`sort=${sort}`),
            cursor,
            limit: 5,
          }),
        );
        seen.push(...page.parts.map((p) => p.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen.sort(), sort).toEqual([...parts].sort());
    }
    const faces = await query("sort=-faces");
    expect(faces.parts.map((p) => p.faceCount)).toEqual(
      [...faces.parts.map((p) => p.faceCount)].sort((a, b) => (b ?? 0) - (a ?? 0)),
    );
  });

  it("refuses a forged cursor whose value is no date as bad input, not a server failure", async () => {
    const forged = Buffer.from(JSON.stringify({ v: "not a date", id: parts[0] })).toString("base64url");
    const r = await refusal(
      as("viewer")
        .run((c) =>
          queryCatalog(c, {
            workspaceId: w.workspaceId,
            datasetId,
            filter: parseCatalogFilter("sort=added"),
            cursor: forged,
            limit: 5,
          }),
        )
        .catch((e) => Promise.reject(toAppError(e))),
    );
    expect(r).toMatchObject({ code: "VALIDATION_FAILED", message: "not a valid date or time" });
  });

  it("shows another workspace nothing, even asked for our dataset", async () => {
    const page = await as("admin", other).run((c) =>
      queryCatalog(c, { workspaceId: w.workspaceId, datasetId, filter: parseCatalogFilter(""), limit: 100 }),
    );
    expect(page.parts).toEqual([]);
  });

  it("is read through a view whose filters use their indexes, showing members their workspaces only", async () => {
    // sequential and plain index scans off: only a bitmap scan of the condition's own index is left
    const plan = (sql: string, params: unknown[]) =>
      as("ml_engineer").run(async (c) => {
        await c.query("set local enable_seqscan = off");
        await c.query("set local enable_indexscan = off");
        const { rows } = await c.query<{ "QUERY PLAN": string }>(`explain ${sql}`, params);
        return rows.map((r) => r["QUERY PLAN"]).join("\n");
      });
    const name = "%0000%";
    // through the table's policy the name search cannot use its trigram index (ILIKE is not leakproof)
    expect(await plan("select part_id from public.part_catalog c where c.name ilike $1", [name])).not.toContain(
      "part_catalog_name_trgm_idx",
    );
    expect(await plan("select part_id from private.member_catalog c where c.name ilike $1", [name])).toContain(
      "part_catalog_name_trgm_idx",
    );
    expect(
      await plan("select part_id from private.member_catalog c where c.features @> $1::text[]", [["blind_hole"]]),
    ).toContain("part_catalog_features_idx");

    const visible = (role: keyof Workspace["users"], ws: Workspace) =>
      as(role, ws).run(async (c) => {
        const { rows } = await c.query<{ workspace_id: string; n: number }>(
          "select workspace_id, count(*)::int as n from private.member_catalog group by 1",
        );
        return rows;
      });
    expect(await visible("viewer", w)).toEqual([{ workspace_id: w.workspaceId, n: parts.length }]);
    expect(await visible("admin", other)).toEqual([{ workspace_id: other.workspaceId, n: 2 }]);
    const anon = await attempt(db.owner, { role: "anon" }, (c) => c.query("select * from private.member_catalog"));
    expect(anon).toMatchObject({ ok: false, code: "42501" });
    const write = await attempt(db.owner, { role: "authenticated", claims: w.users.admin.claims }, (c) =>
      c.query("update private.member_catalog set tags = '{x}'"),
    );
    expect(write).toMatchObject({ ok: false, code: "42501" });
  });

  it("tags in bulk (curators), and saved filters are per person unless shared", async () => {
    const changed = await as("ml_engineer").run((c) =>
      tagParts(c, { workspaceId: w.workspaceId, partIds: parts.slice(2, 5), add: ["rework", "fixture"], remove: [] }),
    );
    expect(changed).toBe(3);
    expect((await query("tag=fixture,rework")).parts).toHaveLength(3);
    await as("ml_engineer").run((c) =>
      tagParts(c, { workspaceId: w.workspaceId, partIds: parts.slice(2, 5), add: [], remove: ["rework"] }),
    );
    expect((await query("tag=rework")).parts).toHaveLength(0);
    // an annotator may not change tags; another workspace's curator changes none of ours
    const annotator = await attempt(db.owner, { role: "authenticated", claims: w.users.annotator.claims }, (c) =>
      tagParts(c, { workspaceId: w.workspaceId, partIds: parts, add: ["x"], remove: [] }),
    );
    if (annotator.ok) expect(annotator.value).toBe(0);
    expect((await query("tag=x")).parts).toHaveLength(0);
    // through another workspace, or with a part of another workspace among them: nothing, NOT_FOUND
    expect(
      await refusal(
        as("ml_engineer", other).run((c) =>
          tagParts(c, { workspaceId: other.workspaceId, partIds: parts, add: ["x"], remove: [] }),
        ),
      ),
    ).toEqual({ code: "NOT_FOUND", message: "12 of the 12 parts named are not parts of this workspace" });
    expect(
      await as("ml_engineer", other).run((c) =>
        tagParts(c, { workspaceId: w.workspaceId, partIds: parts, add: ["x"], remove: [] }).catch(() => -1),
      ),
    ).toBe(-1);
    expect((await query("tag=x")).parts).toHaveLength(0);

    await as("ml_engineer").run((c) =>
      saveFilter(c, { workspaceId: w.workspaceId, datasetId, name: "holes", query: "has=blind_hole", shared: false }),
    );
    await as("ml_engineer").run((c) =>
      saveFilter(c, { workspaceId: w.workspaceId, datasetId, name: "team", query: "status=approved", shared: true }),
    );
    const mine = await as("ml_engineer").run((c) => listSavedFilters(c, w.workspaceId));
    expect(mine.map((f) => f.name)).toEqual(["holes", "team"]);
    const theirs = await as("viewer").run((c) => listSavedFilters(c, w.workspaceId));
    expect(theirs.map((f) => [f.name, f.mine])).toEqual([["team", false]]);
  });
});

describe("snapshots", () => {
  it("only ML engineers and admins freeze; a snapshot pins each part's latest revision and its checksum is the core's", async () => {
    for (const role of ["annotator", "viewer", "engineer"] as const) {
      const r = await refusal(
        as(role)
          .run((c) => freezeSnapshot(c, { workspaceId: w.workspaceId, datasetId, name: `s-${role}` }))
          .catch((e) => Promise.reject(toAppError(e))),
      );
      expect(r.code, role).toBe("FORBIDDEN");
    }
    const other_ = await refusal(
      as("ml_engineer", other)
        .run((c) => freezeSnapshot(c, { workspaceId: other.workspaceId, datasetId, name: "stolen" }))
        .catch((e) => Promise.reject(toAppError(e))),
    );
    expect(other_.code).toBe("FORBIDDEN");

    const s = await as("ml_engineer").run((c) =>
      freezeSnapshot(c, { workspaceId: w.workspaceId, datasetId, name: "v1", description: "first" }),
    );
    expect(s.partCount).toBe(10); // every part with a label revision, whatever its status
    const pinned = await as("viewer").run((c) =>
      snapshotParts(c, { workspaceId: w.workspaceId, snapshotId: s.id, limit: 100 }),
    );
    expect(pinned.map((p) => p.partId).sort()).toEqual(parts.slice(0, 10).sort());
    expect(new Set(pinned.map((p) => p.status))).toEqual(new Set(["approved", "unannotated"]));
    const sum = createHash("sha256").update(snapshotChecksumText(pinned)).digest("hex");
    expect(s.checksum).toBe(sum);
    const manifest = await as("viewer").run((c) => snapshotManifest(c, w.workspaceId, "v1"));
    expect(manifest.parts).toEqual(pinned);
    expect(manifest.snapshot.labelSchema?.version).toBe(1);

    const approved = await as("admin").run((c) =>
      freezeSnapshot(c, {
        workspaceId: w.workspaceId,
        datasetId,
        name: "v1-approved-holes",
        statuses: ["approved"],
        filter: parseCatalogFilter("has=blind_hole"),
        filterText: "has=blind_hole",
      }),
    );
    expect(approved.partCount).toBe(parts.slice(0, 6).filter((_, i) => i % 3 >= 1).length);
    expect(approved.filter).toBe("has=blind_hole");

    const dup = await refusal(
      as("ml_engineer")
        .run((c) => freezeSnapshot(c, { workspaceId: w.workspaceId, datasetId, name: "v1" }))
        .catch((e) => Promise.reject(toAppError(e))),
    );
    expect(dup).toEqual({ code: "CONFLICT", message: "a snapshot named v1 already exists in this workspace" });
    // the comparison page's address is not a snapshot name
    const reserved = await refusal(
      as("ml_engineer")
        .run((c) => freezeSnapshot(c, { workspaceId: w.workspaceId, datasetId, name: "Diff" }))
        .catch((e) => Promise.reject(toAppError(e))),
    );
    expect(reserved.code).toBe("VALIDATION_FAILED");
    const composition = await as("viewer").run((c) => snapshotComposition(c, w.workspaceId, s.id));
    expect(composition.reduce((n, g) => n + g.parts, 0)).toBe(10);
    expect(composition.find((g) => g.status === "approved")?.parts).toBe(6);

    // relabel part 1 afterwards: v1 does not move, v2 sees it, and the diff names it
    const p1 = parts[1] as string;
    const labels = labelsFor(1, 5).map((l, f) => (f === 4 ? "slot" : l));
    await db.owner.query(
      `insert into public.annotation_revisions (part_id, revision_no, author_id, face_signature, document)
       values ($1, 2, null, $2, $3)`,
      [
        p1,
        signatures.get(p1),
        JSON.stringify({ schemaVersion: 1, faceSignature: signatures.get(p1), faceCount: 5, labels }),
      ],
    );
    await revise(parts[10] as string, labelsFor(10, 14), signatures.get(parts[10] as string) as string, null);
    const v2 = await as("ml_engineer").run((c) =>
      freezeSnapshot(c, { workspaceId: w.workspaceId, datasetId, name: "v2" }),
    );
    const again = await as("viewer").run((c) =>
      snapshotParts(c, { workspaceId: w.workspaceId, snapshotId: s.id, limit: 100 }),
    );
    expect(again).toEqual(pinned);
    const diff = await as("viewer").run((c) => diffSnapshots(c, w.workspaceId, "v1", "v2"));
    expect(diff.added.map((p) => p.partId)).toEqual([parts[10]]);
    expect(diff.removed).toEqual([]);
    expect(diff.relabelled).toMatchObject([{ partId: p1, revisionA: 1, revisionB: 2, sameNumbering: true }]);
    // part 1 had stock on face 4 (i % 2 = 1, no chamfer): it became a slot
    expect(diff.faceChanges).toEqual([
      { feature: "slot", gained: 1, lost: 0 },
      { feature: "stock", gained: 0, lost: 1 },
    ]);
    expect((await as("viewer").run((c) => checkSnapshotInDatabase(c, w.workspaceId, v2.id))).recomputed).toBe(
      v2.checksum,
    );
  });

  it("pages a snapshot's parts in part-id order, each page one index range scan however far in", async () => {
    const labelled = parts.slice(0, 10);
    const splitOf = (i: number) => (i % 3 === 0 ? "train" : i % 3 === 1 ? "val" : null);
    await db.owner.query(
      "update public.parts set split = ($2::text[])[array_position($1::uuid[], id)] where id = any ($1)",
      [labelled, labelled.map((_, i) => splitOf(i))],
    );
    const s = await as("ml_engineer").run((c) =>
      freezeSnapshot(c, { workspaceId: w.workspaceId, datasetId, name: "paging" }),
    );
    await db.owner.query("update public.parts set split = null where id = any ($1)", [labelled]);

    const all = await as("viewer").run((c) =>
      snapshotParts(c, { workspaceId: w.workspaceId, snapshotId: s.id, limit: 1000 }),
    );
    // the workspace is in every query itself: the service role (the export job, verify) given another
    // workspace's id with this snapshot's id reads nothing of it
    const foreign = { workspaceId: other.workspaceId, snapshotId: s.id };
    await withService(db.owner, async (c) => {
      expect(await snapshotParts(c, { ...foreign, limit: 1000 })).toEqual([]);
      expect(await snapshotComposition(c, foreign.workspaceId, s.id)).toEqual([]);
      expect(await listSnapshotSplits(c, foreign.workspaceId, s.id)).toEqual([]);
      expect(await listSnapshotExportParts(c, { ...foreign, split: "train", afterPartId: null, limit: 10 })).toEqual(
        [],
      );
      expect((await refusal(checkSnapshotInDatabase(c, foreign.workspaceId, s.id))).code).toBe("NOT_FOUND");
      // and with its own workspace, all of it
      expect((await snapshotParts(c, { workspaceId: w.workspaceId, snapshotId: s.id, limit: 1000 })).length).toBe(
        all.length,
      );
    });
    expect(all.length).toBeGreaterThanOrEqual(labelled.length);
    for (const split of [undefined, null, "train", "val"]) {
      const expected = all
        .filter((p) => split === undefined || p.split === split)
        .map((p) => p.partId)
        .sort();
      expect(expected.length, String(split)).toBeGreaterThanOrEqual(3);
      const seen: string[] = [];
      const exported: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page: Awaited<ReturnType<typeof snapshotParts>> = await as("viewer").run((c) =>
          snapshotParts(c, { workspaceId: w.workspaceId, snapshotId: s.id, split, after, limit: 2 }),
        );
        if (page.length === 0) break;
        seen.push(...page.map((p) => p.partId));
        after = page.at(-1)?.partId ?? null;
      }
      expect(seen, String(split)).toEqual(expected);
      if (split === undefined) continue;
      after = null;
      for (;;) {
        const page = await withService(db.owner, (c) =>
          listSnapshotExportParts(c, {
            workspaceId: w.workspaceId,
            snapshotId: s.id,
            split,
            afterPartId: after,
            limit: 2,
          }),
        );
        if (page.length === 0) break;
        exported.push(...page.map((p) => p.partId));
        after = page.at(-1)?.partId ?? null;
      }
      expect(exported, String(split)).toEqual(expected);
    }

    // the plans: with sorting and whole-table reads priced out, a page that needs either shows it
    const plan = async (q: { sql: string; params: unknown[] }) => {
      const c = await db.owner.connect();
      try {
        await c.query("begin");
        for (const off of ["enable_sort", "enable_seqscan", "enable_bitmapscan"])
          await c.query(`set local ${off} = off`);
        const { rows } = await c.query<{ "QUERY PLAN": string }>(`explain ${q.sql}`, q.params);
        return rows.map((r) => r["QUERY PLAN"]).join("\n");
      } finally {
        await c.query("rollback");
        c.release();
      }
    };
    const cursor = [...labelled].sort()[0] as string;
    for (const split of [undefined, null, "train"] as const)
      for (const after of [null, cursor]) {
        const queries = [
          snapshotPartsPageQuery({ workspaceId: w.workspaceId, snapshotId: s.id, split, after, limit: 2 }),
        ];
        if (split !== undefined)
          queries.push(
            snapshotExportPageQuery({
              workspaceId: w.workspaceId,
              snapshotId: s.id,
              split,
              afterPartId: after,
              limit: 2,
            }),
          );
        for (const q of queries) {
          const text = await plan(q);
          const what = `${split} after ${after}:\n${text}`;
          expect(text, what).not.toMatch(/Sort Key: sp\./);
          if (after) expect(text, what).toMatch(/Index Cond: .*part_id > /);
        }
      }
  });

  it("no role can change or delete a snapshot or its parts, nor add parts later", async () => {
    const s = await as("viewer").run((c) => findSnapshot(c, w.workspaceId, "v1"));
    const statements = [
      ["update public.snapshots set name = 'renamed' where id = $1", [s.id]],
      ["delete from public.snapshots where id = $1", [s.id]],
      ["update public.snapshot_parts set split = 'train' where snapshot_id = $1", [s.id]],
      ["delete from public.snapshot_parts where snapshot_id = $1", [s.id]],
      ["truncate public.snapshot_parts", []],
      [
        `insert into public.snapshot_parts (snapshot_id, part_id, workspace_id, name, blob_sha256, revision_id, revision_no,
           face_count, schema_version, document_sha256, status)
         select $1, sp.part_id, sp.workspace_id, sp.name, sp.blob_sha256, sp.revision_id, sp.revision_no, sp.face_count,
           sp.schema_version, sp.document_sha256, sp.status from public.snapshot_parts sp
         where sp.snapshot_id = (select id from public.snapshots where name = 'v2') and sp.part_id = $2`,
        [s.id, parts[10]],
      ],
    ] as const;
    const who = [
      ...(["admin", "engineer", "annotator", "ml_engineer", "viewer"] as const).map((r) => ({
        role: "authenticated" as const,
        claims: w.users[r].claims,
        label: r,
      })),
      { role: "service_role" as const, claims: null, label: "service_role" },
      { role: "owner" as const, claims: null, label: "owner" },
    ];
    for (const [sql, params] of statements) {
      for (const as_ of who) {
        const r = await attempt(db.owner, as_, async (c) => (await c.query(sql, [...params])).rowCount);
        // refused, or (under row-level security) nothing touched: never a change
        if (r.ok) expect(r.value, `${as_.label}: ${sql}`).toBe(0);
        else expect(r.code, `${as_.label}: ${sql}`).toMatch(/^(FC020|42501)$/);
        if (as_.role !== "authenticated") expect(r.ok, `${as_.label}: ${sql}`).toBe(false);
      }
    }
    const after = await as("viewer").run((c) => checkSnapshotInDatabase(c, w.workspaceId, s.id));
    expect(after.recomputed).toBe(after.stored);
    expect(after.partCount).toEqual({ stored: 10, rows: 10 });
  });

  it("keeps what it pins: a snapshot's part cannot be discarded, nor its dataset deleted; the workspace can go", async () => {
    const r = await refusal(
      as("admin")
        .run((c) => discardPart(c, w.workspaceId, parts[0] as string))
        .catch((e) => Promise.reject(toAppError(e))),
    );
    expect(r).toEqual({
      code: "CONFLICT",
      message: "this part is in a snapshot, and snapshots never change: it cannot be discarded",
    });
    const d = await attempt(db.owner, { role: "owner" }, (c) =>
      c.query("delete from public.datasets where id = $1", [datasetId]),
    );
    expect(d.ok).toBe(false);
    // a throwaway workspace with a snapshot is deleted whole
    const t = await createWorkspaceWithRoles(db.owner, "curate-gone");
    const [p] = await insertParts(db.owner, {
      workspaceId: t.workspaceId,
      datasetId: t.datasetId,
      count: 1,
      status: "unannotated",
    });
    const sig = await giveGeometry(db.owner, p as string, { faceCount: 2 });
    await revise(p as string, ["stock", "slot"], sig, null);
    await withUser(db.owner, t.users.admin.claims, (c) =>
      freezeSnapshot(c, { workspaceId: t.workspaceId, datasetId: t.datasetId, name: "doomed" }),
    );
    await db.owner.query("delete from public.workspaces where id = $1", [t.workspaceId]);
    const left = await db.owner.query("select count(*)::int n from public.snapshots where workspace_id = $1", [
      t.workspaceId,
    ]);
    expect(left.rows[0].n).toBe(0);
  });

  it("only ML engineers and admins export; a second request is served from the same export", async () => {
    const s = await as("viewer").run((c) => findSnapshot(c, w.workspaceId, "v1"));
    for (const role of ["annotator", "viewer", "engineer"] as const) {
      const r = await attempt(db.owner, { role: "authenticated", claims: w.users[role].claims }, (c) =>
        c.query("select * from public.request_export($1, 'parquet')", [s.id]),
      );
      expect(r.ok, role).toBe(false);
    }
    const ask = () =>
      as("ml_engineer").run(
        async (c) => (await c.query("select * from public.request_export($1, 'parquet')", [s.id])).rows[0],
      );
    const first = await ask();
    expect(first.started).toBe(true);
    const second = await ask();
    expect(second).toEqual({ export_id: first.export_id, job_id: first.job_id, started: false });
    const jobs = await db.owner.query("select kind, payload from public.jobs where id = $1", [first.job_id]);
    expect(jobs.rows[0]).toEqual({ kind: "curation:export", payload: { exportId: first.export_id } });
    const elsewhere = await attempt(db.owner, { role: "authenticated", claims: other.users.ml_engineer.claims }, (c) =>
      c.query("select * from public.request_export($1, 'parquet')", [s.id]),
    );
    expect(elsewhere.ok).toBe(false);
    const seen = await as("ml_engineer", other).run((c) =>
      c.query("select count(*)::int n from public.snapshot_exports"),
    );
    expect(seen.rows[0].n).toBe(0);
  });
});

describe("the catalog's summary of labels", () => {
  it("counts only labelled faces: unlabelled faces (null) are no class", async () => {
    const d = await insertDataset(db.owner, { workspaceId: w.workspaceId, labelSchemaId: w.labelSchemaId });
    const [id] = await insertParts(db.owner, {
      workspaceId: w.workspaceId,
      datasetId: d,
      count: 1,
      status: "in_progress",
    });
    const sig = await giveGeometry(db.owner, id as string, { faceCount: 4 });
    await revise(id as string, [null, "slot", null, "slot"], sig, null);
    const page = await as("viewer").run((c) =>
      queryCatalog(c, { workspaceId: w.workspaceId, datasetId: d, filter: parseCatalogFilter(""), limit: 10 }),
    );
    expect(page.parts).toMatchObject([{ id, features: ["slot"], faceCount: 4 }]);
    const row = await db.owner.query("select face_counts, labelled_faces from public.part_catalog where part_id = $1", [
      id,
    ]);
    expect(row.rows[0]).toEqual({ face_counts: { slot: 2 }, labelled_faces: 2 });
  });
});

describe("splits", () => {
  it("ML engineers queue split assignment; others may not; near-duplicate pairs come from the fingerprint index", async () => {
    const id = await as("ml_engineer").run((c) => requestSplitAssignment(c, { workspaceId: w.workspaceId, datasetId }));
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    for (const role of ["annotator", "viewer", "engineer"] as const) {
      const r = await attempt(db.owner, { role: "authenticated", claims: w.users[role].claims }, (c) =>
        requestSplitAssignment(c, { workspaceId: w.workspaceId, datasetId }),
      );
      expect(r.ok, role).toBe(false);
    }
    const pairs = await withService(db.owner, (c) => nearDuplicatePairs(c, datasetId, 0.01));
    expect(pairs).toEqual([[parts[0], parts[1]].sort() as [string, string]]);
    const report = await as("viewer").run((c) => splitReport(c, w.workspaceId, datasetId));
    expect(report.splits).toEqual([{ split: null, parts: 12, labelledParts: 11, faces: expect.any(Number) }]);
    expect(report.classes.map((c) => c.feature)).toEqual(["blind_hole", "chamfer", "slot", "stock"]);
  });
});
