/**
 * How long working a dataset's queue out again takes at scale (opt-in, prints the figures):
 * QUEUE_SCALE_N=100000 npx vitest run --project db packages/db/src/prelabel-models/queue-orders.scale.db.test.ts
 * N parts with a 20-number fingerprint each (a tenth approved, with 30 labelled faces), the others
 * pre-labelled (a model revision of 30 faces each); then a switch to each learning order.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { withService } from "../session";
import { createTestDatabase, createWorkspaceWithRoles, type TestDatabase } from "../testing";
import { refreshQueuePriorities } from "./queue";

let db: TestDatabase;
let w: Awaited<ReturnType<typeof createWorkspaceWithRoles>>;
const N = Number(process.env.QUEUE_SCALE_N ?? 0);
const CLASSES = ["stock", "through_hole", "blind_hole", "chamfer", "fillet", "rectangular_pocket"];

describe.skipIf(!N)("queue orders at scale", () => {
  beforeAll(async () => {
    db = await createTestDatabase(inject("pgBaseUrl"));
    w = await createWorkspaceWithRoles(db.owner, "queue-scale");
    const t0 = performance.now();
    const c = await db.owner.connect();
    await c.query("begin; set local session_replication_role = replica");
    await c.query(
      `insert into public.blobs (sha256, size, storage_key) select encode(sha256(('q' || g)::bytea), 'hex'), 1, 'k' || g from generate_series(1, $1) g`,
      [N],
    );
    await c.query(
      `insert into public.part_geometry (blob_sha256, tessellator_version, params_hash, params, mesh_key, faces_key,
         face_count, triangle_count, face_signature, area, bbox, shape_descriptor)
       select encode(sha256(('q' || g)::bytea), 'hex'), 't', 'p', '{}', 'm', 'f', 30, 60, 'sig' || g, 1, '{}',
              (select array_agg(((g * 7919 + d * 104729) % 1000) / 1000.0 + (g % 5) order by d)::real[]
               from generate_series(1, 20) d)
       from generate_series(1, $1) g`,
      [N],
    );
    await c.query(
      `insert into public.parts (workspace_id, dataset_id, blob_sha256, name, status, geometry_id)
       select $1, $2, g.blob_sha256, 'p' || g.face_signature || '.step',
              (case when right(g.face_signature, 1) = '0' then 'approved' else 'pre_labeled' end)::public.part_status, g.id
       from public.part_geometry g`,
      [w.workspaceId, w.datasetId],
    );
    await c.query(
      `insert into public.annotation_revisions (part_id, workspace_id, blob_sha256, revision_no, label_schema_id, face_signature, document, source, model_assisted)
       select p.id, p.workspace_id, p.blob_sha256, 1, $2, 'sig', jsonb_build_object('labels',
                (select jsonb_agg(($3::text[])[1 + (abs(hashtext(p.id::text || f)) % 6)]) from generate_series(1, 30) f)),
              case when p.status = 'approved' then 'human' else 'model' end, p.status <> 'approved'
       from public.parts p where p.dataset_id = $1`,
      [w.datasetId, w.labelSchemaId, CLASSES],
    );
    await c.query("commit");
    c.release();
    await db.owner.query("analyze");
    console.log(`arranged ${N} parts in ${(performance.now() - t0).toFixed(0)} ms`);
  }, 1_200_000);

  afterAll(async () => {
    await db.drop();
  });

  it.each(["most_novel", "rare_classes"] as const)(
    "works the queue out under %s",
    async (order) => {
      // switching the order works the queue out (its trigger), writing every priority that moved
      const t0 = performance.now();
      await db.owner.query("update public.datasets set queue_order = $2 where id = $1", [w.datasetId, order]);
      const switched = performance.now() - t0;
      // again, as after a training: the same computation, nothing to write
      const t1 = performance.now();
      const moved = await withService(db.owner, (c) => refreshQueuePriorities(c, w.datasetId));
      const again = performance.now() - t1;
      console.log(
        `${order}: ${N} parts: switch ${switched.toFixed(0)} ms, refresh again ${again.toFixed(0)} ms (${moved} moved)`,
      );
      const { rows } = await db.owner.query<{ n: number }>(
        "select count(distinct queue_priority)::int as n from public.parts where dataset_id = $1 and status <> 'approved'",
        [w.datasetId],
      );
      expect(rows[0]?.n).toBeGreaterThan(1);
    },
    1_200_000,
  );
});
