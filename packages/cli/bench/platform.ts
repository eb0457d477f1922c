/**
 * What the CLI benchmarks share: a real platform (`npm start` on a fresh folder: embedded
 * PostgreSQL, web server, worker) with an API key, `facet … --json` as a child process, timing.
 */
import os from "node:os";
import { type Platform, startPlatform } from "@facet/launcher/testing";

export { cpuSeconds, processTree, reapedChildrenCpuSeconds } from "@facet/launcher/testing";

import { spawnFacet } from "../src/testing";

export const ADMIN = { email: "bench@example.test", password: "bench password 1" };

export const mb = (bytes: number) => bytes / 1e6;

export async function time<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const r = await fn();
  return [r, (performance.now() - t) / 1000];
}

export interface BenchPlatform {
  platform: Platform;
  /** FACET_URL, FACET_API_KEY, FACET_CONFIG_DIR for `facet`. */
  env: NodeJS.ProcessEnv;
  key: string;
}

/** The platform started with a first admin, and an API key of that admin. */
export async function startBenchPlatform(configDir: string): Promise<BenchPlatform> {
  const platform = await startPlatform(ADMIN);
  const res = await fetch(new URL("/api/auth/token", platform.url), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(ADMIN),
  });
  const { key } = (await res.json()) as { key: string };
  return { platform, key, env: { FACET_URL: platform.url, FACET_API_KEY: key, FACET_CONFIG_DIR: configDir } };
}

/** `facet ARGS… --json`: its JSON summary and wall time; rejects on a non-zero exit. */
export async function facetJson(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ summary: Record<string, number>; wall: number }> {
  const started = performance.now();
  const r = await spawnFacet([...args, "--json"], env).done;
  const wall = (performance.now() - started) / 1000;
  let summary: Record<string, number>;
  try {
    summary = JSON.parse(r.stdout);
  } catch {
    throw new Error(`facet ${args[0]} printed no JSON (exit ${r.code}): ${r.stdout}\n${r.stderr.slice(-2000)}`);
  }
  if (r.code !== 0) throw new Error(`facet ${args[0]} exited ${r.code}: ${r.stdout}\n${r.stderr.slice(-2000)}`);
  return { summary, wall };
}

/** The machine, as the printed figures must be read: cores, Node, load averages. */
export function machineLine(): string {
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" / ");
  return `${os.cpus().length} cores, Node ${process.versions.node}, load average (1/5/15 min) ${load}`;
}
