import type { OpenCascadeInstance } from "opencascade.js";

/** The part of the WebAssembly API the loader uses (the package is compiled without DOM types). */
interface WasmApi {
  instantiate(module: object, imports: object): Promise<object>;
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/**
 * The geometry kernel: OCCT 7.6.3 and the pipeline of `native/facet-occt.cpp`, compiled to WebAssembly
 * with native wasm exceptions (`native/build.mjs`). One call reads, checks, meshes and describes a part;
 * `tessellateStep` turns what it leaves in memory into the mesh and the faces document. The caller
 * supplies the module factory and the wasm bytes: this package does no I/O.
 */
export interface FacetOcctModule {
  FS: { writeFile(path: string, data: Uint8Array): void; unlink(path: string): void };
  HEAPU8: Uint8Array;
  HEAP32: Int32Array;
  HEAPU32: Uint32Array;
  HEAPF32: Float32Array;
  HEAPF64: Float64Array;
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  _facet_run(path: number, relativeDeflection: number, angularDeflection: number): number;
  _facet_result(): number;
  _facet_release(): void;
}

export type FacetOcctFactory = (module: {
  wasmBinary?: Uint8Array;
  instantiateWasm?: (imports: object, done: (instance: object, module: object) => void) => object;
  print?: (s: string) => void;
  printErr?: (s: string) => void;
}) => Promise<FacetOcctModule>;

export interface GeometryKernel {
  readonly name: "facet-occt";
  readonly module: FacetOcctModule;
}

/** Written into every faces document and derived path: outputs are reproducible per version. */
export const TESSELLATOR_VERSION = "occt-7.6.3-wasm.facet-3";

/**
 * The face numbering labels are tied to (part of every face signature): OCCT's face map order, as
 * `occt-7.6-wasm.facet-2` (opencascade.js) introduced it. The kernel numbers faces identically (the
 * corpus test compares every face and every signature), so it keeps the name and labels made on parts
 * tessellated by opencascade.js stay valid when those parts are reprocessed. A change of numbering must
 * change this name.
 */
export const FACE_NUMBERING = "occt-7.6-wasm.facet-2";

/** The kernel from its wasm bytes, or from a `WebAssembly.Module` the caller has already compiled. */
export async function loadKernel(factory: FacetOcctFactory, wasm: Uint8Array | object): Promise<GeometryKernel> {
  // OCCT's messages are silenced inside; anything printed by the runtime is dropped here too
  const quiet = { print: () => {}, printErr: () => {} };
  if (wasm instanceof Uint8Array) return { name: "facet-occt", module: await factory({ ...quiet, wasmBinary: wasm }) };
  // emscripten waits for `done`; a failed instantiation must reject the load instead of leaving it pending
  let fail: (e: unknown) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  const module = await Promise.race([
    factory({
      ...quiet,
      instantiateWasm: (imports, done) => {
        wasmApi.instantiate(wasm, imports).then((instance) => done(instance, wasm), fail);
        return {};
      },
    }),
    failed,
  ]);
  return { name: "facet-occt", module };
}

/**
 * opencascade.js (2.0.0-beta, OCCT 7.6 with JavaScript-emulated exceptions), the stack's reference
 * binding: `tessellateWithOpencascadeJs` runs the same pipeline through its object API. Tests prove the
 * kernel above numbers and describes faces exactly as it does; the benchmark compares their speed.
 */
export type Occt = OpenCascadeInstance;

export type OcctFactory = (module: {
  wasmBinary: Uint8Array;
  print?: (s: string) => void;
  printErr?: (s: string) => void;
}) => Promise<Occt>;

export const OPENCASCADE_JS_VERSION = "occt-7.6-wasm.facet-2";
