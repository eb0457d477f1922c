import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { loadKernel, type Occt, type OcctFactory } from "./kernel";

const require = createRequire(import.meta.url);
const WASM = "opencascade.full.wasm";

/**
 * Where the 50 MB wasm is: the given path, the installed package, or (in a Trigger.dev deployment,
 * where the JavaScript is bundled and the wasm shipped beside it with `additionalFiles`) under the
 * working directory.
 */
function locateWasm(given?: string): string {
  if (given) return given;
  try {
    return require.resolve(`opencascade.js/dist/${WASM}`);
  } catch {
    const shipped = path.resolve("node_modules/opencascade.js/dist", WASM);
    if (existsSync(shipped)) return shipped;
    throw new Error(`OpenCascade's ${WASM} was not found (set FACET_OCCT_WASM to its path)`);
  }
}

/**
 * opencascade.js in Node (workers, the CLI, tests; not part of the package's main entry): its emscripten
 * glue expects `__dirname` and `require`; the wasm is read here.
 */
export async function loadOcctForNode(wasmPath?: string): Promise<Occt> {
  const wasm = locateWasm(wasmPath);
  const dist = path.dirname(wasm);
  Object.assign(globalThis, { __dirname: dist, require: createRequire(path.join(dist, "x.js")) });
  const { default: factory } = (await import("opencascade.js/dist/opencascade.full.js")) as { default: OcctFactory };
  return loadKernel(factory, readFileSync(wasm));
}
