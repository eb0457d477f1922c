/**
 * What tests and benchmarks outside this package drive in-process (never an app's own code: no app
 * imports the worker): the geometry engine Trigger.dev runs and the tessellation handler, to mesh a
 * part with other parameters than the worker's.
 */
export { InProcessGeometry } from "./geometry/engine";
export { tessellatePart } from "./tasks/tessellate";
