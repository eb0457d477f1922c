import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type FacetOcctFactory, type GeometryKernel, loadKernel, type Occt, type OcctFactory } from "./kernel";

const require = createRequire(import.meta.url);
const KERNEL_WASM = "facet-occt.wasm";

/**
 * Where the kernel's wasm is: the given path, beside this package's sources, or (in a Trigger.dev
 * deployment, where the JavaScript is bundled and the wasm shipped with `additionalFiles`) under the
 * working directory at the same path as in the repository.
 */
function locateKernelWasm(given?: string): string {
  if (given) return given;
  const beside = fileURLToPath(new URL(`../wasm/${KERNEL_WASM}`, import.meta.url));
  if (existsSync(beside)) return beside;
  const shipped = path.resolve("packages/geometry/wasm", KERNEL_WASM);
  if (existsSync(shipped)) return shipped;
  throw new Error(`the geometry kernel's ${KERNEL_WASM} was not found (set FACET_OCCT_WASM to its path)`);
}

/** The geometry kernel in Node (workers, the CLI, tests; not part of the package's main entry). */
export async function loadGeometryKernel(wasmPath?: string): Promise<GeometryKernel> {
  const wasm = readFileSync(locateKernelWasm(wasmPath));
  const { default: factory } = (await import("../wasm/facet-occt.mjs")) as { default: FacetOcctFactory };
  return loadKernel(factory, wasm);
}

/**
 * opencascade.js in Node, for the reference pipeline (tests and the benchmark): its emscripten glue
 * expects `__dirname` and `require`; the 50 MB wasm is read here.
 */
export async function loadOpencascadeJs(): Promise<Occt> {
  const wasm = require.resolve("opencascade.js/dist/opencascade.full.wasm");
  const dist = path.dirname(wasm);
  Object.assign(globalThis, { __dirname: dist, require: createRequire(path.join(dist, "x.js")) });
  const { default: factory } = (await import("opencascade.js/dist/opencascade.full.js")) as { default: OcctFactory };
  return factory({ wasmBinary: readFileSync(wasm), print: () => {}, printErr: () => {} });
}
