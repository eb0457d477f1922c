/**
 * How long the analytics report takes on a large constructed history (opt-in, prints the figures):
 * ANALYTICS_SCALE_N=20000 npx vitest run --project db packages/db/src/workspaces/analytics.scale.db.test.ts
 * N parts (a third each unannotated, in review, approved), 4 status changes and one work-time row a part.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { withUser } from "../session";
import { createTestDatabase, createWorkspaceWithRoles, type TestDatabase } from "../testing";
import { analyticsReport } from "./analytics";

let db: TestDatabase;
let w: Awaited<ReturnType<typeof createWorkspaceWithRoles>>;
const N = Number(process.env.ANALYTICS_SCALE_N ?? 0);

describe.skipIf(!N)("analytics at scale", () => {
  beforeAll(async () => {
    db = await createTestDatabase(inject("pgBaseUrl"));
    w = await createWorkspaceWithRoles(db.owner, "scale");
    const t0 = performance.now();
    const c = await db.owner.connect();
    await c.query("begin; set local session_replication_role = replica");
    await c.query(
      `insert into public.blobs (sha256, size, storage_key) select encode(sha256(('s' || g)::bytea), 'hex'), 1, 'k' || g from generate_series(1, $1) g`,
      [N],
    );
    await c.query(
      `insert into public.parts (workspace_id, dataset_id, blob_sha256, name, status, created_at, status_changed_at, annotator_id)
       select $1, $2, encode(sha256(('s' || g)::bytea), 'hex'), 'p' || g || '.step',
              (array['unannotated','in_review','approved'])[1 + g % 3]::public.part_status,
              timestamptz '2026-10-01' + g * interval '3 minutes', timestamptz '2026-11-01' + g * interval '1 minute', $3
       from generate_series(1, $4) g`,
      [w.workspaceId, w.datasetId, w.users.annotator.id, N],
    );
    // 4 status changes a part, spread over the period
    await c.query(
      `insert into public.audit_events (workspace_id, actor_id, actor_kind, action, target_table, target_id, data, created_at)
       select $1::uuid, $2::uuid, 'user', 'part.status_changed', 'parts', p.id::text,
              jsonb_build_object('from', t.f, 'to', t.t, 'annotator_id', $2::uuid::text), p.created_at + t.k * interval '1 day'
       from public.parts p cross join (values (1, 'unannotated', 'in_progress'), (2, 'in_progress', 'in_review'),
         (3, 'in_review', 'in_progress'), (4, 'in_progress', 'in_review')) t(k, f, t)
       where p.workspace_id = $1::uuid`,
      [w.workspaceId, w.users.annotator.id],
    );
    await c.query(
      `insert into public.work_time (workspace_id, part_id, user_id, session_id, active_ms)
       select workspace_id, id, $2, gen_random_uuid(), 60000 from public.parts where workspace_id = $1`,
      [w.workspaceId, w.users.annotator.id],
    );
    await c.query("commit");
    c.release();
    await db.owner.query("analyze");
    console.log(`arranged ${N} parts in ${(performance.now() - t0).toFixed(0)} ms`);
  }, 120_000);

  afterAll(async () => {
    await db.drop();
  });

  it("reads the report of a workspace of N parts", async () => {
    for (const [from, to] of [
      ["2026-11-01", "2026-11-30"],
      ["2026-01-01", "2026-12-31"],
    ] as const) {
      const t0 = performance.now();
      const r = await withUser(db.owner, w.users.admin.claims, (c) =>
        analyticsReport(c, w.workspaceId, { datasetId: null, from, to }, new Date("2026-12-05T00:00:00Z")),
      );
      const ms = performance.now() - t0;
      console.log(
        `${from}..${to}: ${ms.toFixed(0)} ms, ${r.statusByDay.length} days, submitted ${r.throughput[0]?.submitted}`,
      );
      expect(r.statusByDay.length).toBeGreaterThan(0);
    }
  }, 120_000);
});
