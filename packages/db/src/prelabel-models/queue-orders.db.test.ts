/**
 * The queue orders that send approvals where the learned pre-labeler is weakest (issue 20), with real
 * rows: 'most_novel' serves first the parts whose fingerprints lie where few parts are approved,
 * 'rare_classes' the parts predicted to hold the classes with the fewest approved faces. Switching the
 * order, a part arriving, and a refresh after approvals each place the parts.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { withService, withUser } from "../session";
import {
  createTestDatabase,
  createWorkspaceWithRoles,
  insertDataset,
  insertParts,
  type TestDatabase,
} from "../testing";
import { claimNextPart } from "../workspaces/parts";
import { updateLearningSettings } from "./models";
import { refreshQueuePriorities } from "./queue";

type Workspace = Awaited<ReturnType<typeof createWorkspaceWithRoles>>;

let db: TestDatabase;
let w: Workspace;

beforeAll(async () => {
  db = await createTestDatabase(inject("pgBaseUrl"));
  w = await createWorkspaceWithRoles(db.owner, "queue-orders");
});

afterAll(async () => {
  await db.drop();
});

/** Give parts geometry with these fingerprints (one each), as the worker does. */
async function fingerprint(partIds: readonly string[], descriptors: readonly number[][]): Promise<void> {
  for (const [i, partId] of partIds.entries()) {
    await db.owner.query(
      `with g as (
         insert into public.part_geometry (blob_sha256, tessellator_version, params_hash, params, mesh_key, faces_key,
           face_count, triangle_count, face_signature, area, bbox, shape_descriptor)
         select blob_sha256, 't', 'p', '{}', 'm', 'f', 4, 8, 'sig-' || id, 1, '{}', $2 from public.parts where id = $1
         returning id)
       update public.parts set geometry_id = (select id from g) where id = $1`,
      [partId, descriptors[i]],
    );
  }
}

async function priorities(ids: readonly string[]): Promise<number[]> {
  const { rows } = await db.owner.query<{ id: string; queue_priority: number }>(
    "select id, queue_priority from public.parts where id = any($1)",
    [ids],
  );
  const by = new Map(rows.map((r) => [r.id, r.queue_priority]));
  return ids.map((id) => by.get(id) as number);
}

const order = (datasetId: string, queueOrder: "most_novel" | "rare_classes" | "least_confident") =>
  withUser(db.owner, w.users.admin.claims, (c) => updateLearningSettings(c, w.workspaceId, datasetId, { queueOrder }));

