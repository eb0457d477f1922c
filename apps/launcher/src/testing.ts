import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { freePort, REPO_ROOT } from "@facet/db/testing";

/** `npm start` as a child process, for tests that need the whole platform. */
export interface PlatformRun {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

export function startFacet(env: Record<string, string | undefined>): PlatformRun {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, "scripts/start.mjs")], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
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
export async function startPlatform(admin: { email: string; password: string }): Promise<Platform> {
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
