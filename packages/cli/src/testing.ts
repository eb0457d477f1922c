import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Running the `facet` command as a person does, for tests. */
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const BIN = path.join(REPO, "packages/cli/bin/facet.mjs");

export interface FacetRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `facet ARGS…` in a child process with no standard input; resolves when it exits. */
export function facet(args: string[], env: NodeJS.ProcessEnv = {}): Promise<FacetRun> {
  return spawnFacet(args, env).done;
}

/** `facet ARGS…` as a child process a test can also kill (an interrupted command). */
export function spawnFacet(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { child: ChildProcess; done: Promise<FacetRun> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d) => {
    stdout += d;
  });
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  // "close": after the output streams ended too (on "exit" some output may still be in flight)
  const done = new Promise<FacetRun>((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

/** The key `facet login` stored in a configuration folder. */
export async function storedKey(configDir: string): Promise<string> {
  return (JSON.parse(await readFile(path.join(configDir, "config.json"), "utf8")) as { key: string }).key;
}

export interface ApiAnswer<T> {
  status: number;
  body: T;
}

/** JSON calls to a running platform's API with a key, for what a test sets up beside the CLI. */
export function apiClient(baseUrl: string, key: string) {
  return async <T = Record<string, unknown>>(method: string, p: string, body?: unknown): Promise<ApiAnswer<T>> => {
    const res = await fetch(new URL(p, baseUrl), {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  };
}

/** Wait until the worker has processed every part of a dataset (none uploaded or processing); the counts. */
export async function waitProcessed(
  dataset: string,
  env: NodeJS.ProcessEnv,
  timeoutMs = 600_000,
): Promise<Record<string, number>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await facet(["status", "--dataset", dataset, "--json"], env);
    const counts = (JSON.parse(r.stdout) as { counts?: Record<string, number> }).counts;
    if (!counts) throw new Error(`facet status failed: ${r.stdout} ${r.stderr}`);
    if ((counts.uploaded ?? 0) + (counts.processing ?? 0) === 0) return counts;
    if (Date.now() > deadline) throw new Error(`still processing: ${JSON.stringify(counts)}`);
    await new Promise((res) => setTimeout(res, 1000));
  }
}
