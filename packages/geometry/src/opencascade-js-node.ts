import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Occt, OcctFactory } from "./kernel";

const require = createRequire(import.meta.url);

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
