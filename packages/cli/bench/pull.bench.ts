/**
 * `npx pnpm bench:pull`: `facet pull` of 10,000 small STEP files against a real platform (`npm start`
 * on a fresh folder), next to what the same work costs without HTTP (the disk-only baseline) and
 * without the disk (round trips only; the same bodies over HTTP, discarded), and the API pages pull
 * reads. Prints wall and CPU time of the CLI, the web server and the rest of the platform, ratios
 * and where the time goes; never fails on a number.
 *
 * The 10,000 parts are made without the upload API and the worker (minutes of work that is not what
 * is measured): generated files written into the platform's filesystem blob store at their content
 * addresses, and their rows (blobs, workspace_blobs, parts approved, one label revision each)
 * inserted by the database owner in a few set-based statements; no job is queued. The snapshot is
 * frozen by `facet snapshot create`, as a user does.
 *
 * Dropping the page cache needs root; every figure is measured warm (the files were just written or
 * read): what is measured is the work above the page cache, not the device.
 */
import { createHash } from "node:crypto";
import { renameSync, writeFileSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { blobKey } from "@facet/core";
import { createPool } from "@facet/db";
import { platformOwnerUrl } from "@facet/db/testing";
import { eachLimit, sha256File } from "../src/files";
import { apiClient } from "../src/testing";
import {
  ADMIN,
  cpuSeconds,
  facetJson,
  machineLine,
  mb,
  processTree,
  reapedChildrenCpuSeconds,
  startBenchPlatform,
  time,
} from "./platform";

const FILES = Number(process.env.FACET_BENCH_PULL_FILES ?? 10_000);
const CONCURRENCY = 8; // facet pull's default
const PAGE = 500; // the page pull asks for
const WS = "test-shop";
const say = (m: string) => process.stderr.write(`${m}\n`);

interface Part {
  partId: string;
  name: string;
  blobSha256: string;
  split: string | null;
  document?: unknown;
  download?: { url: string; headers: Record<string, string> };
}

/** A small ISO-10303-21 file, 20–60 KB, different bytes for every `i`. */
function stepFile(i: number, pool: string): string {
  const size = 20_000 + ((i * 7919) % 40_000);
  const header = `ISO-10303-21;
HEADER;
FILE_DESCRIPTION(('facet pull bench part ${i}'),'2;1');
FILE_NAME('gen-${i}.step','2026-12-06T00:00:00',('facet'),(''),'facet bench','facet','');
FILE_SCHEMA(('AUTOMOTIVE_DESIGN { 1 0 10303 214 1 1 1 1 }'));
ENDSEC;
DATA;
`;
  const offset = (i * 104_729) % (pool.length - 60_000);
  const body = pool.slice(offset, offset + size - header.length);
  return `${header}${body.slice(0, body.lastIndexOf("\n") + 1)}ENDSEC;\nEND-ISO-10303-21;\n`;
}

function linePool(): string {
  const lines: string[] = [];
  let n = 1;
  let x = 0.5;
  while (lines.length < 12_000) {
    x = (x * 9301 + 49297) % 233280;
    lines.push(
      `#${n++}=CARTESIAN_POINT('',(${(x / 1000).toFixed(4)},${((x * 7) % 1000).toFixed(3)},${((x * 13) % 97).toFixed(2)}));`,
      `#${n++}=DIRECTION('',(0.,0.,1.));`,
      `#${n++}=AXIS2_PLACEMENT_3D('',#${n - 3},#${n - 2},#${n - 2});`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** Writes FILES generated files into the store and their rows; the dataset's name. */
async function generate(dataDir: string, pgPort: number, dataset: string, count: number, tiny = false) {
  const pool = createPool(platformOwnerUrl(dataDir, pgPort), { max: 2, applicationName: "bench-pull" });
  pool.on("error", () => undefined);
  try {
    const lines = linePool();
    const shas: string[] = [];
    const sizes: number[] = [];
    await eachLimit(
      Array.from({ length: count }, (_, i) => i),
      16,
      async (i) => {
        const text = tiny ? `ISO-10303-21;\n/* tiny ${dataset} */\nEND-ISO-10303-21;\n` : stepFile(i, lines);
        const sha = createHash("sha256").update(text).digest("hex");
        const file = path.join(dataDir, blobKey(sha));
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, text);
        await writeFile(`${file}.sha256`, sha); // the store's sidecar, as FsBlobStore.put leaves it
        shas[i] = sha;
        sizes[i] = Buffer.byteLength(text);
      },
    );
    const ids = (
      await pool.query<{ ws: string; ds: string; admin: string; schema: string }>(
        `select w.id as ws, d.id as ds, d.label_schema_id as schema,
                (select id from auth.users where email = $3) as admin
         from public.workspaces w join public.datasets d on d.workspace_id = w.id
         where w.slug = $1 and d.name = $2`,
        [WS, dataset, ADMIN.email],
      )
    ).rows[0];
    if (!ids) throw new Error(`no dataset ${dataset} in ${WS}`);
    await pool.query(
      `insert into public.blobs (sha256, size, storage_key, verified_at)
       select s, z, 'blobs/sha256/' || substr(s, 1, 2) || '/' || substr(s, 3, 2) || '/' || s, now()
       from unnest($1::text[], $2::bigint[]) t(s, z)`,
      [shas, sizes],
    );
    await pool.query(
      `insert into public.workspace_blobs (workspace_id, sha256, proven_by) select $1, s, $2 from unnest($3::text[]) s`,
      [ids.ws, ids.admin, shas],
    );
    await pool.query(
      `insert into public.parts (workspace_id, dataset_id, blob_sha256, name, status, created_by)
       select $1, $2, s, 'gen-' || lpad(i::text, 5, '0') || '.step', 'approved', $3
       from unnest($4::text[]) with ordinality t(s, i)`,
      [ids.ws, ids.ds, ids.admin, shas],
    );
    await pool.query(
      `insert into public.annotation_revisions (part_id, revision_no, author_id, label_schema_id, face_signature,
         document, source)
       select p.id, 1, $2, $3, 'sig-' || left(p.blob_sha256, 16),
              jsonb_build_object('schemaVersion', 1, 'faceSignature', 'sig-' || left(p.blob_sha256, 16),
                'faceCount', n.n, 'labels', l.labels, 'instances', '[]'::jsonb),
              'human'
       from public.parts p,
       lateral (select 10 + abs(hashtext(p.blob_sha256)) % 40 as n) n,
       lateral (select jsonb_agg(case when f % 7 = 3 then 'blind_hole' when f % 11 = 5 then 'chamfer' else 'stock' end
                                 order by f) as labels
                from generate_series(0, n.n - 1) f) l
       where p.dataset_id = $1`,
      [ids.ds, ids.admin, ids.schema],
    );
    return sizes.reduce((a, b) => a + b, 0);
  } finally {
    await pool.end();
  }
}

/** Every part of a snapshot page by page, as pull reads them; the time of each page. */
async function pages(call: ReturnType<typeof apiClient>, snapshot: string, withExtras: boolean) {
  const parts: Part[] = [];
  const seconds: number[] = [];
  let after: string | null = null;
  do {
    const q = new URLSearchParams({ limit: String(PAGE) });
    if (withExtras) {
      q.set("documents", "1");
      q.set("urls", "1");
    }
    if (after) q.set("after", after);
    const [r, s] = await time(() =>
      call<{ parts: Part[]; next: string | null }>("GET", `/api/workspaces/${WS}/snapshots/${snapshot}/parts?${q}`),
    );
    if (r.status !== 200) throw new Error(`parts page: ${r.status} ${JSON.stringify(r.body)}`);
    parts.push(...r.body.parts);
    seconds.push(s);
    after = r.body.next;
  } while (after);
  return { parts, seconds };
}

/** GETs through node:http with an agent configured as pull's (keep-alive, 64 sockets), bodies discarded. */
async function getAll(urls: string[]): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let bytes = 0;
  try {
    await eachLimit(urls, CONCURRENCY, (url) => {
      return new Promise<void>((resolve, reject) => {
        http
          .get(url, { agent }, (res) => {
            if (res.statusCode !== 200) reject(new Error(`GET ${url}: ${res.statusCode}`));
            res.on("data", (c: Buffer) => {
              bytes += c.length;
            });
            res.on("end", resolve);
            res.on("error", reject);
          })
          .on("error", reject);
      });
    });
  } finally {
    agent.destroy();
  }
  return bytes;
}

/**
 * What pull does on the disk for each part, without HTTP: list the folder once (a file that was not
 * there is not looked for), read the blob from the store (where pull receives it), hash it, write it
 * to a temporary name in one call, rename; then the labels file (temporary name, rename). The writes
 * and renames are synchronous calls, as pull makes them; pull does not fsync: neither does this.
 */
async function diskOnly(dataDir: string, parts: Part[], out: string): Promise<number> {
  let bytes = 0;
  const dir = path.join(out, "unsplit");
  await mkdir(dir, { recursive: true });
  const had = new Set(await readdir(dir));
  await eachLimit(parts, CONCURRENCY, async (p) => {
    const step = path.join(dir, `${p.blobSha256}.step`);
    if (had.has(`${p.blobSha256}.step`) && (await sha256File(step)) === p.blobSha256) return;
    const body = await readFile(path.join(dataDir, blobKey(p.blobSha256)));
    bytes += body.length;
    if (createHash("sha256").update(body).digest("hex") !== p.blobSha256) throw new Error(`hash of ${p.name} differs`);
    const tmp = `${step}.${Math.random().toString(16).slice(2, 14)}.partial`;
    writeFileSync(tmp, body);
    renameSync(tmp, step);
    const labels = `${JSON.stringify({ partId: p.partId, name: p.name, document: p.document ?? null }, null, 2)}\n`;
    const name = `${p.blobSha256}.labels.json`;
    const file = path.join(dir, name);
    if (!had.has(name) || (await readFile(file, "utf8").catch(() => null)) !== labels) {
      const t = `${file}.${Math.random().toString(16).slice(2, 14)}.partial`;
      writeFileSync(t, labels);
      renameSync(t, file);
    }
  });
  return bytes;
}

interface Row {
  step: string;
  wall: number;
  files: number;
  bytes: number;
  clientCpu: number;
  webCpu: number;
  restCpu: number;
}

async function main() {
  const dir = await mkdtemp(path.join(os.tmpdir(), "facet-bench-pull-"));
  say("starting the platform…");
  const { platform, env, key } = await startBenchPlatform(dir);
  const rows: Row[] = [];
  const notes: string[] = [];
  try {
    const call = apiClient(platform.url, key);
    const { children } = JSON.parse(await readFile(path.join(platform.dataDir, "facet.pid"), "utf8")) as {
      children: number[];
    };
    let webPid = 0;
    for (const pid of children)
      if ((await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "")).includes("apps/web/server")) webPid = pid;
    const launcherPid = platform.run.child.pid as number;
    /** CPU seconds of the web server and of the rest of the platform (database, worker, launcher). */
    const platformCpu = async () => {
      const web = await cpuSeconds(webPid);
      let all = 0;
      for (const pid of await processTree(launcherPid)) all += await cpuSeconds(pid);
      return { web, rest: all - web };
    };
    /** Runs `fn`, recording wall time and CPU of this process + its reaped children, the web server, the rest. */
    const measure = async (step: string, files: number, fn: () => Promise<number>) => {
      const [p0, c0, s0] = [await platformCpu(), await reapedChildrenCpuSeconds(), process.cpuUsage()];
      const [bytes, wall] = await time(fn);
      const s1 = process.cpuUsage(s0);
      const [p1, c1] = [await platformCpu(), await reapedChildrenCpuSeconds()];
      const row = {
        step,
        wall,
        files,
        bytes,
        clientCpu: c1 - c0 + (s1.user + s1.system) / 1e6,
        webCpu: p1.web - p0.web,
        // approximate: a database backend that exits between the two readings takes its CPU with it
        restCpu: Math.max(0, p1.rest - p0.rest),
      };
      rows.push(row);
      say(`  ${step}: ${wall.toFixed(2)} s`);
      return row;
    };

    // ---- the parts ----
    for (const name of ["pull-bench", "pull-bench-tiny"]) {
      const r = await call("POST", `/api/workspaces/${WS}/datasets`, { name });
      if (r.status !== 201 && r.status !== 200)
        throw new Error(`dataset ${name}: ${r.status} ${JSON.stringify(r.body)}`);
    }
    say(`writing ${FILES} generated STEP files into the store and their rows…`);
    const [total, genSeconds] = await time(() => generate(platform.dataDir, platform.pgPort, "pull-bench", FILES));
    await generate(platform.dataDir, platform.pgPort, "pull-bench-tiny", 1, true);
    notes.push(
      `${FILES} generated parts, ${mb(total).toFixed(1)} MB (${(total / FILES / 1000).toFixed(1)} KB each on average), written and inserted in ${genSeconds.toFixed(1)} s`,
    );
    const [frozen, freezeSeconds] = await time(() =>
      facetJson(["snapshot", "create", "bench", "--dataset", "pull-bench"], env),
    );
    await facetJson(["snapshot", "create", "tiny", "--dataset", "pull-bench-tiny"], env);
    notes.push(
      `facet snapshot create of ${JSON.stringify((frozen.summary as unknown as { snapshot?: { partCount?: number } }).snapshot?.partCount ?? frozen.summary.partCount)} parts: ${freezeSeconds.toFixed(2)} s wall (CLI start included)`,
    );

    // ---- e. the pages pull reads ----
    say("e. paging…");
    let listed: Part[] = [];
    let pageSeconds: number[] = [];
    await measure(`e. API pages of ${PAGE}, documents + URLs`, FILES, async () => {
      const r = await pages(call, "bench", true);
      listed = r.parts;
      pageSeconds = r.seconds;
      return 0;
    });
    let plainSeconds: number[] = [];
    await measure(`e'. API pages of ${PAGE}, rows only`, FILES, async () => {
      const r = await pages(call, "bench", false);
      plainSeconds = r.seconds;
      return 0;
    });
    if (listed.length !== FILES) notes.push(`!! the pages listed ${listed.length} parts, not ${FILES}`);
    const perPage = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      return `median ${((s[Math.floor(s.length / 2)] ?? 0) * 1000).toFixed(0)} ms, max ${((s.at(-1) ?? 0) * 1000).toFixed(0)} ms`;
    };
    notes.push(
      `pages of ${PAGE} with documents + URLs: ${pageSeconds.length} pages, ${perPage(pageSeconds)} per page; rows only: ${perPage(plainSeconds)}`,
    );

    // ---- d. round trips only; d'. the same bodies over HTTP, discarded ----
    const tiny = await pages(call, "tiny", true);
    const tinyUrl = tiny.parts[0]?.download?.url as string;
    say("d. round trips…");
    await measure("d. round trips: GET of a 50 B object", FILES, () => getAll(Array(FILES).fill(tinyUrl)));
    await measure("d'. HTTP only: the same GETs, bodies discarded", FILES, () =>
      getAll(listed.map((p) => p.download?.url as string)),
    );

    // ---- c. the disk only ----
    say("c. disk only…");
    const diskOut = path.join(dir, "disk-only");
    const disk = await measure("c. disk only: hash, temp, rename (+labels)", FILES, () =>
      diskOnly(platform.dataDir, listed, diskOut),
    );
    await rm(diskOut, { recursive: true, force: true });

    // ---- a. facet pull, all new; b. again, all present ----
    say("a. facet pull…");
    const out = path.join(dir, "pulled");
    let pulled: Record<string, number> = {};
    const pull = await measure("a. facet pull (all new)", FILES, async () => {
      pulled = (await facetJson(["pull", "--snapshot", "bench", "--out", out], env)).summary;
      return pulled.bytesDownloaded ?? 0;
    });
    if (pulled.downloaded !== FILES || pulled.failed !== 0)
      notes.push(`!! pull: ${pulled.downloaded} downloaded, ${pulled.failed} failed`);
    let again: Record<string, number> = {};
    await measure("b. facet pull again (all present)", FILES, async () => {
      again = (await facetJson(["pull", "--snapshot", "bench", "--out", out], env)).summary;
      return again.bytesDownloaded ?? 0;
    });
    notes.push(
      `second pull: ${again.downloaded} downloaded, ${again.present} present, ${again.bytesDownloaded} bytes transferred`,
    );

    // ---- the table ----
    const fmt = (r: Row) =>
      `${r.step.padEnd(48)} ${r.wall.toFixed(2).padStart(7)} ${(r.files / r.wall).toFixed(0).padStart(8)} ${(r.bytes > 1000 ? mb(r.bytes / r.wall).toFixed(1) : "-").padStart(7)} ${r.clientCpu.toFixed(2).padStart(9)} ${r.webCpu.toFixed(2).padStart(8)} ${r.restCpu.toFixed(2).padStart(9)}`;
    const head = `${"step".padEnd(48)} ${"wall s".padStart(7)} ${"files/s".padStart(8)} ${"MB/s".padStart(7)} ${"client s".padStart(9)} ${"web s".padStart(8)} ${"db+rest s".padStart(9)}`;
    const get = (prefix: string) => rows.find((r) => r.step.startsWith(prefix)) as Row;
    const rt = get("d.");
    const httpOnly = get("d'.");
    const listing = get("e.");
    const cores = os.cpus().length;
    const busy = (r: Row) => (r.clientCpu + r.webCpu + r.restCpu) / (r.wall * cores);
    const ms = (seconds: number) => ((seconds / FILES) * 1000).toFixed(2);
    const perFile = (pull.clientCpu + pull.webCpu + pull.restCpu) / FILES;
    const where = [
      `pull ${pull.wall.toFixed(1)} s = ${(pull.wall / disk.wall).toFixed(1)}x the disk work alone (${disk.wall.toFixed(1)} s),`,
      `${(pull.wall / httpOnly.wall).toFixed(1)}x the same transfers over HTTP with no disk (${httpOnly.wall.toFixed(1)} s),`,
      `${(pull.wall / rt.wall).toFixed(1)}x bare round trips (${rt.wall.toFixed(1)} s); paging ${listing.wall.toFixed(1)} s, overlapped with the downloads.`,
      `CPU per file during pull: CLI ${ms(pull.clientCpu)} ms, web server ${ms(pull.webCpu)} ms, database+rest ${ms(pull.restCpu)} ms`,
      `(web server per GET: ${ms(httpOnly.webCpu)} ms with a 40 KB body, ${ms(rt.webCpu)} ms with 50 B; the disk work alone: ${ms(disk.clientCpu)} ms in one process)`,
      `= ${(perFile * 1000).toFixed(1)} ms of CPU per file, at least ${((perFile * FILES) / cores).toFixed(1)} s on ${cores} idle cores;`,
      `pull got ${(busy(pull) * 100).toFixed(0)}% of the ${cores} cores for ${pull.wall.toFixed(1)} s, the rest went to the machine's other load.`,
    ];
    process.stdout.write(
      [
        "",
        `bench:pull — ${machineLine()}`,
        "page cache warm (dropping it needs root): the store's files were just written, so no figure includes the device's reads",
        ...notes.map((n) => `  ${n}`),
        "",
        head,
        ...rows.map(fmt),
        "",
        `client s: CPU of the facet process (a, b) or of this process (c, d, e); web s: the web server's; db+rest s: PostgreSQL, worker, launcher`,
        `ratios: pull/disk-only ${(pull.wall / disk.wall).toFixed(2)}x · pull/round-trips ${(pull.wall / rt.wall).toFixed(2)}x · pull/HTTP-only ${(pull.wall / httpOnly.wall).toFixed(2)}x`,
        `where the time goes: ${where.join(" ")}`,
        "",
      ].join("\n"),
    );
  } finally {
    await platform.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
