/**
 * `npx pnpm bench:catalog [parts]`: curation at scale on generated rows in an embedded PostgreSQL
 * (default 100 000 parts, about 5 million faces): catalog filter queries as an ML engineer under
 * row-level security (p50/p95 of the first page and of the count, with the query plan of the
 * slowest), listing datasets and a dataset's status, freezing a snapshot of every labelled part,
 * verifying it in the database, and the Parquet export of the whole snapshot by the export job.
 * Prints figures and where the time goes; never fails on a number.
 */

import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { DEFAULT_TAXONOMY, parseCatalogFilter } from "@facet/core";
import {
  CATALOG_COUNT_CAP,
  catalogOptions,
  catalogPageQuery,
  checkSnapshotInDatabase,
  countCatalog,
  createPool,
  freezeSnapshot,
  listDatasets,
  migrate,
  partCountsByStatus,
  queryCatalog,
  requestExport,
  snapshotExportPageQuery,
  withService,
  withUser,
} from "@facet/db";
import { startEmbeddedPostgres } from "@facet/db/embedded";
import { freePort, SUPABASE_DIR } from "@facet/db/testing";
import type { FacesDocument } from "@facet/geometry";
import { FsBlobStore } from "@facet/storage";
import { exportSnapshot } from "../src/tasks/export";

