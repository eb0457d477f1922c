import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CORPUS } from "@facet/geometry/testing";
import { build } from "esbuild";
import { afterAll, expect, it } from "vitest";

const here = path.dirname(fileURLToPath(import.meta.url));
const out = mkdtempSync(path.join(os.tmpdir(), "facet-trigger-bundle-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/**
 * What a Trigger.dev deployment runs: the tasks bundled into one file (the kernel's glue included,
 * nothing of node_modules beside it) and the wasm shipped where `additionalFiles` puts it
 * (`../packages/geometry/wasm/facet-occt.wasm` lands at `packages/geometry/wasm/` under the
 * deployment's working directory). The bundle must load the kernel from there and mesh a part.
 */
it("bundles the tasks and finds the shipped wasm without node_modules", async () => {
  await build({
    entryPoints: {
      tasks: path.join(here, "tasks.ts"),
      engine: path.join(here, "../geometry/engine.ts"),
    },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outdir: out,
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: "silent",
  });
  const shipped = path.join(out, "packages/geometry/wasm");
  mkdirSync(shipped, { recursive: true });
  copyFileSync(
    path.join(here, "../../../packages/geometry/wasm/facet-occt.wasm"),
    path.join(shipped, "facet-occt.wasm"),
  );
  writeFileSync(
    path.join(out, "run.mjs"),
    `import { readFileSync } from "node:fs";
     const tasks = await import("./tasks.js");
     const { InProcessGeometry } = await import("./engine.js");
     const r = await new InProcessGeometry().run(readFileSync(process.argv[2]), { relativeDeflection: 0.001, angularDeflection: 0.5 });
     console.log(JSON.stringify({ tasks: [tasks.tessellate.id, tasks.dispatchJobs.id], faces: r.document.faceCount, glb: r.glb.byteLength }));`,
  );
  const run = spawnSync(process.execPath, ["run.mjs", path.join(CORPUS, "mfcad/0-0-0-0-0-23.step")], {
    cwd: out,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "" },
  });
  expect(run.status, run.stderr).toBe(0);
  const result = JSON.parse(run.stdout.trim().split("\n").pop() as string);
  expect(result).toMatchObject({ tasks: ["geometry-tessellate", "jobs-dispatch"], faces: 11 });
  expect(result.glb).toBeGreaterThan(1000);
}, 120_000);
