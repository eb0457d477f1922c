import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  checkDependencyDirection,
  checkSqlHome,
  importSpecifiers,
  isTestCode,
  readWorkspace,
  speaksSql,
  type WorkspacePackage,
} from "./lib/architecture";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

describe("the dependency direction", () => {
  it("holds in this repository (package.json dependencies and every file's imports)", () => {
    const packages = readWorkspace(ROOT);
    // the checker sees the rooms it is about (a wrong root would pass with nothing to check)
    expect(packages.map((p) => p.dir)).toEqual(
      expect.arrayContaining(["apps/web", "apps/launcher", "packages/core", "packages/db", "packages/jobs", "workers"]),
    );
    expect(packages.find((p) => p.dir === "apps/web")?.files.length).toBeGreaterThan(50);
    expect(checkDependencyDirection(packages)).toEqual([]);
  });

  it("keeps SQL in packages/db (and auth's account tables): no app, worker or other package runs a query", () => {
    const packages = readWorkspace(ROOT);
    // the detector sees the SQL that is there (a detector that never fires would pass)
    expect(packages.find((p) => p.dir === "packages/db")?.files.some((f) => f.sql)).toBe(true);
    expect(checkSqlHome(packages)).toEqual([]);
  });
});

describe("the SQL home check", () => {
  it("finds queries and sql templates, not the word in comments or other calls", () => {
    expect(speaksSql('await c.query("select 1")')).toBe(true);
    expect(speaksSql("const { rows } = await client.query<{ id: string }>(\n  `select id from t`)")).toBe(true);
    expect(speaksSql("await db.many(sql`select 1`)")).toBe(true);
    expect(speaksSql('await c.query<{ t: { f?: Array<{ key?: unknown }> } }>("select taxonomy from s")')).toBe(true);
    expect(speaksSql("// c.query(x) used to be here\n/* pool.query( */ const q = url.searchParams;")).toBe(false);
    expect(speaksSql("const query = useQuery(); matchMedia(query)")).toBe(false);
  });

  it("refuses SQL outside its homes in shipped code, allows it in tests and in db and auth", () => {
    const withSql = (dir: string, file: string): WorkspacePackage => ({
      ...pkg(dir),
      files: [{ path: `${dir}/${file}`, specifiers: [], sql: true }],
    });
    expect(checkSqlHome([withSql("apps/web", "lib/ingest/ingest.ts")])).toEqual([
      "apps/web/lib/ingest/ingest.ts runs SQL: SQL lives in packages/db, call a function there",
    ]);
    expect(checkSqlHome([withSql("workers", "src/tasks/tessellate.ts")])).toHaveLength(1);
    expect(checkSqlHome([withSql("packages/cli", "src/push.ts")])).toHaveLength(1);
    expect(checkSqlHome([withSql("workers", "src/tasks/tessellate.db.test.ts")])).toEqual([]);
    expect(checkSqlHome([withSql("apps/web", "e2e/helpers.ts")])).toEqual([]);
    expect(checkSqlHome([withSql("packages/db", "src/jobs.ts"), withSql("packages/auth", "src/embedded.ts")])).toEqual(
      [],
    );
  });
});

/** A synthetic workspace: each package's dependencies and its files' imports. */
function pkg(
  dir: string,
  o: { deps?: string[]; dev?: string[]; testing?: boolean; files?: Record<string, string[]> } = {},
): WorkspacePackage {
  const name = dir === "workers" ? "@facet/workers" : `@facet/${dir.split("/")[1]}`;
  return {
    dir,
    name,
    dependencies: o.deps ?? [],
    devDependencies: o.dev ?? [],
    hasTesting: o.testing ?? false,
    files: Object.entries(o.files ?? {}).map(([file, specifiers]) => ({ path: `${dir}/${file}`, specifiers })),
  };
}
const base = () => [
  pkg("packages/core"),
  pkg("packages/geometry", { deps: ["@facet/core"] }),
  pkg("packages/prelabel", { deps: ["@facet/core"] }),
  pkg("packages/db", { deps: ["@facet/core"], testing: true }),
  pkg("packages/auth", { deps: ["@facet/core", "@facet/db"] }),
  pkg("packages/jobs", { deps: ["@facet/core"] }),
  pkg("packages/storage", { deps: ["@facet/core"] }),
  pkg("packages/viewer", { dev: ["@facet/geometry"] }),
  pkg("packages/cli", { deps: ["@facet/core"], dev: ["@facet/launcher"] }),
  pkg("workers", { deps: ["@facet/db", "@facet/jobs"], testing: true }),
  pkg("apps/launcher", { deps: ["@facet/db", "@facet/jobs"], testing: true }),
];
const check = (...extra: WorkspacePackage[]) => {
  const names = new Set(extra.map((p) => p.dir));
  return checkDependencyDirection([...base().filter((p) => !names.has(p.dir)), ...extra]);
};

