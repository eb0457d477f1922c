/**
 * The launcher's database (a supervised embedded PostgreSQL): in a process group of its own, so that
 * a terminal's Ctrl+C reaches the launcher only (which stops the web app and worker first), and
 * stopped when its owner exits without stopping it.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { portInUse, startEmbeddedPostgres } from "./embedded";
import { isProcessAlive } from "./process";
import { freePort, REPO_ROOT } from "./testing/paths";

let dir: string;
const started: string[] = [];

/** The postmaster's pid, from its data folder (null once it stopped and removed the file). */
async function postmasterPid(dataDir: string): Promise<number | null> {
  const text = await readFile(path.join(dataDir, "postmaster.pid"), "utf8").catch(() => null);
  return text === null ? null : Number(text.split("\n")[0]);
}

/** A process's group, from /proc/<pid>/stat (the field after the state). */
async function processGroup(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
}

async function until(cond: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return cond();
}

afterAll(async () => {
  // a failed test may leave a server: stopped here, never left running
  for (const dataDir of started) {
    const pid = await postmasterPid(dataDir);
    if (pid && isProcessAlive(pid)) process.kill(pid, "SIGQUIT");
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("a supervised embedded PostgreSQL (the launcher's)", () => {
  it("leads a process group of its own: the terminal's Ctrl+C to its owner's group does not reach it", async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "facet-supervised-"));
    const dataDir = path.join(dir, "own-group");
    const port = await freePort();
    started.push(dataDir);
    const server = await startEmbeddedPostgres({
      dataDir,
      port,
      password: "supervised",
      database: "facet",
      logFile: `${dataDir}.log`,
      supervise: () => {},
    });
    try {
      const pid = (await postmasterPid(dataDir)) as number;
      expect(await processGroup(pid)).toBe(pid);
      expect(await processGroup(pid)).not.toBe(await processGroup(process.pid));
    } finally {
      await server.stop();
    }
    expect(await portInUse(port)).toBe(false);
    expect(await postmasterPid(dataDir)).toBeNull();
  }, 120_000);

  it("is stopped when its owner exits without stopping it (an uncaught error)", async () => {
    const dataDir = path.join(dir, "owner-crashed");
    const port = await freePort();
    started.push(dataDir);
    const script = path.join(dir, "owner.mts");
    await writeFile(
      script,
      `import { startEmbeddedPostgres } from ${JSON.stringify(pathToFileURL(path.join(REPO_ROOT, "packages/db/src/embedded.ts")).href)};
await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, port: ${port}, password: "supervised",
  database: "facet", logFile: ${JSON.stringify(`${dataDir}.log`)}, supervise: () => {} });
console.log("ready");
setTimeout(() => { throw new Error("an uncaught error"); }, 100);
`,
    );
    const owner = spawn(process.execPath, ["--import", "tsx", script], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    owner.stdout.on("data", (d) => {
      out += d;
    });
    owner.stderr.on("data", (d) => {
      out += d;
    });
    const code = await new Promise<number | null>((r) => owner.once("exit", (c) => r(c)));
    expect(out).toContain("ready");
    expect(out).toContain("an uncaught error");
    expect(code).not.toBe(0);
    // the server it started does not stay behind as an orphan holding the port and the data folder
    expect(await until(async () => !(await portInUse(port)) && (await postmasterPid(dataDir)) === null, 20_000)).toBe(
      true,
    );
  }, 120_000);
});
