import { GeometryError, meshToGlb, type Occt, type TessellationParams, tessellateStep } from "@facet/geometry";
import { loadOcctForNode } from "./occt-node";
import type { GeometryResult } from "./runner";

/** Something that turns STEP bytes into a GLB and a faces document. */
export interface GeometryEngine {
  run(bytes: Uint8Array, params: TessellationParams): Promise<GeometryResult>;
}

/**
 * OpenCascade in this process, loaded once and kept warm. For job systems that already isolate
 * each run and enforce its time and memory (Trigger.dev: `maxDuration` and the machine size); the
 * local worker uses the supervised child process (`GeometryRunner`) instead.
 */
export class InProcessGeometry implements GeometryEngine {
  private kernel: Promise<Occt> | null = null;

  constructor(private readonly wasmPath?: string) {}

  async run(bytes: Uint8Array, params: TessellationParams): Promise<GeometryResult> {
    this.kernel ??= loadOcctForNode(this.wasmPath);
    const oc = await this.kernel;
    const started = performance.now();
    try {
      const { mesh, document, timings } = tessellateStep(oc, bytes, params);
      return { glb: meshToGlb(mesh, document), document, timings, ms: Math.round(performance.now() - started) };
    } catch (e) {
      if (e instanceof GeometryError) throw Object.assign(new Error(e.message), { geometryReason: e.reason });
      throw Object.assign(new Error(`OpenCascade failed on this file: ${String(e).slice(0, 300)}`), {
        geometryReason: "GEOMETRY_FAILED",
      });
    }
  }
}
