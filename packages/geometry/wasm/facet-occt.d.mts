// The emscripten glue of facet-occt.wasm (built by ../native/build.mjs); typed in ../src/kernel.ts.
declare const createFacetOcct: (module: Record<string, unknown>) => Promise<unknown>;
export default createFacetOcct;