describe("most novel first", () => {
  it("serves first the parts from where nothing is approved, and follows approvals", async () => {
    const datasetId = await insertDataset(db.owner, { workspaceId: w.workspaceId, labelSchemaId: w.labelSchemaId });
    // region A: ten parts along a line near the origin, every other one approved; region B: five far away
    const approvedA = await insertParts(db.owner, {
      workspaceId: w.workspaceId,
      datasetId,
      count: 5,
      status: "approved",
    });
    const waitingA = await insertParts(db.owner, {
      workspaceId: w.workspaceId,
      datasetId,
      count: 5,
      status: "unannotated",
    });
    const waitingB = await insertParts(db.owner, {
      workspaceId: w.workspaceId,
      datasetId,
      count: 5,
      status: "unannotated",
    });
    await fingerprint(
      approvedA,
      [0, 2, 4, 6, 8].map((x) => [x * 0.01, 0, 0]),
    );
    await fingerprint(
      waitingA,
      [1, 3, 5, 7, 9].map((x) => [x * 0.01, 0, 0]),
    );
    await fingerprint(
      waitingB,
      [0, 1, 2, 3, 4].map((x) => [10 + x * 0.01, 10, 10]),
    );

    await order(datasetId, "most_novel");
    const a = await priorities(waitingA);
    const b = await priorities(waitingB);
    expect(b).toEqual([0, 0, 0, 0, 0]);
    for (const p of a) expect(p).toBeGreaterThan(0.3);
    const first = await withUser(db.owner, w.users.annotator.claims, (c) =>
      claimNextPart(c, { workspaceId: w.workspaceId, datasetId }),
    );
    expect(waitingB).toContain(first?.id);
    await db.owner.query(
      "update public.parts set status = 'unannotated', annotator_id = null, claimed_at = null, lease_expires_at = null, claimed_from = null where id = $1",
      [first?.id],
    );

    // a part arriving in region B is placed at once (the per-row step), one in region A after B's
    const [newB, newA] = await insertParts(db.owner, {
      workspaceId: w.workspaceId,
      datasetId,
      count: 2,
      status: "unannotated",
    });
    await fingerprint(
      [newB as string, newA as string],
      [
        [10.02, 10, 10],
        [0.045, 0, 0],
      ],
    );
    const [pb, pa] = await priorities([newB as string, newA as string]);
    expect(pb).toBe(0);
    expect(pa).toBeGreaterThan(0.3);

    // many of B's kind approved since: worked out again, A's parts come first now
    const approvedB = await insertParts(db.owner, {
      workspaceId: w.workspaceId,
      datasetId,
      count: 20,
      status: "approved",
    });
    await fingerprint(
      approvedB,
      approvedB.map((_, i) => [10 + i * 0.002, 10, 10]),
    );
    const moved = await withService(db.owner, (c) => refreshQueuePriorities(c, datasetId));
    expect(moved).toBeGreaterThan(0);
    const [after] = await priorities([newB as string]);
    const afterA = await priorities(waitingA);
    expect(after as number).toBeGreaterThan(Math.max(...afterA));

    // back to least confident: the priorities follow the confidence again (none: 0)
    await order(datasetId, "least_confident");
    expect(await priorities([...waitingA, newB as string])).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe("rare classes first", () => {
  /** A revision of a part with these labels (source human or model), as the owner. */
  async function revision(partId: string, labels: string[], source: "human" | "model") {
    const doc = { schemaVersion: 1, faceSignature: `sig-${partId}`, faceCount: labels.length, labels };
    await db.owner.query(
      `insert into public.annotation_revisions (part_id, author_id, label_schema_id, face_signature, document, source, model_assisted)
       values ($1, null, $2, $3, $4, $5, $6)`,
      [partId, w.labelSchemaId, doc.faceSignature, JSON.stringify(doc), source, source === "model"],
    );
  }

  it("serves first the parts predicted to hold the classes with the fewest approved faces", async () => {
    const datasetId = await insertDataset(db.owner, { workspaceId: w.workspaceId, labelSchemaId: w.labelSchemaId });
    const [p1, p2] = await insertParts(db.owner, {
      workspaceId: w.workspaceId,
      datasetId,
      count: 2,
      status: "approved",
    });
    // approved faces: stock 4, through_hole 3, chamfer 1 (shares 0.5, 0.375, 0.125); fillet none
    await revision(p1 as string, ["stock", "stock", "through_hole", "through_hole"], "human");
    await revision(p2 as string, ["stock", "stock", "through_hole", "chamfer"], "human");
    const labelled = await insertParts(db.owner, {
      workspaceId: w.workspaceId,
      datasetId,
      count: 3,
      status: "pre_labeled",
    });
    const [none] = await insertParts(db.owner, {
      workspaceId: w.workspaceId,
      datasetId,
      count: 1,
      status: "unannotated",
    });
    const waiting = [...labelled, none as string];
    const [holes, chamfers, fillets] = labelled as [string, string, string];
    await revision(holes, ["stock", "through_hole"], "model");
    await revision(chamfers, ["stock", "chamfer", "through_hole"], "model");
    await revision(fillets, ["stock", "fillet"], "model");

    await order(datasetId, "rare_classes");
    const [ph, pc, pf, pn] = await priorities(waiting);
    expect(ph).toBeCloseTo(0.375, 5);
    expect(pc).toBeCloseTo(0.125, 5);
    expect(pf).toBe(0);
    expect(pn).toBe(0);
    const first = await withUser(db.owner, w.users.annotator.claims, (c) =>
      claimNextPart(c, { workspaceId: w.workspaceId, datasetId }),
    );
    expect([fillets, none]).toContain(first?.id);

    // a part pre-labelled now is placed by the per-row step (revision first, then the confidence)
    const [late] = await insertParts(db.owner, {
      workspaceId: w.workspaceId,
      datasetId,
      count: 1,
      status: "unannotated",
    });
    await revision(late as string, ["stock", "chamfer"], "model");
    await db.owner.query("update public.parts set prelabel_confidence = 0.9 where id = $1", [late]);
    expect((await priorities([late as string]))[0]).toBeCloseTo(0.125, 5);
  });
});
