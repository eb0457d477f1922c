import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadKernel, type Occt } from "./kernel";

/** Helpers for tests that need real geometry (Node only; not part of the package's main entry). */
const here = path.dirname(fileURLToPath(import.meta.url));

/** `../shared/corpus` beside the repository: the real STEP parts tests run on. */
export const CORPUS = path.resolve(here, "../../../../shared/corpus");

/** Load opencascade.js the way a Node worker does: the emscripten glue wants __dirname and require. */
export async function kernelForNode(): Promise<Occt> {
  const require = createRequire(import.meta.url);
  const dist = path.dirname(require.resolve("opencascade.js/dist/opencascade.full.wasm"));
  Object.assign(globalThis, { __dirname: dist, require: createRequire(path.join(dist, "x.js")) });
  const { default: factory } = await import("opencascade.js/dist/opencascade.full.js");
  return loadKernel(factory, readFileSync(path.join(dist, "opencascade.full.wasm")));
}