const PARTS = Number(process.argv[2] ?? 100_000);
const RUNS = 20;
const say = (line: string) => process.stdout.write(`${line}\n`);
const ms = (t: number) => `${t.toFixed(1)} ms`;
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
};
async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const v = await fn();
  return [v, performance.now() - t0];
}

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" / ");
say(`machine: ${os.cpus().length} cores, Node ${process.version}, load average ${load()} (1 / 5 / 15 min)`);
const dir = await mkdtemp(path.join(os.tmpdir(), "facet-bench-catalog-"));
const server = await startEmbeddedPostgres({
  dataDir: path.join(dir, "pg"),
  logFile: path.join(dir, "postgres.log"),
  port: await freePort(),
  password: "bench",
  database: "facet",
  // as `npm start` runs it (apps/launcher), with WAL durability off for the generation only
  settings: { fsync: "off", synchronous_commit: "off", full_page_writes: "off", max_wal_size: "4GB" },
});
const pool = createPool(server.url("facet"), { max: 8, applicationName: "bench-catalog" });
try {
  const c0 = await pool.connect();
  await migrate(c0, SUPABASE_DIR);
  c0.release();

  // ---- generate ----
  const CLASSES = ["through_hole", "blind_hole", "slot", "pocket", "chamfer", "fillet", "step", "boss"];
  const [, genMs] = await timed(async () => {
    const users = await pool.query<{ id: string }>(
      `insert into auth.users (email, email_confirmed_at) values ('admin@bench.test', now()), ('ml@bench.test', now())
       returning id`,
    );
    const [admin, ml] = users.rows.map((r) => r.id) as [string, string];
    const ws = await pool.query<{ id: string }>(
      "insert into public.workspaces (name, slug, created_by) values ('Bench', 'bench', $1) returning id",
      [admin],
    );
    const wsId = ws.rows[0]?.id as string;
    await pool.query(
      "insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'admin'), ($1, $3, 'ml_engineer')",
      [wsId, admin, ml],
    );
    const schema = await pool.query<{ id: string }>(
      "insert into public.label_schemas (workspace_id, name, taxonomy, is_default) values ($1, 'Default', $2, true) returning id",
      [wsId, JSON.stringify(DEFAULT_TAXONOMY)],
    );
    const ds = await pool.query<{ id: string }>(
      "insert into public.datasets (workspace_id, name, label_schema_id) values ($1, 'generated', $2) returning id",
      [wsId, schema.rows[0]?.id],
    );
    const dsId = ds.rows[0]?.id as string;
    await pool.query("select setseed(0.42)");
    say(`generating ${PARTS} parts…`);
    await pool.query(
      `insert into public.blobs (sha256, size, storage_key, verified_at)
       select encode(sha256(('bench-' || g)::bytea), 'hex'), 20000 + g % 5000, 'blobs/bench/' || g, now()
       from generate_series(1, $1) g`,
      [PARTS],
    );
    // groups of 4 near-duplicates share a base fingerprint
    await pool.query(
      `insert into public.part_geometry (blob_sha256, tessellator_version, params_hash, params, mesh_key, faces_key,
         face_count, triangle_count, face_signature, area, bbox, surface_types, shape_descriptor)
       select encode(sha256(('bench-' || g)::bytea), 'hex'), 'bench', 'p', '{}', 'derived/bench/mesh.glb',
              'derived/bench/faces-' || (30 + (g * 7919) % 41) || '.json', 30 + (g * 7919) % 41, (30 + (g * 7919) % 41) * 24,
              'sig-' || g, 100, '{}',
              case when g % 3 = 0 then '{cylinder,plane}'::text[] when g % 3 = 1 then '{cone,cylinder,plane,torus}' else '{plane}' end,
              (select array_agg(((abs(hashint4(g / 4 * 131 + k)) % 1000) / 1000.0 + (g % 4) * 0.002)::real order by k)
               from generate_series(1, 47) k)
       from generate_series(1, $1) g`,
      [PARTS],
    );
    await pool.query(
      `insert into public.parts (workspace_id, dataset_id, blob_sha256, name, status, tags, created_at, status_changed_at,
         geometry_id)
       select $1, $2, g.blob_sha256, 'part-' || lpad(substr(g.face_signature, 5), 6, '0') || '.step',
              (array['approved','approved','approved','in_review','in_progress','pre_labeled','pre_labeled','unannotated',
                     'approved','approved'])[1 + substr(g.face_signature, 5)::int % 10]::public.part_status,
              case when substr(g.face_signature, 5)::int % 17 = 0 then '{fixture}'::text[] else '{}' end,
              now() - make_interval(days => substr(g.face_signature, 5)::int % 365),
              now() - make_interval(hours => substr(g.face_signature, 5)::int % 2000), g.id
       from public.part_geometry g where g.tessellator_version = 'bench'`,
      [wsId, dsId],
    );
    say("generating one label revision per part (about 50 faces each)…");
    await pool.query(
      `insert into public.annotation_revisions (part_id, revision_no, author_id, face_signature, document, source)
       select p.id, 1, case when p.status in ('approved', 'in_review') then $1::uuid end, g.face_signature,
              jsonb_build_object('schemaVersion', 1, 'faceSignature', g.face_signature, 'faceCount', g.face_count,
                'labels', l.labels, 'instances', l.instances),
              case when p.status in ('approved', 'in_review') then 'human' else 'model' end
       from public.parts p join public.part_geometry g on g.id = p.geometry_id,
       lateral (
         select jsonb_agg(to_jsonb(c) order by f) as labels,
                coalesce(jsonb_agg(jsonb_build_object('id', 'i' || f, 'feature', c, 'faces', jsonb_build_array(f)))
                  filter (where c <> 'stock'), '[]') as instances
         from (select f, case when abs(hashint4(f * 7 + length(p.name) + ascii(right(p.name, 6)) * 13)) % 9 < 7 then 'stock'
                              else ($2::text[])[1 + abs(hashint4(f + ascii(right(p.name, 7)))) % 8] end as c
               from generate_series(0, g.face_count - 1) f) x) l
       where p.status <> 'unannotated'`,
      [ml, CLASSES],
    );
    await pool.query("vacuum analyze");
    return { wsId, dsId, ml, admin };
  });
  const ids = (
    await pool.query<{ ws: string; ds: string; ml: string; admin: string }>(
      `select w.id as ws, d.id as ds, (select id from auth.users where email = 'ml@bench.test') as ml,
              (select id from auth.users where email = 'admin@bench.test') as admin
       from public.workspaces w join public.datasets d on d.workspace_id = w.id`,
    )
  ).rows[0] as { ws: string; ds: string; ml: string; admin: string };
  const sizes = (
    await pool.query<{ parts: number; labelled: number; faces: number }>(
      `select (select count(*)::int from public.parts) as parts, (select count(revision_id)::int from public.part_catalog) as labelled,
              (select sum(face_count)::int from public.part_geometry) as faces`,
    )
  ).rows[0];
  say(
    `generated ${sizes?.parts} parts, ${sizes?.labelled} with labels, ${sizes?.faces} faces in ${(genMs / 1000).toFixed(1)} s`,
  );

  const claims = (id: string, email: string) => ({
    sub: id,
    role: "authenticated" as const,
    email,
    aud: "authenticated",
  });
  const mlClaims = claims(ids.ml, "ml@bench.test");
  const asMl = <T>(fn: Parameters<typeof withUser<T>>[2]) => withUser(pool, mlClaims, fn, { workspaceId: ids.ws });

  // ---- listing datasets and status (the figures the issue quotes at 15 488 parts) ----
  const listings: [string, () => Promise<unknown>][] = [
    ["list datasets", () => asMl((c) => listDatasets(c, ids.ws))],
    ["dataset status counts", () => asMl((c) => partCountsByStatus(c, ids.ws, ids.ds))],
    ["catalog filter options", () => asMl((c) => catalogOptions(c, { workspaceId: ids.ws, datasetId: ids.ds }))],
  ];
  for (const [label, fn] of listings) {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) times.push((await timed(fn))[1]);
    say(`${label.padEnd(26)} p50 ${ms(quantile(times, 0.5))}  p95 ${ms(quantile(times, 0.95))}`);
  }

  // ---- catalog filters ----
  const FILTERS = [
    "",
    "status=approved",
    "has=blind_hole",
    "count=blind_hole>=2",
    "has=slot,chamfer&status=approved",
    "faces=40..50",
    "surface=torus",
    "tag=fixture",
    "split=none&status=approved,in_review",
    "added=2026-06-01..2026-09-30",
    "q=00421",
    "sort=-faces&has=pocket",
    "sort=name&count=through_hole>=3&surface=cylinder",
  ];
  say(`\ncatalog as an ML engineer (RLS), first page of 50 and the count, ${RUNS} runs each:`);
  say(
    `${"filter".padEnd(48)} ${"rows".padStart(7)}  page p50   page p95   count p50  count p95  (counts exact up to ${CATALOG_COUNT_CAP})`,
  );
  let slowest = { filter: "", p95: 0 };
  const pages: number[] = [];
  for (const q of FILTERS) {
    const filter = parseCatalogFilter(q);
    const page: number[] = [];
    const count: number[] = [];
    let total = 0;
    for (let i = 0; i < RUNS; i++) {
      page.push(
        (
          await timed(() => asMl((c) => queryCatalog(c, { workspaceId: ids.ws, datasetId: ids.ds, filter, limit: 50 })))
        )[1],
      );
      const [n, t] = await timed(() =>
        asMl((c) => countCatalog(c, { workspaceId: ids.ws, datasetId: ids.ds, filter, cap: CATALOG_COUNT_CAP })),
      );
      count.push(t);
      total = n;
    }
    pages.push(...page);
    const p95 = quantile(page, 0.95);
    if (p95 > slowest.p95) slowest = { filter: q, p95 };
    say(
      `${(q || "(none)").padEnd(48)} ${String(total).padStart(7)}  ${ms(quantile(page, 0.5)).padStart(9)}  ${ms(p95).padStart(9)}  ${ms(quantile(count, 0.5)).padStart(9)}  ${ms(quantile(count, 0.95)).padStart(9)}`,
    );
  }
  say(`all first pages: p95 ${ms(quantile(pages, 0.95))} (target < 100 ms)`);
  // a deep page: the cursor keeps it as cheap as the first
  let cursor: string | null = null;
  for (let i = 0; i < 100; i++) {
    const r: Awaited<ReturnType<typeof queryCatalog>> = await asMl((c) =>
      queryCatalog(c, {
        workspaceId: ids.ws,
        datasetId: ids.ds,
        filter: parseCatalogFilter("sort=name"),
        cursor,
        limit: 50,
      }),
    );
    cursor = r.nextCursor;
  }
  const [, deep] = await timed(() =>
    asMl((c) =>
      queryCatalog(c, {
        workspaceId: ids.ws,
        datasetId: ids.ds,
        filter: parseCatalogFilter("sort=name"),
        cursor,
        limit: 50,
      }),
    ),
  );
  say(`page 101 (sort=name, cursor): ${ms(deep)}`);
  say(`\nplan of the slowest first page (${slowest.filter || "(none)"}):`);
  const page = catalogPageQuery({
    workspaceId: ids.ws,
    datasetId: ids.ds,
    filter: parseCatalogFilter(slowest.filter),
    limit: 50,
  });
  const plan = await asMl((c) => c.query(`explain (analyze, buffers, costs off) ${page.sql}`, page.params));
  for (const r of plan.rows) say(`  ${(r as Record<string, string>)["QUERY PLAN"]}`);

  // ---- snapshot ----
  say("");
  const [snapshot, freezeMs] = await timed(() =>
    asMl((c) => freezeSnapshot(c, { workspaceId: ids.ws, datasetId: ids.ds, name: "bench-all" })),
  );
  say(
    `freeze a snapshot of every labelled part: ${snapshot.partCount} parts, ${snapshot.faceCount} faces in ${(freezeMs / 1000).toFixed(2)} s (target < 10 s)`,
  );
  const [, approvedMs] = await timed(() =>
    asMl((c) =>
      freezeSnapshot(c, {
        workspaceId: ids.ws,
        datasetId: ids.ds,
        name: "bench-approved-holes",
        statuses: ["approved"],
        filter: parseCatalogFilter("has=blind_hole"),
        filterText: "has=blind_hole",
      }),
    ),
  );
  say(`freeze a filtered snapshot (approved, has=blind_hole): ${(approvedMs / 1000).toFixed(2)} s`);
  const [check, checkMs] = await timed(() => asMl((c) => checkSnapshotInDatabase(c, ids.ws, snapshot.id)));
  say(
    `verify in the database (checksum recomputed from ${check.partCount.rows} documents): ${(checkMs / 1000).toFixed(2)} s, ${check.recomputed === check.stored ? "agrees" : "DIFFERS"}`,
  );

  // ---- Parquet export of the whole snapshot ----
  const store = new FsBlobStore({
    root: path.join(dir, "blobs"),
    baseUrl: "http://localhost:1",
    secret: "b".repeat(40),
  });
  // the faces files the generated geometry points to (one per face count, shared by the parts that have it)
  for (let n = 30; n <= 70; n++) {
    const doc = facesDocument(n);
    const bytes = Buffer.from(JSON.stringify(doc));
    await store.put(`derived/bench/faces-${n}.json`, Readable.from([bytes]), {
      size: bytes.length,
      sha256: createHash("sha256").update(bytes).digest("hex"),
    });
  }
  const requested = await asMl((c) =>
    requestExport(c, { workspaceId: ids.ws, snapshotId: snapshot.id, format: "parquet", includeMeshes: false }),
  );
  const job = (
    await pool.query<{ job_id: string }>("select job_id from public.snapshot_exports where id = $1", [
      requested.export.id,
    ])
  ).rows[0]?.job_id as string;
  // one page of what the job reads (200 parts of the first split), with its plan
  const firstSplit = (
    await pool.query<{ split: string | null }>(
      "select split from public.snapshot_parts where snapshot_id = $1 order by split nulls last limit 1",
      [snapshot.id],
    )
  ).rows[0]?.split as string | null;
  const pageQ = snapshotExportPageQuery({
    workspaceId: ids.ws,
    snapshotId: snapshot.id,
    split: firstSplit,
    afterPartId: null,
    limit: 200,
  });
  const pagePlan = await withService(pool, (c) =>
    c.query(`explain (analyze, buffers, costs off) ${pageQ.sql}`, pageQ.params),
  );
  say("plan of a page of the export's reads (200 parts):");
  for (const r of pagePlan.rows) say(`  ${(r as Record<string, string>)["QUERY PLAN"]}`);
  const cpu0 = process.cpuUsage();
  const db0 = postgresCpuSeconds(path.join(dir, "pg"));
  const [, exportMs] = await timed(() => exportSnapshot({ pool, store, log: () => {}, tmpDir: dir }, { jobId: job }));
  const cpu = process.cpuUsage(cpu0);
  const dbCpu = postgresCpuSeconds(path.join(dir, "pg")) - db0;
  const done = (
    await pool.query<{ size: string; completed: boolean; error: string | null; timings: unknown }>(
      `select e.archive_size::text as size, e.completed_at is not null as completed, j.error, j.result->'timings' as timings
     from public.snapshot_exports e join public.jobs j on j.id = e.job_id where e.id = $1`,
      [requested.export.id],
    )
  ).rows[0];
  say(
    `Parquet export of the whole snapshot: ${(exportMs / 1000).toFixed(1)} s (target < 60 s), ${done?.completed ? `archive ${(Number(done.size) / 1e6).toFixed(1)} MB` : `FAILED: ${done?.error}`}; worker CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s (${(snapshot.partCount / (exportMs / 1000)).toFixed(0)} parts/s)`,
  );
  say(
    `  database CPU meanwhile: ${dbCpu.toFixed(1)} s; where the job's time went (ms; reads overlap the writing): ${JSON.stringify(done?.timings)}`,
  );
  say(
    "  (faces files: 41 generated documents shared by the parts with the same face count, read from the filesystem store once per part)",
  );
} finally {
  await pool.end();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}

