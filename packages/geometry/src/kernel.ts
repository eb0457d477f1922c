import type { OpenCascadeInstance } from "opencascade.js";

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
  wasmBinary: Uint8Array;
  print?: (s: string) => void;
  printErr?: (s: string) => void;
}) => Promise<FacetOcctModule>;

export interface GeometryKernel {
  readonly name: "facet-occt";
  readonly module: FacetOcctModule;
}

/** Written into every faces document and derived path: outputs are reproducible per version. */
export const TESSELLATOR_VERSION = "occt-7.6.3-wasm.facet-3";

export async function loadKernel(factory: FacetOcctFactory, wasmBinary: Uint8Array): Promise<GeometryKernel> {
  // OCCT's messages are silenced inside; anything printed by the runtime is dropped here too
  const module = await factory({ wasmBinary, print: () => {}, printErr: () => {} });
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
