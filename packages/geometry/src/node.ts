import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";
import { type FacetOcctFactory, type GeometryKernel, loadKernel } from "./kernel";

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

/**
 * The geometry kernel in Node (workers, the CLI, tests; not part of the package's main entry).
 *
 * `optimized`: compile the whole module with V8's optimizing compiler before the first file (about
 * 5 s on 2 cores) instead of V8's default (a quick baseline compile, optimizing only the functions that
 * turn out hot). For long-lived geometry processes: files then run at full speed from the first one,
 * and warm runs are faster too, since code that is never "hot" enough is optimized as well (AAGNet's
 * dataset_test: 90 ms against 160 ms warm). The flags are V8's own and are restored right after, so
 * other WebAssembly in the process compiles as usual.
 */
export async function loadGeometryKernel(
  wasmPath?: string,
  { optimized = false }: { optimized?: boolean } = {},
): Promise<GeometryKernel> {
  const bytes = readFileSync(locateKernelWasm(wasmPath));
  const { default: factory } = (await import("../wasm/facet-occt.mjs")) as { default: FacetOcctFactory };
  if (!optimized) return loadKernel(factory, bytes);
  v8.setFlagsFromString("--no-liftoff");
  v8.setFlagsFromString("--no-wasm-lazy-compilation");
  const { WebAssembly: api } = globalThis as unknown as { WebAssembly: { compile(b: Uint8Array): Promise<object> } };
  let compiled: object;
  try {
    compiled = await api.compile(bytes);
  } finally {
    v8.setFlagsFromString("--liftoff");
    v8.setFlagsFromString("--wasm-lazy-compilation");
  }
  return loadKernel(factory, compiled);
}
