/**
 * The dependency direction between the workspace's packages (ARCHITECTURE.md §2, docs/decisions.md
 * "Rooms: where code lives"), checked on what the code says: each package's package.json and the
 * import specifiers of its files. `scripts/architecture.test.ts` runs it on the repository.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

/** A workspace package as the checker sees it. */
export interface WorkspacePackage {
  /** Folder from the repository root: `apps/web`, `packages/db`, `workers`. */
  dir: string;
  name: string;
  /** What the package ships: `dependencies`, `peerDependencies`, `optionalDependencies`. */
  dependencies: string[];
  devDependencies: string[];
  /** Its package.json exports a `./testing` entry. */
  hasTesting: boolean;
  /** `sql`: the file runs SQL itself (a `.query(` call or a `sql` template), comments aside. */
  files: Array<{ path: string; specifiers: string[]; sql?: boolean }>;
}

type Allowed = "nothing" | "packages" | readonly string[];

/**
 * What each room's own code may import of ours (vendor libraries are not checked here; Biome keeps
 * frameworks, SDKs and I/O out of core, geometry and prelabel). Every folder of `packages/` needs a
 * line: a new package takes its place in the layers on purpose.
 */
const PACKAGES: Record<string, { may: Allowed; why: string }> = {
  "packages/core": { may: "nothing", why: "core imports nothing of ours" },
  "packages/geometry": { may: ["@facet/core"], why: "geometry and prelabel import only @facet/core" },
  "packages/prelabel": { may: ["@facet/core"], why: "geometry and prelabel import only @facet/core" },
  "packages/db": { may: ["@facet/core"], why: "an adapter (db, storage, jobs, viewer) imports only @facet/core" },
  "packages/storage": { may: ["@facet/core"], why: "an adapter (db, storage, jobs, viewer) imports only @facet/core" },
  "packages/jobs": { may: ["@facet/core"], why: "an adapter (db, storage, jobs, viewer) imports only @facet/core" },
  "packages/viewer": { may: ["@facet/core"], why: "an adapter (db, storage, jobs, viewer) imports only @facet/core" },
  // accounts are tables too: auth reaches them through db's client and sessions
  "packages/auth": { may: ["@facet/core", "@facet/db"], why: "auth imports only @facet/core and @facet/db" },
  // operations over a whole installation (gc, verify): the operator's commands and the scheduled jobs share them
  "packages/ops": {
    may: ["@facet/core", "@facet/db", "@facet/storage"],
    why: "ops imports only @facet/core, @facet/db and @facet/storage",
  },
  "packages/cli": {
    may: "packages",
    why: "the cli imports packages only (the launcher's testing helper from tests and benches only)",
  },
};
const WORKERS = { may: "packages", why: "the workers import packages, never an app" } as const;
const APPS = { may: "packages", why: "an app never imports another app or the workers" } as const;
const TESTS_WHY =
  "tests, e2e and benches may also import any package and the `/testing` helper of an app or the workers, nothing else of them";

/** Tests, e2e specs, benchmarks, testing helpers and test configuration. */
export function isTestCode(file: string): boolean {
  return (
    /(^|\/)(e2e|bench|testing)\//.test(file) ||
    /\.(test|spec|bench)\.[cm]?[jt]sx?$/.test(file) ||
    /(^|\/)testing\.[cm]?[jt]sx?$/.test(file) ||
    /(^|\/)(playwright|vitest)\.config\.[cm]?[jt]s$/.test(file)
  );
}