/** CPU seconds used so far by the embedded server's processes (the postmaster, its children, those that ended). */
function postgresCpuSeconds(dataDir: string): number {
  const postmaster = Number(readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
  let ticks = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // after the command's closing parenthesis: state, ppid, … utime (12th), stime, cutime, cstime
      const f = stat
        .slice(stat.lastIndexOf(")") + 2)
        .split(" ")
        .map(Number);
      if (Number(pid) === postmaster) ticks += (f[11] ?? 0) + (f[12] ?? 0) + (f[13] ?? 0) + (f[14] ?? 0);
      else if (f[1] === postmaster) ticks += (f[11] ?? 0) + (f[12] ?? 0);
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks / 100; // USER_HZ
}

/** A plausible faces document of n faces (planes, cylinders, a cone), with a ring of edges. */
function facesDocument(n: number): FacesDocument {
  const surfaces = ["plane", "plane", "cylinder", "plane", "cone", "cylinder", "torus"] as const;
  const faces = Array.from({ length: n }, (_, i) => {
    const surface = surfaces[i % surfaces.length] as (typeof surfaces)[number];
    return {
      index: i,
      surface,
      area: 10 + (i % 13),
      direction: [0, 0, 1] as [number, number, number],
      origin: [i, 0, 0] as [number, number, number],
      radius: surface === "plane" ? null : 2 + (i % 5),
      bbox: { min: [i, 0, 0] as [number, number, number], max: [i + 1, 1, 1] as [number, number, number] },
      triangles: { first: i * 24, count: 24 },
      stepName: String(i + 1),
      reversed: false,
    };
  });
  const edges = faces.map((_, i) => ({
    faces: [i, (i + 1) % n] as [number, number],
    convexity: (i % 3 === 0 ? "concave" : "convex") as "concave" | "convex",
    angle: 90,
  }));
  return {
    tessellator: "bench",
    params: { relativeDeflection: 0.001, angularDeflection: 0.5 },
    faceCount: n,
    triangleCount: n * 24,
    area: faces.reduce((a, f) => a + f.area, 0),
    bbox: { min: [0, 0, 0], max: [n, 1, 1] },
    signature: `bench-${n}`,
    faces,
    edges,
  };
}
