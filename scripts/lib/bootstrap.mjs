// Zero-dependency set-up shared by `npm start` and `npm test`: this file runs before anything is
// installed, so it uses Node's standard library only.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const PNPM = "pnpm@10.34.9";

export function step(message) {
  process.stdout.write(`\n▸ ${message}\n`);
}

export function run(command, args, options = {}) {
  const r = spawnSync(command, args, { stdio: "inherit", cwd: ROOT, ...options });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed (exit ${r.status ?? r.signal})`);
  }
}

function hashFiles(files) {
  const h = createHash("sha256");
  for (const f of files.sort()) {
    h.update(path.relative(ROOT, f));
    h.update("\0");
    h.update(readFileSync(f));
    h.update("\0");
  }
  return h.digest("hex");
}

function walk(dir, skip, out = []) {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (skip.has(e.name)) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, skip, out);
    else if (e.isFile()) out.push(p);
  }
  return out;
}

const SKIP = new Set(["node_modules", ".next", ".turbo", "dist", "test-results", "playwright-report"]);

function workspaceManifests() {
  const dirs = ["apps", "packages"].flatMap((d) =>
    existsSync(path.join(ROOT, d)) ? readdirSync(path.join(ROOT, d)).map((x) => path.join(ROOT, d, x)) : [],
  );
  dirs.push(path.join(ROOT, "workers"));
  return dirs.map((d) => path.join(d, "package.json")).filter((f) => existsSync(f));
}

/** pnpm install, only when the lockfile or a manifest changed since the last install. */
export function ensureDependencies() {
  const inputs = [
    path.join(ROOT, "package.json"),
    path.join(ROOT, "pnpm-lock.yaml"),
    path.join(ROOT, "pnpm-workspace.yaml"),
    ...workspaceManifests(),
  ];
  const stampFile = path.join(ROOT, "node_modules", ".facet-deps-stamp");
  const stamp = hashFiles(inputs);
  if (existsSync(stampFile) && readFileSync(stampFile, "utf8") === stamp) return false;
  step("Installing dependencies (first run or changed lockfile)…");
  run("npx", ["-y", PNPM, "install", "--frozen-lockfile"], {
    env: { ...process.env, npm_config_update_notifier: "false" },
  });
  writeFileSync(stampFile, stamp);
  return true;
}

/** next build, only when the web app or a package it bundles changed since the last build. */
export function ensureWebBuild() {
  const sources = [
    ...walk(path.join(ROOT, "apps/web"), new Set([...SKIP, "e2e", "playwright.config.ts"])),
    // every workspace package the app may bundle (the viewer, geometry types, the Trigger.dev hand-over, …);
    // no app imports another app or the workers
    ...readdirSync(path.join(ROOT, "packages")).flatMap((p) => walk(path.join(ROOT, "packages", p, "src"), SKIP)),
    path.join(ROOT, "pnpm-lock.yaml"),
  ].filter((f) => !f.endsWith(".test.ts"));
  const stamp = hashFiles(sources);
  const stampFile = path.join(ROOT, "apps/web/.next/.facet-build-stamp");
  if (
    existsSync(stampFile) &&
    readFileSync(stampFile, "utf8") === stamp &&
    existsSync(path.join(ROOT, "apps/web/.next/BUILD_ID"))
  ) {
    return false;
  }
  step("Building the web app (first run or changed sources)…");
  run(process.execPath, [path.join(ROOT, "apps/web/node_modules/next/dist/bin/next"), "build"], {
    cwd: path.join(ROOT, "apps/web"),
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  writeFileSync(stampFile, stamp);
  return true;
}

export function checkNode() {
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    console.error(`Facet needs Node.js 20.19 or newer; this is ${process.versions.node}.`);
    process.exit(1);
  }
}
