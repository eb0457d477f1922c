import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadGeometryKernel } from "./node";

export { MUTATIONS, type Mutant, type Mutation, mutateStep } from "./mutate-step";

/** Helpers for tests that need real geometry (Node only; not part of the package's main entry). */
const here = path.dirname(fileURLToPath(import.meta.url));

/** `../shared/corpus` beside the repository: the real STEP parts tests run on. */
export const CORPUS = path.resolve(here, "../../../../shared/corpus");

/** The geometry kernel loaded the way a Node worker loads it. */
export const kernelForNode = () => loadGeometryKernel();
