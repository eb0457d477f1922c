/**
 * The curation:split job on real shapes: NIST test parts exported twice (by different CAD systems)
 * are near-duplicates by their fingerprints and must land in one split; assignment is deterministic,
 * keeps every split it gave when the dataset grows, and only ML engineers and admins can start it.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { requestSplitAssignment, splitReport, withUser } from "@facet/db";
import {
  createTestDatabase,
  createWorkspaceWithRoles,
  insertDataset,
  insertParts,
  type TestDatabase,
} from "@facet/db/testing";
import { type GeometryKernel, NEAR_DUPLICATE_DISTANCE, shapeDescriptor, tessellateStep } from "@facet/geometry";
import { CORPUS, kernelForNode } from "@facet/geometry/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { splitDataset } from "./split";

const NIST = path.join(CORPUS, "nist-pmi");
const FIRST = ["01", "02", "03", "04"];
const LATER = ["05"];
const nistFiles = (ids: string[]) =>
  readFileSync(path.join(NIST, "..", "native-occt-reference.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { file: string }).file)
    .filter((f) => ids.some((id) => f.includes(`nist_ctc_${id}_`)))
    .sort();

let db: TestDatabase;
let kernel: GeometryKernel;
let w: Awaited<ReturnType<typeof createWorkspaceWithRoles>>;
let datasetId: string;
const partOf = new Map<string, string>(); // file -> part id
const descriptorOf = new Map<string, number[]>();

/** A part for each file, with the fingerprint of its real geometry and some labels. */
async function addParts(files: string[]) {
  for (const [k, file] of files.entries()) {
    const bytes = readFileSync(path.join(CORPUS, file));
    const result = tessellateStep(kernel, bytes);
    const descriptor = shapeDescriptor(result.document, result.mesh);
    descriptorOf.set(file, descriptor);
    const [id] = await insertParts(db.owner, { workspaceId: w.workspaceId, datasetId, count: 1, status: "approved" });
    partOf.set(file, id as string);
    await db.owner.query(
      `with g as (
         insert into public.part_geometry (blob_sha256, tessellator_version, params_hash, params, mesh_key, faces_key,
           face_count, triangle_count, face_signature, area, bbox, shape_descriptor)
         select blob_sha256, 'test', 'p', '{}', 'm', 'f', $2, 1, $3, 1, '{}', $4 from public.parts where id = $1
         returning id)
       update public.parts set geometry_id = (select id from g) where id = $1`,
      [id, result.document.faceCount, `sig-${file}`, descriptor],
    );
    const labels = Array.from({ length: result.document.faceCount }, (_, f) =>
      f % 7 === k % 7 ? "through_hole" : f % 5 === 0 ? "fillet" : "stock",
    );
    await db.owner.query(
      `insert into public.annotation_revisions (part_id, revision_no, author_id, face_signature, document)
       values ($1, 1, null, $2, $3)`,
      [
        id,
        `sig-${file}`,
        JSON.stringify({ schemaVersion: 1, faceSignature: `sig-${file}`, faceCount: labels.length, labels }),
      ],
    );
  }
}

const splits = async () => {
  const { rows } = await db.owner.query<{ id: string; split: string | null }>(
    "select id, split from public.parts where dataset_id = $1",
    [datasetId],
  );
  return new Map(rows.map((r) => [r.id, r.split]));
};

async function runSplit(role: "ml_engineer" | "admin" = "ml_engineer") {
  const jobId = await withUser(db.owner, w.users[role].claims, (c) =>
    requestSplitAssignment(c, { workspaceId: w.workspaceId, datasetId }),
  );
  return splitDataset({ pool: db.owner, log: () => {} }, { jobId });
}

const distance = (a: number[], b: number[]) => Math.hypot(...a.map((v, i) => v - (b[i] as number)));

beforeAll(async () => {
  db = await createTestDatabase(inject("pgBaseUrl"));
  kernel = await kernelForNode();
  w = await createWorkspaceWithRoles(db.owner, "split");
  datasetId = await insertDataset(db.owner, { workspaceId: w.workspaceId, labelSchemaId: w.labelSchemaId });
  await addParts(nistFiles(FIRST));
}, 300_000);

afterAll(async () => {
  await db.drop();
});

describe("curation:split", () => {
  it("keeps each NIST part's two exports in one split, and says how balanced the splits are", async () => {
    const files = nistFiles(FIRST);
    const pairs = FIRST.map((id) => files.filter((f) => f.includes(`nist_ctc_${id}_`)));
    const close = pairs.filter(
      ([a, b]) =>
        distance(descriptorOf.get(a as string) as number[], descriptorOf.get(b as string) as number[]) <
        NEAR_DUPLICATE_DISTANCE,
    );
    // the fingerprint finds most re-exports (see docs/decisions.md); this test needs some to mean anything
    expect(close.length).toBeGreaterThanOrEqual(3);

    const outcome = await runSplit();
    expect(outcome).toMatchObject({ parts: files.length, assigned: files.length });
    expect(outcome?.nearDuplicateGroups).toBeGreaterThanOrEqual(close.length);
    const s = await splits();
    for (const [a, b] of close)
      expect(s.get(partOf.get(a as string) as string), `${a} and ${b}`).toBe(s.get(partOf.get(b as string) as string));
    expect([...s.values()].every((v) => v !== null)).toBe(true);

    const report = await withUser(db.owner, w.users.viewer.claims, (c) => splitReport(c, w.workspaceId, datasetId));
    expect(report.splits.reduce((n, r) => n + r.parts, 0)).toBe(files.length);
    expect(report.classes.map((c) => c.feature).sort()).toEqual(["fillet", "stock", "through_hole"]);
  });

  it("changes nothing when run again, and gives new parts a split without moving the others", async () => {
    const before = await splits();
    expect(await runSplit("admin")).toMatchObject({ assigned: 0 });
    expect(await splits()).toEqual(before);

    await addParts(nistFiles(LATER));
    const outcome = await runSplit();
    expect(outcome?.assigned).toBe(nistFiles(LATER).length);
    const after = await splits();
    for (const [id, split] of before) expect(after.get(id)).toBe(split);
    const [a, b] = nistFiles(LATER);
    if (
      distance(descriptorOf.get(a as string) as number[], descriptorOf.get(b as string) as number[]) <
      NEAR_DUPLICATE_DISTANCE
    )
      expect(after.get(partOf.get(a as string) as string)).toBe(after.get(partOf.get(b as string) as string));
  }, 300_000);

  it("is refused to annotators, engineers and viewers", async () => {
    for (const role of ["annotator", "engineer", "viewer"] as const) {
      await expect(
        withUser(db.owner, w.users[role].claims, (c) =>
          requestSplitAssignment(c, { workspaceId: w.workspaceId, datasetId }),
        ),
        role,
      ).rejects.toThrow(/your role does not allow this change/);
    }
  });
});