describe("the checker", () => {
  it("accepts the layers as they are meant", () => {
    expect(
      check(
        pkg("apps/web", {
          deps: ["@facet/db", "@facet/jobs"],
          dev: ["@facet/launcher", "@facet/workers"],
          files: {
            "lib/jobs.server.ts": ["server-only", "@facet/db", "@facet/jobs/trigger", "./context.server"],
            "bench/viewer.bench.ts": ["@facet/launcher/testing", "@facet/workers/testing", "../e2e/helpers"],
            "e2e/upload.spec.ts": ["@facet/db/testing", "./helpers"],
          },
        }),
        pkg("packages/cli", {
          deps: ["@facet/core"],
          dev: ["@facet/launcher"],
          files: { "src/cli.platform.test.ts": ["@facet/launcher/testing"], "src/push.ts": ["@facet/core"] },
        }),
      ),
    ).toEqual([]);
  });

  it("refuses an app importing the workers, statically or dynamically", () => {
    const source = `import "server-only";
      export async function handOver() {
        const { dispatchQueuedJobs } = await import("@facet/workers/dispatch");
      }`;
    expect(
      check(
        pkg("apps/web", {
          deps: ["@facet/workers"],
          files: { "lib/jobs.server.ts": importSpecifiers(source) },
        }),
      ),
    ).toEqual([
      "apps/web/package.json depends on @facet/workers: an app never imports another app or the workers",
      "apps/web/lib/jobs.server.ts imports @facet/workers/dispatch: an app never imports another app or the workers",
    ]);
  });

  it("refuses an app importing another app outside its tests, and an app's internals from tests", () => {
    expect(
      check(
        pkg("apps/web", {
          files: {
            "lib/start.ts": ["@facet/launcher"],
            "e2e/start.spec.ts": ["@facet/launcher"],
            "lib/reach.ts": ["../../launcher/src/main"],
          },
        }),
      ),
    ).toEqual([
      "apps/web/lib/start.ts imports @facet/launcher: an app never imports another app or the workers",
      "apps/web/e2e/start.spec.ts imports @facet/launcher: tests, e2e and benches may also import any package and the `/testing` helper of an app or the workers, nothing else of them",
      "apps/web/lib/reach.ts imports ../../launcher/src/main, a file of @facet/launcher: import a package by its name",
    ]);
  });

  it("refuses each layer reaching up", () => {
    expect(
      check(
        pkg("packages/core", { deps: ["@facet/db"], files: { "src/x.ts": ["@facet/db"] } }),
        pkg("packages/geometry", { deps: ["@facet/core"], files: { "src/y.ts": ["@facet/storage"] } }),
        pkg("packages/jobs", { deps: ["@facet/core"], files: { "src/z.ts": ["@facet/db"] } }),
        pkg("packages/cli", { deps: ["@facet/core"], files: { "src/serve.ts": ["@facet/launcher/testing"] } }),
        pkg("workers", { deps: ["@facet/db"], files: { "src/w.ts": ["@facet/web"] } }),
        pkg("apps/web"),
      ),
    ).toEqual([
      "packages/core/package.json depends on @facet/db: core imports nothing of ours",
      "packages/core/src/x.ts imports @facet/db: core imports nothing of ours",
      "packages/geometry/src/y.ts imports @facet/storage: geometry and prelabel import only @facet/core",
      "packages/jobs/src/z.ts imports @facet/db: an adapter (db, storage, jobs, viewer) imports only @facet/core",
      "packages/cli/src/serve.ts imports @facet/launcher/testing: the cli imports packages only (the launcher's testing helper from tests and benches only)",
      "workers/src/w.ts imports @facet/web: the workers import packages, never an app",
      "the package.json dependencies go round in a cycle: @facet/core → @facet/db → @facet/core",
    ]);
  });

  it("refuses unknown names, packages without a place, app dev dependencies without a testing helper, cycles", () => {
    expect(
      check(
        pkg("apps/web", { files: { "lib/a.ts": ["@facet/nope"] } }),
        pkg("apps/admin", { dev: ["@facet/web"] }),
        pkg("packages/newcomer"),
        pkg("packages/geometry", { deps: ["@facet/core"], dev: ["@facet/prelabel"] }),
        pkg("packages/prelabel", { deps: ["@facet/core"], dev: ["@facet/geometry"] }),
      ),
    ).toEqual([
      "apps/web/lib/a.ts imports @facet/nope: no workspace package is called that",
      "apps/admin/package.json depends (dev) on @facet/web: tests, e2e and benches may also import any package and the `/testing` helper of an app or the workers, nothing else of them",
      "packages/newcomer has no place in the layers: give it one in scripts/lib/architecture.ts",
      "the package.json dependencies go round in a cycle: @facet/geometry → @facet/prelabel → @facet/geometry",
    ]);
  });
});

describe("reading the code", () => {
  it("finds static, dynamic, type-only and re-exported imports, and skips comments and strings", () => {
    const source = `import type { A } from "@facet/a";
      // import("@facet/commented")
      /* import x from "@facet/block" */
      export * from "@facet/b";
      export { c } from "./c";
      const s = "import('@facet/in-a-string')";
      const d = await import("@facet/d");
      import "@facet/e";`;
    expect(importSpecifiers(source)).toEqual(["@facet/a", "@facet/b", "./c", "@facet/d", "@facet/e"]);
  });

  it("tells test code from shipped code", () => {
    for (const f of [
      "src/x.test.ts",
      "src/x.db.test.ts",
      "e2e/upload.spec.ts",
      "e2e/helpers.ts",
      "bench/ingest.bench.ts",
      "src/testing.ts",
      "src/testing/global-setup.ts",
      "playwright.config.ts",
    ])
      expect(isTestCode(f), f).toBe(true);
    for (const f of ["src/index.ts", "lib/jobs.server.ts", "src/testing-tools.ts", "server/main.ts"])
      expect(isTestCode(f), f).toBe(false);
  });
});
