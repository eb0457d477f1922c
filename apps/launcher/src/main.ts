import { renameSync, writeFileSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { EmbeddedAuthProvider, hasAnyUser, setUpFirstAdmin } from "@facet/auth";
import { createPool, migrate } from "@facet/db";
import { startEmbeddedPostgres, takeOverShutdownSignals } from "@facet/db/embedded";
import { installationLayout, loadOrCreateSecrets } from "@facet/db/installation";
import { isProcessAlive } from "@facet/db/process";
import { migrateJobQueue } from "@facet/jobs/graphile-worker";
import { parseLauncherEnv } from "./env";
import { acquireLock } from "./pid-lock";
import { Supervised } from "./supervisor";

/** The repository's root: this file is apps/launcher/src/main.ts. */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const WATCHDOG = new URL("./parent-watchdog.mjs", import.meta.url).href;
const say = (m: string) => process.stdout.write(`facet: ${m}\n`);

async function stopOrphanChildren(dataDir: string) {
  // A launcher that was SIGKILLed leaves its web and worker processes behind: stop them.
  const previous = await readFile(path.join(dataDir, "facet.pid"), "utf8").then(
    (s) => JSON.parse(s) as { pid: number; children?: number[] },
    () => null,
  );
  if (!previous || isProcessAlive(previous.pid)) return;
  for (const pid of previous.children ?? []) {
    const cmd = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    if (isProcessAlive(pid) && /node|next-server/.test(cmd)) {
      say(`stopping process ${pid} left by the previous run`);
      process.kill(pid, "SIGTERM");
      for (let i = 0; i < 100 && isProcessAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
      if (isProcessAlive(pid)) process.kill(pid, "SIGKILL");
    }
  }
}

async function waitForHealth(url: string, timeoutMs: number): Promise<string> {
  const end = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < end) {
    try {
      const res = await fetch(url);
      const body = (await res.json()) as { status?: string };
      if (body.status === "ok") return "ok";
      last = JSON.stringify(body);
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return last;
}

export async function main(): Promise<void> {
  const env = parseLauncherEnv(process.env, REPO_ROOT);
  const dataDir = env.FACET_DATA_DIR;
  const layout = installationLayout(dataDir);
  const logs = layout.logsDir;
  await mkdir(logs, { recursive: true });
  await stopOrphanChildren(dataDir);
  const lock = await acquireLock(dataDir, { port: env.PORT }, say);
  const secrets = await loadOrCreateSecrets(dataDir);

  say(`starting the embedded database (data in ${layout.pgDir})`);
  const pg = await startEmbeddedPostgres({
    dataDir: layout.pgDir,
    logFile: path.join(logs, "postgres.log"),
    port: env.FACET_PG_PORT,
    password: secrets.pgPassword,
    database: "facet",
    // pg_stat_statements, as Supabase has it: which statements the database spends its time on
    settings: { max_connections: 100, shared_preload_libraries: "pg_stat_statements" },
    onProgress: say,
    // killed or crashed: started again; the web app and worker reconnect (their requests meanwhile
    // are answered 503 UNAVAILABLE)
    supervise: (event) => say(`[postgres] ${event}`),
  });
  takeOverShutdownSignals();
  const databaseUrl = pg.url();

  const children: Supervised[] = [];
  let shuttingDown: Promise<void> | null = null;
  const shutdown = (code: number, why: string) => {
    shuttingDown ??= (async () => {
      say(`${why}: stopping...`);
      await Promise.all(children.map((c) => c.stop()));
      await pg.stop();
      await lock.release();
      say("stopped.");
      process.exit(code);
    })();
    return shuttingDown;
  };
  process.on("SIGINT", () => void shutdown(0, "interrupted"));
  process.on("SIGTERM", () => void shutdown(0, "terminated"));
  process.on("SIGHUP", () => void shutdown(0, "hang-up"));

  let needsAdmin = false;
  try {
    const pool = createPool(databaseUrl, { max: 2, applicationName: "facet-launcher" });
    const client = await pool.connect();
    try {
      const r = await migrate(client, path.join(REPO_ROOT, "supabase"));
      say(
        r.applied.length > 0
          ? `applied ${r.applied.length} migration(s): ${r.applied.join(", ")}`
          : "schema is up to date",
      );
    } finally {
      client.release();
    }
    await migrateJobQueue(databaseUrl);
    needsAdmin = !(await hasAnyUser(pool));
    if (needsAdmin && env.FACET_ADMIN_EMAIL && env.FACET_ADMIN_PASSWORD) {
      const auth = new EmbeddedAuthProvider({
        pool,
        jwtSecret: secrets.jwtSecret,
        sessionTtlSeconds: 3600,
        secureCookies: false,
      });
      const { workspace } = await setUpFirstAdmin({
        pool,
        auth,
        email: env.FACET_ADMIN_EMAIL,
        password: env.FACET_ADMIN_PASSWORD,
        workspaceName: env.FACET_WORKSPACE_NAME,
      });
      say(`created the first admin ${env.FACET_ADMIN_EMAIL} and the workspace "${workspace.name}"`);
      needsAdmin = false;
    }
    await pool.end();

    const shared: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: databaseUrl,
      FACET_DATA_DIR: dataDir,
      FACET_LAUNCHER_PID: String(process.pid),
      FACET_STORAGE: "fs",
      FACET_BLOB_URL_SECRET: secrets.blobUrlSecret,
      FACET_PUBLIC_URL: env.FACET_PUBLIC_URL ?? `http://localhost:${env.PORT}`,
    };
    // written atomically (temporary file, rename): a reader never sees half a file
    const pidFile = layout.pidFile;
    const pidsChanged = () => {
      const tmp = `${pidFile}.${process.pid}.tmp`;
      const content = JSON.stringify({
        pid: process.pid,
        port: env.PORT,
        startedAt: new Date().toISOString(),
        children: children.map((c) => c.pid).filter(Boolean),
      });
      try {
        writeFileSync(tmp, content);
        renameSync(tmp, pidFile);
      } catch {
        // the pid file only helps recovery after a crash; failing to update it is not fatal
      }
    };
    const fatal = (m: string) => void shutdown(1, m);

    children.push(
      new Supervised(
        {
          name: "worker",
          command: process.execPath,
          args: ["--import", WATCHDOG, "--import", "tsx", path.join(REPO_ROOT, "workers/src/main.ts")],
          cwd: REPO_ROOT,
          env: { ...shared, FACET_WORKER_CONCURRENCY: String(env.FACET_WORKER_CONCURRENCY) },
          logFile: path.join(logs, "worker.log"),
          stopTimeoutMs: 30_000,
        },
        fatal,
        pidsChanged,
      ),
      new Supervised(
        {
          name: "web",
          command: process.execPath,
          // Next.js behind the server that decides which forwarding headers to trust (apps/web/server)
          args: ["--import", WATCHDOG, "--import", "tsx", path.join(REPO_ROOT, "apps/web/server/main.ts")],
          cwd: path.join(REPO_ROOT, "apps/web"),
          env: {
            ...shared,
            FACET_AUTH: "embedded",
            FACET_JWT_SECRET: secrets.jwtSecret,
            PORT: String(env.PORT),
            FACET_HOST: env.FACET_HOST,
          },
          logFile: path.join(logs, "web.log"),
          stopTimeoutMs: 10_000,
        },
        fatal,
        pidsChanged,
      ),
    );
    for (const c of children) c.start();

    const health = await waitForHealth(`http://127.0.0.1:${env.PORT}/api/health`, 120_000);
    if (health !== "ok") {
      say(`the platform did not become healthy: ${health} (logs in ${logs})`);
    }
    const url = `http://localhost:${env.PORT}`;
    say(`Facet is running at ${url}${health === "ok" ? "" : " (degraded)"} — press Ctrl+C to stop.`);
    if (needsAdmin && !env.FACET_ADMIN_EMAIL) say(`open ${url} to create the first admin.`);
  } catch (e) {
    say(`start failed: ${(e as Error).message}`);
    await shutdown(1, "start failed");
  }
}
