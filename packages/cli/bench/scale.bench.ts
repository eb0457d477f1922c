/**
 * `npx pnpm bench:scale DIR [--limit N]`: a full-size dataset end to end through `npm start` (issue
 * 21). DIR is a folder of STEP files: the whole MFCAD set (15,488 parts) is fetched from the public
 * `hducg/MFCAD` repository and never committed (`dataset/step`; its `.face_truth` files are ignored).
 *
 * Measured, in this order, so that no two compete for the cores:
 * 1. the native pipeline (the same read, mesh, faces and adjacency in C++ against Debian's OCCT
 *    7.6.3, `workers/bench/native`) over every file, serially on one core;
 * 2. Facet's own kernel (OCCT 7.6.3 in WebAssembly) on every 10th file, serially: what the
 *    WebAssembly build costs on its own;
 * 3. the platform on a fresh folder: `facet push DIR` until every part is pre-labelled (or failed):
 *    wall time, CPU time of every platform process, parts per minute per core, the job queue and the
 *    processes' memory over time, the database's and the blob store's size;
 * 4. then the catalog (a filtered query), a snapshot of the whole dataset and its Parquet export.
 * Prints figures and ratios; never fails on a number.
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT } from "@facet/db/testing";
import { DEFAULT_PARAMS } from "@facet/geometry";
import { databaseOf, platformCpu, platformMemory, waitUntil } from "@facet/launcher/testing";
import { buildNativeOcct, InProcessGeometry, runNativeOcct } from "@facet/workers/testing";
import {
  cpuSeconds,
  facetJson as facet,
  machineLine,
  mb,
  processTree,
  reapedChildrenCpuSeconds,
  startBenchPlatform,
  time,
} from "./platform";

const sum = (m: Map<unknown, number>) => [...m.values()].reduce((a, b) => a + b, 0);

const args = process.argv.slice(2);
const limitAt = args.indexOf("--limit");
const limit = limitAt >= 0 ? Number(args[limitAt + 1]) : Number.POSITIVE_INFINITY;
const source =
  args.find((a, i) => !a.startsWith("--") && (limitAt < 0 || i !== limitAt + 1)) ?? process.env.FACET_SCALE_DIR;
if (!source) {
  process.stderr.write("usage: npx pnpm bench:scale DIR [--limit N]   (DIR: a folder of STEP files, e.g. MFCAD's)\n");
  process.exit(2);
}
const cores = os.cpus().length;
const say = (line: string) => process.stderr.write(`${line}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const minutes = (s: number) => `${(s / 60).toFixed(1)} min`;

/** Bytes of the files under `dir` (recursively). */
async function sizeOf(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) total += (await stat(path.join(e.parentPath, e.name)).catch(() => ({ size: 0 }))).size;
  return total;
}

