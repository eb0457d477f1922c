import type { OpenCascadeInstance } from "opencascade.js";

/**
 * OpenCascade compiled to WebAssembly (opencascade.js, OCCT 7.6). The caller supplies the module
 * factory and the wasm bytes: this package does no I/O, so the worker, a test or a browser decide
 * where the 50 MB binary comes from.
 */
export type Occt = OpenCascadeInstance;

export type OcctFactory = (module: {
  wasmBinary: Uint8Array;
  print?: (s: string) => void;
  printErr?: (s: string) => void;
}) => Promise<Occt>;

export const TESSELLATOR_VERSION = "occt-7.6-wasm.facet-2";

export async function loadKernel(factory: OcctFactory, wasmBinary: Uint8Array): Promise<Occt> {
  // OCCT's reader prints progress and warnings on stdout; the pipeline reports its own findings
  return factory({ wasmBinary, print: () => {}, printErr: () => {} });
}
