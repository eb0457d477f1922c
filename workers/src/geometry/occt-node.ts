import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { loadKernel, type Occt, type OcctFactory } from "@facet/geometry";

const require = createRequire(import.meta.url);

/** opencascade.js in Node: its emscripten glue expects `__dirname` and `require`; the wasm is read here. */
export async function loadOcctForNode(): Promise<Occt> {
  const dist = path.dirname(require.resolve("opencascade.js/dist/opencascade.full.wasm"));
  Object.assign(globalThis, { __dirname: dist, require: createRequire(path.join(dist, "x.js")) });
  const { default: factory } = (await import("opencascade.js/dist/opencascade.full.js")) as { default: OcctFactory };
  return loadKernel(factory, readFileSync(path.join(dist, "opencascade.full.wasm")));
}