/** Every module a file names: static and dynamic imports, `export … from`, require (comments ignored). */
export function importSpecifiers(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

function ruleOf(dir: string): { may: Allowed; why: string } | undefined {
  if (dir === "workers") return WORKERS;
  if (dir.startsWith("apps/")) return APPS;
  return PACKAGES[dir];
}

/** Where SQL may be written (ARCHITECTURE.md §2): the database adapter, and the account tables in auth. */
const SQL_HOMES = ["packages/db", "packages/auth"];

/** Whether source text runs SQL itself: a `.query(` / `.query<T>(` call or a `sql\`…\`` template. */
export function speaksSql(source: string): boolean {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1");
  return /\.query\s*(<[^()]*?>)?\s*\(/.test(code) || /\bsql`/.test(code);
}

/**
 * Files outside the SQL homes that run SQL themselves (tests, e2e and benches may arrange fixtures
 * with the owner connection `@facet/db/testing` gives them).
 */
export function checkSqlHome(packages: readonly WorkspacePackage[]): string[] {
  return packages
    .filter((pkg) => !SQL_HOMES.includes(pkg.dir))
    .flatMap((pkg) =>
      pkg.files
        .filter((f) => f.sql && !isTestCode(f.path.slice(pkg.dir.length + 1)))
        .map((f) => `${f.path} runs SQL: SQL lives in packages/db, call a function there`),
    );
}

/** `@facet/db/testing` → `@facet/db`. */
function packageName(specifier: string): string {
  return specifier.split("/").slice(0, 2).join("/");
}

/**
 * Every way the packages break the dependency direction, one sentence each (empty: none).
 * A relative import that leaves its package counts as an import of the package it lands in.
 */
export function checkDependencyDirection(packages: readonly WorkspacePackage[]): string[] {
  const byName = new Map(packages.map((p) => [p.name, p]));
  const isPackage = (p: WorkspacePackage) => p.dir.startsWith("packages/");
  const problems: string[] = [];

  for (const pkg of packages) {
    const rule = ruleOf(pkg.dir);
    if (!rule) {
      problems.push(`${pkg.dir} has no place in the layers: give it one in scripts/lib/architecture.ts`);
      continue;
    }
    const mayShip = (target: WorkspacePackage) =>
      target === pkg ||
      (rule.may === "packages" ? isPackage(target) : rule.may !== "nothing" && rule.may.includes(target.name));
    const mayTest = (target: WorkspacePackage, specifier: string | null) =>
      mayShip(target) ||
      isPackage(target) ||
      (specifier === null ? target.hasTesting : specifier === `${target.name}/testing`);

    const manifest = `${pkg.dir}/package.json`;
    for (const dep of pkg.dependencies) {
      const target = byName.get(dep);
      if (target && !mayShip(target)) problems.push(`${manifest} depends on ${dep}: ${rule.why}`);
    }
    for (const dep of pkg.devDependencies) {
      const target = byName.get(dep);
      if (target && !mayTest(target, null)) problems.push(`${manifest} depends (dev) on ${dep}: ${TESTS_WHY}`);
    }

    for (const file of pkg.files) {
      const test = isTestCode(file.path.slice(pkg.dir.length + 1));
      for (const specifier of file.specifiers) {
        if (specifier.startsWith(".")) {
          const landed = path.posix.normalize(path.posix.join(path.posix.dirname(file.path), specifier));
          const target = packages.find((p) => landed === p.dir || landed.startsWith(`${p.dir}/`));
          if (target && target !== pkg) {
            problems.push(`${file.path} imports ${specifier}, a file of ${target.name}: import a package by its name`);
          }
          continue; // its own file, or outside every package (a script, the corpus)
        }
        if (!specifier.startsWith("@facet/")) continue;
        const target = byName.get(packageName(specifier));
        if (!target) problems.push(`${file.path} imports ${specifier}: no workspace package is called that`);
        else if (test && !mayTest(target, specifier)) problems.push(`${file.path} imports ${specifier}: ${TESTS_WHY}`);
        else if (!test && !mayShip(target)) problems.push(`${file.path} imports ${specifier}: ${rule.why}`);
      }
    }
  }
  return problems.concat(dependencyCycles(packages));
}

/** A devDependency may go across the layers (tests), but never round in a circle: Turborepo refuses cycles. */
function dependencyCycles(packages: readonly WorkspacePackage[]): string[] {
  const byName = new Map(packages.map((p) => [p.name, p]));
  const state = new Map<string, "open" | "done">();
  const cycles: string[] = [];
  const visit = (pkg: WorkspacePackage, trail: string[]) => {
    if (state.get(pkg.name) === "done") return;
    if (state.get(pkg.name) === "open") {
      const loop = [...trail.slice(trail.indexOf(pkg.name)), pkg.name].join(" → ");
      cycles.push(`the package.json dependencies go round in a cycle: ${loop}`);
      return;
    }
    state.set(pkg.name, "open");
    for (const dep of [...pkg.dependencies, ...pkg.devDependencies]) {
      const target = byName.get(dep);
      if (target && target !== pkg) visit(target, [...trail, pkg.name]);
    }
    state.set(pkg.name, "done");
  };
  for (const pkg of packages) visit(pkg, []);
  return cycles;
}

const SKIP = new Set(["node_modules", ".next", ".turbo", "dist", "test-results", "playwright-report", "wasm"]);
const SOURCE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;

function sourceFiles(root: string, dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    if (SKIP.has(e.name) || e.name.startsWith(".")) continue;
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) sourceFiles(root, rel, out);
    else if (e.isFile() && SOURCE.test(e.name) && !e.name.endsWith(".d.ts")) out.push(rel);
  }
  return out;
}

/** The workspace's packages (apps/*, packages/*, workers) as they are on disk. */
export function readWorkspace(root: string): WorkspacePackage[] {
  const dirs = ["apps", "packages"]
    .flatMap((room) => readdirSync(path.join(root, room)).map((d) => `${room}/${d}`))
    .concat(["workers"])
    .filter((d) => existsSync(path.join(root, d, "package.json")));
  return dirs.map((dir) => {
    const manifest = JSON.parse(readFileSync(path.join(root, dir, "package.json"), "utf8"));
    const keys = (o: Record<string, string> | undefined) => Object.keys(o ?? {});
    return {
      dir,
      name: manifest.name,
      dependencies: [
        ...keys(manifest.dependencies),
        ...keys(manifest.peerDependencies),
        ...keys(manifest.optionalDependencies),
      ],
      devDependencies: keys(manifest.devDependencies),
      hasTesting: typeof manifest.exports === "object" && manifest.exports !== null && "./testing" in manifest.exports,
      files: sourceFiles(root, dir).map((file) => {
        const source = readFileSync(path.join(root, file), "utf8");
        return { path: file, specifiers: importSpecifiers(source), sql: speaksSql(source) };
      }),
    };
  });
}
