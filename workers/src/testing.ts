/**
 * What tests and benchmarks outside this package drive in-process (never an app's own code: no app
 * imports the worker): the geometry engine Trigger.dev runs and the tessellation handler, to mesh a
 * part with other parameters than the worker's.
 */

// the native OCCT pipeline the benchmarks measure Facet's against (C++, Debian's OCCT 7.6.3)
export { buildNativeOcct, type NativeRow, runNativeOcct } from "../bench/native/native-occt";
export { InProcessGeometry } from "./geometry/engine";
export { tessellatePart } from "./tasks/tessellate";
