import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createPool, type Pool } from "@facet/db";
import { freePort, REPO_ROOT } from "@facet/db/testing";

/** `npm start` as a child process, for tests that need the whole platform. */
export interface PlatformRun {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

export function startFacet(
  env: Record<string, string | undefined>,
  /** ownGroup: in a process group of its own, as a terminal runs it (`process.kill(-pid, ...)` is a Ctrl+C) */
  options: { ownGroup?: boolean } = {},
): PlatformRun {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, "scripts/start.mjs")], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: options.ownGroup ?? false,
  });
  let out = "";
  child.stdout?.on("data", (d) => {
    out += d;
  });
  child.stderr?.on("data", (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return { child, output: () => out, exited };
}

export async function waitUntil(what: string, cond: () => Promise<boolean> | boolean, ms: number, run?: PlatformRun) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    if (run && run.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}\n${run?.output().slice(-3000) ?? ""}`);
}

export interface Platform {
  url: string;
  port: number;
  /** The embedded PostgreSQL's port (superuser password in `<dataDir>/secrets.json`). */
  pgPort: number;
  dataDir: string;
  run: PlatformRun;
  stop(): Promise<void>;
}

/** A running platform on a fresh data folder and free ports, with a first admin. */
export async function startPlatform(
  admin: { email: string; password: string },
  /** More settings (limits raised for a load test, …). */
  extraEnv: Record<string, string> = {},
): Promise<Platform> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "facet-platform-"));
  const port = await freePort();
  const pgPort = await freePort();
  const run = startFacet({
    PORT: String(port),
    FACET_PG_PORT: String(pgPort),
    FACET_DATA_DIR: dataDir,
    FACET_ADMIN_EMAIL: admin.email,
    FACET_ADMIN_PASSWORD: admin.password,
    FACET_WORKSPACE_NAME: "Test Shop",
    ...extraEnv,
  });
  await waitUntil("the platform", () => run.output().includes("Facet is running at"), 240_000, run);
  return {
    url: `http://localhost:${port}`,
    port,
    pgPort,
    dataDir,
    run,
    async stop() {
      if (run.child.exitCode === null) {
        run.child.kill("SIGINT");
        await run.exited;
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** An API token of the platform's first admin (`POST /api/auth/token`). */
export async function adminToken(platform: Platform, admin: { email: string; password: string }): Promise<string> {
  const res = await fetch(new URL("/api/auth/token", platform.url), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(admin),
  });
  return ((await res.json()) as { key: string }).key;
}

/**
 * A STEP file into a new dataset of the test workspace, the way the CLI uploads it (begin, PUT to the
 * signed URL, complete); the part's id.
 */
export async function uploadToNewDataset(
  platform: Platform,
  token: string,
  dataset: string,
  file: { name: string; bytes: Buffer },
): Promise<{ partId: string; sha256: string }> {
  const ws = new URL("/api/workspaces/test-shop/", platform.url);
  const post = async (p: string, body: unknown) =>
    (await (
      await fetch(new URL(p, ws), {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      })
    ).json()) as Record<string, unknown>;
  await post("datasets", { name: dataset });
  const sha256 = createHash("sha256").update(file.bytes).digest("hex");
  const declared = { name: file.name, size: file.bytes.length, sha256 };
  const begun = (await post(`datasets/${dataset}/uploads`, { files: [declared] })) as {
    files: Array<{ status: string; put?: { url: string }; part?: { id: string } }>;
  };
  const answer = begun.files[0];
  // bytes the platform holds already (another dataset's part): linked, nothing to send
  if (answer?.part && answer.status !== "upload") return { partId: answer.part.id, sha256 };
  const put = await fetch(answer?.put?.url as string, { method: "PUT", body: new Uint8Array(file.bytes) });
  if (put.status !== 201) throw new Error(`the upload's PUT answered ${put.status}`);
  const done = (await post(`datasets/${dataset}/uploads/complete`, declared)) as { part: { id: string } };
  return { partId: done.part.id, sha256 };
}

/** A pool on the platform's embedded database as its superuser, to check what it holds. */
export async function databaseOf(platform: Platform, applicationName: string): Promise<Pool> {
  const { pgPassword } = JSON.parse(await readFile(path.join(platform.dataDir, "secrets.json"), "utf8")) as {
    pgPassword: string;
  };
  return createPool(`postgres://postgres:${encodeURIComponent(pgPassword)}@127.0.0.1:${platform.pgPort}/facet`, {
    max: 2,
    applicationName,
  });
}

const TICK = 100; // USER_HZ (`getconf CLK_TCK`) on Linux

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat; 0 when it is gone. */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
  if (!stat) return 0;
  // the fields after the command name (which may hold spaces), in parentheses
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / TICK;
}

/** CPU seconds of the children this process has waited for (cutime + cstime of /proc/self/stat). */
export async function reapedChildrenCpuSeconds(): Promise<number> {
  const stat = await readFile("/proc/self/stat", "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[13]) + Number(f[14])) / TICK;
}

/** The process ids under `root` (itself included), from /proc. */
export async function processTree(root: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, "utf8").catch(() => null);
    if (stat) parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const [pid, parent] of parents) if (parent === out[i]) out.push(pid);
  return out;
}

/** What a process of the platform is, from its command line: web, worker, geometry, postgres or launcher. */
async function roleOf(pid: number): Promise<string> {
  const cmd = (await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "")).replaceAll("\0", " ");
  if (cmd.includes("geometry/host")) return "geometry";
  if (cmd.includes("workers/src/")) return "worker";
  if (cmd.includes("apps/web/")) return "web";
  if (cmd.includes("postgres")) return "postgres";
  return "launcher";
}

/** `measure` of every process of the platform, added up by kind (all PostgreSQL backends as one, every geometry process as one). */
async function perRole(platform: Platform, measure: (pid: number) => Promise<number>): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const pid of await processTree(platform.run.child.pid as number)) {
    const role = await roleOf(pid);
    out.set(role, (out.get(role) ?? 0) + (await measure(pid)));
  }
  return out;
}

/** CPU seconds used so far by each kind of the platform's processes: two readings subtracted say where a period's CPU went. */
export function platformCpu(platform: Platform): Promise<Map<string, number>> {
  return perRole(platform, cpuSeconds);
}

/**
 * Memory now of each kind of the platform's processes, in bytes: proportional set size (a page shared by
 * n processes counts 1/n in each), so PostgreSQL's shared buffers, mapped by every backend, count once
 * in the sum, as the resident size would not; the resident size where the kernel has no smaps_rollup.
 */
export function platformMemory(platform: Platform): Promise<Map<string, number>> {
  return perRole(platform, async (pid) => {
    const rollup = await readFile(`/proc/${pid}/smaps_rollup`, "utf8").catch(() => "");
    const pss = /^Pss:\s+(\d+) kB/m.exec(rollup)?.[1];
    if (pss !== undefined) return Number(pss) * 1024;
    const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  });
}