async function main() {
  const work = await mkdtemp(path.join(os.tmpdir(), "facet-bench-scale-"));
  const rows: string[] = [];
  try {
    let names = (await readdir(source as string)).filter((f) => /\.(step|stp)$/i.test(f)).sort();
    let dir = path.resolve(source as string);
    if (names.length > limit) {
      names = names.slice(0, limit);
      dir = path.join(work, "files");
      await mkdir(dir);
      for (const n of names) await copyFile(path.join(source as string, n), path.join(dir, n));
    }
    const bytes = await sizeOf(dir);
    rows.push(`${names.length} STEP files, ${mb(bytes).toFixed(0)} MB, from ${source}`);

    // 1. the native pipeline, serially
    const built = buildNativeOcct(path.join(REPO_ROOT, ".cache/bench"));
    let nativeSeconds = Number.NaN;
    if ("binary" in built) {
      say(`native OCCT: ${names.length} files…`);
      const [native, wall] = await time(async () =>
        runNativeOcct(built.binary, dir, DEFAULT_PARAMS, names, names[0] as string),
      );
      const ok = [...native.values()].filter((r) => r.ok);
      nativeSeconds = [...native.values()].reduce((s, r) => s + r.total_ms, 0) / 1000;
      rows.push(
        `native pipeline, one core: ${nativeSeconds.toFixed(0)} s of pipeline (${wall.toFixed(0)} s wall with reading the files), ${ok.length} read, median ${median(ok.map((r) => r.total_ms)).toFixed(1)} ms`,
      );
    } else rows.push(`native pipeline: not built here (${built.reason})`);

    // 2. Facet's kernel alone, on a sample
    say("the WebAssembly kernel on every 10th file…");
    const kernel = new InProcessGeometry();
    await kernel.run(await readFile(path.join(dir, names[0] as string)), DEFAULT_PARAMS); // load and warm up
    const sampled: number[] = [];
    for (let i = 0; i < names.length; i += 10) {
      const file = await readFile(path.join(dir, names[i] as string));
      const t = performance.now();
      await kernel.run(file, DEFAULT_PARAMS).catch(() => null);
      sampled.push(performance.now() - t);
    }
    const kernelSeconds = (sampled.reduce((a, b) => a + b, 0) / sampled.length / 1000) * names.length;
    rows.push(
      `Facet's kernel (WebAssembly), one core: ${kernelSeconds.toFixed(0)} s estimated from ${sampled.length} files (median ${median(sampled).toFixed(1)} ms), ${(kernelSeconds / nativeSeconds).toFixed(2)}x native`,
    );

    // 3. the platform, end to end
    say("starting the platform…");
    const { platform, env, key } = await startBenchPlatform(work);
    const db = await databaseOf(platform, "bench-scale");
    try {
      const tree = async () => processTree(platform.run.child.pid as number);
      // CPU of the platform's processes: live ones, and those that ended (geometry processes restarted)
      const seen = new Map<number, number>();
      const sampleCpu = async () => {
        for (const pid of await tree()) seen.set(pid, Math.max(seen.get(pid) ?? 0, await cpuSeconds(pid)));
      };
      await sampleCpu();
      const cpuBefore = sum(seen);
      const byRoleBefore = await platformCpu(platform);
      const peakMemory = new Map<string, number>();
      let peakTotal = 0;
      const timeline: { t: number; queued: number; running: number; done: number; failed: number }[] = [];
      const started = performance.now();
      // every 2 s (and once at the end): CPU, memory, the queue and the parts done
      const sample = async () => {
        await sampleCpu();
        const memory = await platformMemory(platform);
        for (const [role, bytes] of memory) peakMemory.set(role, Math.max(peakMemory.get(role) ?? 0, bytes));
        peakTotal = Math.max(peakTotal, sum(memory));
        const { rows: r } = await db.query<Omit<(typeof timeline)[number], "t">>(
          `select (select count(*)::int from jobs where status = 'queued') as queued,
                  (select count(*)::int from jobs where status = 'running') as running,
                  (select count(*)::int from parts where status not in ('uploaded', 'processing', 'failed')) as done,
                  (select count(*)::int from parts where status = 'failed') as failed`,
        );
        timeline.push({ ...(r[0] as Omit<(typeof timeline)[number], "t">), t: (performance.now() - started) / 1000 });
      };
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          await sample();
          await new Promise((res) => setTimeout(res, 2000));
        }
      })();

      say(`facet push of ${names.length} files…`);
      const reapedBefore = await reapedChildrenCpuSeconds();
      const push = {
        ...(await facet(["push", dir, "--dataset", "mfcad"], env)),
        cpu: (await reapedChildrenCpuSeconds()) - reapedBefore,
      };
      const pushed = push.summary.parts ?? names.length;
      say(`pushed in ${push.wall.toFixed(0)} s; waiting for every part to be pre-labelled…`);
      await waitUntil(
        "every part to be processed",
        async () =>
          (
            await db.query(
              "select count(*)::int as n from parts where status in ('uploaded', 'processing') or status is null",
            )
          ).rows[0].n === 0,
        6 * 3600_000,
        platform.run,
      );
      const wall = (performance.now() - started) / 1000;
      sampling = false;
      await sampler;
      await sample();
      const cpu = sum(seen) - cpuBefore;
      const byRoleAfter = await platformCpu(platform);
      const byRole = [...byRoleAfter]
        .map(([role, s]) => [role, s - (byRoleBefore.get(role) ?? 0)] as const)
        .sort((a, b) => b[1] - a[1]);
      const counts = (
        await db.query<{ status: string; n: number }>(
          "select status::text, count(*)::int as n from parts group by status order by status",
        )
      ).rows;
      const reasons = (
        await db.query<{ error: string; n: number }>(
          "select left(coalesce(error, '?'), 120) as error, count(*)::int as n from jobs where status = 'failed' group by 1 order by 2 desc limit 5",
        )
      ).rows;
      const dbBytes = (await db.query("select pg_database_size(current_database())::float8 as b")).rows[0].b as number;
      const storeBytes = (await sizeOf(platform.dataDir)) - (await sizeOf(path.join(platform.dataDir, "pg")));
      const perMinute = (pushed / wall) * 60;
      rows.push(
        `platform (npm start, ${cores} cores): push ${push.wall.toFixed(0)} s (${(names.length / push.wall).toFixed(0)} files/s, ${mb(push.summary.bytesUploaded ?? 0).toFixed(0)} MB sent); every part processed ${wall.toFixed(0)} s (${minutes(wall)}) after the push began`,
        `  parts: ${counts.map((c) => `${c.n} ${c.status}`).join(", ")}${reasons.length ? `; failures: ${reasons.map((r) => `${r.n}× ${r.error}`).join("; ")}` : ""}`,
        `  ${perMinute.toFixed(0)} parts/min, ${(perMinute / cores).toFixed(0)} parts/min per core (native: ${((names.length / nativeSeconds) * 60).toFixed(0)} per min on one core)`,
        `  time per core: ${(wall * cores).toFixed(0)} core-seconds = ${((wall * cores) / nativeSeconds).toFixed(2)}x the native pipeline's ${nativeSeconds.toFixed(0)} s (target ≤ 1.5x), ${((wall * cores) / kernelSeconds).toFixed(2)}x Facet's kernel alone`,
        `  CPU used by the platform's processes: ${cpu.toFixed(0)} s = ${(cpu / nativeSeconds).toFixed(2)}x native, ${(cpu / kernelSeconds).toFixed(2)}x the kernel alone; ${((cpu / pushed) * 1000).toFixed(0)} ms per part (live processes at the end: ${byRole.map(([r, s]) => `${r} ${((s / pushed) * 1000).toFixed(0)} ms`).join(", ")}; the facet CLI ${((push.cpu / pushed) * 1000).toFixed(0)} ms)`,
        `  database ${mb(dbBytes).toFixed(0)} MB, blob store ${mb(storeBytes).toFixed(0)} MB (${(storeBytes / bytes).toFixed(2)}x the STEP bytes)`,
        `  peak memory (proportional set size: a page shared by processes counted once): ${[...peakMemory]
          .sort((a, b) => b[1] - a[1])
          .map(([n, b]) => `${n} ${mb(b).toFixed(0)} MB`)
          .join(", ")}; the platform in all at its peak ${mb(peakTotal).toFixed(0)} MB`,
        `  queue: at most ${Math.max(...timeline.map((p) => p.queued))} jobs waiting, ${Math.max(...timeline.map((p) => p.running))} running at once; parts done by minute: ${timeline
          .filter(
            (p, i) => i === timeline.length - 1 || Math.floor(p.t / 60) !== Math.floor((timeline[i + 1]?.t ?? 0) / 60),
          )
          .map((p) => `${Math.ceil(p.t / 60)}:${p.done}`)
          .join(" ")}`,
      );

      // 4. the ML engineer's side on the full set
      say("catalog, snapshot, export…");
      // the catalog page's request: the first rows of a filter, with the count of all that match
      const catalogPage = async (query: string) =>
        (await (
          await fetch(new URL(`/api/workspaces/test-shop/catalog?dataset=mfcad&${query}`, platform.url), {
            headers: { authorization: `Bearer ${key}` },
          })
        ).json()) as { total: number | null; parts: { features: string[] }[] };
      const catalog = async (filter: string) => {
        const [page, s] = await time(() => catalogPage(`limit=50&${filter}`));
        return `${filter || "(no filter)"}: ${page.total} match, ${(s * 1000).toFixed(0)} ms`;
      };
      // a feature the pre-labels gave the part with the most faces, to filter by
      const feature = (await catalogPage("limit=1&sort=-faces")).parts[0]?.features[0] ?? "none";
      const queries = [];
      for (const f of [
        "",
        `has=${feature}&faces=10..40&sort=-added`,
        `count=${feature}>=2&q=1-`,
        "status=pre_labeled&sort=faces",
      ])
        queries.push(await catalog(f));
      const snap = await facet(["snapshot", "create", "mfcad-full", "--dataset", "mfcad"], env);
      const out = path.join(work, "export");
      const exp = await facet(["export", "--snapshot", "mfcad-full", "--format", "parquet", "--out", out], env);
      rows.push(
        `  catalog (first page of 50 and the count): ${queries.join("; ")}`,
        `  snapshot of ${snap.summary.partCount ?? "?"} parts, ${snap.summary.faceCount ?? "?"} faces: ${snap.wall.toFixed(1)} s with the CLI's start`,
        `  Parquet export: ${exp.wall.toFixed(1)} s, ${mb(exp.summary.size ?? (await sizeOf(out))).toFixed(0)} MB`,
      );
    } finally {
      await db.end();
      await platform.stop();
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  process.stdout.write(`\nbench:scale — ${machineLine()}\n${rows.join("\n")}\n`);
}

await main();
