import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { isProcessAlive } from "@facet/db/process";
import { freePort } from "@facet/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PlatformRun, startFacet, waitUntil } from "./testing";

/**
 * `npm start` as a person runs it, on a fresh data folder: healthy platform, clean Ctrl+C,
 * data kept across restarts, recovery after the launcher is killed, one launcher per folder.
 */

type Run = PlatformRun;

const ADMIN = { email: "founder@example.test", password: "a long enough password" };

async function health(port: number): Promise<{ status: string; checks: Record<string, { status: string }> } | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/api/health`);
    return (await res.json()) as { status: string; checks: Record<string, { status: string }> };
  } catch {
    return null;
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: "127.0.0.1" });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

async function signIn(port: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/api/auth/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(ADMIN),
  });
  return res.status;
}

describe("npm start", () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let port: number;
  let pgPort: number;
  let current: Run | null = null;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "facet-platform-"));
    port = await freePort();
    pgPort = await freePort();
    env = {
      PORT: String(port),
      FACET_PG_PORT: String(pgPort),
      FACET_DATA_DIR: dataDir,
      FACET_ADMIN_EMAIL: ADMIN.email,
      FACET_ADMIN_PASSWORD: ADMIN.password,
      FACET_WORKSPACE_NAME: "Platform test",
    };
  });

  afterAll(async () => {
    if (current && current.child.exitCode === null) {
      current.child.kill("SIGINT");
      await current.exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it("starts on a fresh data folder, creates the admin from the environment and reaches a healthy /api/health", async () => {
    current = startFacet(env);
    await waitUntil("a healthy platform", async () => (await health(port))?.status === "ok", 240_000, current);
    const h = await health(port);
    expect(h).toEqual({
      status: "ok",
      checks: {
        database: expect.objectContaining({ status: "ok" }),
        storage: expect.objectContaining({ status: "ok" }),
        worker: expect.objectContaining({ status: "ok" }),
      },
      // a fresh installation's files were never verified (facet verify, the weekly job)
      verify: { status: "never", lastRunAt: null },
    });
    expect(current.output()).toContain(`created the first admin ${ADMIN.email}`);
    expect(await signIn(port)).toBe(200);
  });

  it("refuses a second launcher on the same data folder with a clear message", async () => {
    const second = startFacet({ ...env, PORT: String(await freePort()) });
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/Facet is already running from .* \(pid \d+/);
  });

  it("stops cleanly on Ctrl+C (SIGINT): exit 0, database stopped, ports free", async () => {
    const run = current as Run;
    run.child.kill("SIGINT");
    expect(await run.exited).toBe(0);
    expect(run.output()).toContain("stopped.");
    expect(existsSync(path.join(dataDir, "pg", "postmaster.pid"))).toBe(false);
    expect(existsSync(path.join(dataDir, "facet.pid"))).toBe(false);
    expect(await portOpen(port)).toBe(false);
    expect(await portOpen(pgPort)).toBe(false);
  });

  it("keeps data across a restart, and the second start is quick and migrates nothing", async () => {
    const started = Date.now();
    current = startFacet(env);
    await waitUntil("a healthy platform", async () => (await health(port))?.status === "ok", 120_000, current);
    expect(current.output()).toContain("schema is up to date");
    expect(current.output()).not.toContain("Installing dependencies");
    expect(current.output()).not.toContain("Building the web app");
    expect(current.output()).not.toContain("created the first admin");
    expect(await signIn(port)).toBe(200);
    expect(Date.now() - started).toBeLessThan(120_000);
  });

  it("recovers after the launcher is killed (orphan postgres, web and worker, stale pid files)", async () => {
    const run = current as Run;
    const pids = JSON.parse(await readFile(path.join(dataDir, "facet.pid"), "utf8")) as { children: number[] };
    const pgPid = Number((await readFile(path.join(dataDir, "pg", "postmaster.pid"), "utf8")).split("\n")[0]);
    run.child.kill("SIGKILL");
    await run.exited;
    expect(isProcessAlive(pgPid)).toBe(true); // the orphan a crash leaves behind
    current = startFacet(env);
    const next = current;
    // the orphaned web server still answers until the new launcher stops it: wait for the launcher
    await waitUntil("the new launcher to be up", () => next.output().includes("Facet is running at"), 180_000, next);
    expect((await health(port))?.status).toBe("ok");
    expect(current.output()).toMatch(/did not stop cleanly|from a previous run/);
    expect(isProcessAlive(pgPid)).toBe(false);
    for (const pid of pids.children) expect(isProcessAlive(pid)).toBe(false);
    expect(await signIn(port)).toBe(200);
  });

  it("trusts no X-Forwarded-For without a configured proxy: forged addresses do not escape the per-address limit", async () => {
    // (at the end: it spends this machine's budget of wrong passwords for a quarter of an hour)
    const attempt = (i: number) =>
      fetch(`http://127.0.0.1:${port}/api/auth/sign-in`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-forwarded-for": `203.0.113.${i}`,
          "x-real-ip": `203.0.113.${i}`,
        },
        body: JSON.stringify({ email: `sprayed-${i}@example.test`, password: "Winter2026!" }),
      });
    // 50 wrong passwords per address (FACET_RATE_LIMIT_SIGN_IN_ADDRESS), each "from" another address
    for (let i = 1; i <= 50; i++) expect((await attempt(i)).status).toBe(401);
    const refused = await attempt(51);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("a Ctrl+C in the terminal (SIGINT to its whole process group) stops the web app and worker before the database", async () => {
    // a terminal signals every process of its foreground group at once: a database in that group
    // shut down under the worker's and web app's last statements
    const previous = current as Run;
    previous.child.kill("SIGINT");
    await previous.exited;
    const run = startFacet(env, { ownGroup: true });
    current = run;
    await waitUntil("a healthy platform", async () => (await health(port))?.status === "ok", 120_000, run);
    const logs = path.join(dataDir, "logs");
    const read = (name: string) => readFile(path.join(logs, name), "utf8");
    const before = { worker: (await read("worker.log")).length, web: (await read("web.log")).length };
    process.kill(-(run.child.pid as number), "SIGINT");
    expect(await run.exited).toBe(0);
    expect(run.output()).toContain("stopped.");
    const worker = (await read("worker.log")).slice(before.worker);
    const web = (await read("web.log")).slice(before.web);
    expect(worker).toContain("stopping");
    expect(worker).not.toContain("terminating connection due to administrator command");
    expect(web).not.toContain("terminating connection due to administrator command");
    expect(existsSync(path.join(dataDir, "pg", "postmaster.pid"))).toBe(false);
    expect(await portOpen(pgPort)).toBe(false);
  });
});
