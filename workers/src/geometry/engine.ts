import {
  GeometryError,
  type GeometryKernel,
  KernelError,
  meshToGlb,
  type TessellationParams,
  tessellateStep,
} from "@facet/geometry";
import { loadGeometryKernel } from "@facet/geometry/node";
import { describeShape } from "./describe-shape";
import type { GeometryResult } from "./runner";

export interface RunOptions {
  /** Also describe the shape (fingerprint, surface kinds, thumbnail): what a new part needs. */
  describe?: boolean;
}

/** Something that turns STEP bytes into a GLB and a faces document. */
export interface GeometryEngine {
  run(bytes: Uint8Array, params: TessellationParams, options?: RunOptions): Promise<GeometryResult>;
}

/**
 * The whole pipeline on a loaded kernel: mesh, faces document, GLB and, when asked, the shape's
 * description, with each stage's time.
 */
export function tessellateToGlb(
  oc: GeometryKernel,
  bytes: Uint8Array,
  params: TessellationParams,
  options: RunOptions = {},
): GeometryResult {
  const started = performance.now();
  const { mesh, document, timings } = tessellateStep(oc, bytes, params);
  let at = performance.now();
  const glb = meshToGlb(mesh, document);
  timings.glb = Math.round((performance.now() - at) * 10) / 10;
  // `ms` is the tessellation's (the part's recorded geometry time); the description has its own timing
  const result: GeometryResult = { glb, document, timings, ms: Math.round(performance.now() - started) };
  if (options.describe) {
    at = performance.now();
    result.description = describeShape(document, glb);
    timings.describe = Math.round((performance.now() - at) * 10) / 10;
  }
  return result;
}

/** Why a file failed, as the part will say it: the pipeline's own reason, or OpenCascade's error. */
export function geometryFailure(e: unknown): { reason: string; message: string } {
  if (e instanceof GeometryError) return { reason: e.reason, message: e.message };
  if (e instanceof KernelError)
    return { reason: "GEOMETRY_FAILED", message: `OpenCascade failed on this file: ${e.message.slice(0, 300)}` };
  // a WebAssembly trap or a runaway recursion inside the kernel: the file is damaged in a way the
  // reader does not check (a dangling or circular reference, a coordinate near 1e308); its name only
  const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return {
    reason: "GEOMETRY_FAILED",
    message: `OpenCascade crashed on this file; it is probably damaged (${what.split("\n")[0]?.slice(0, 120)})`,
  };
}

/**
 * Whether the kernel can go on after this error: OpenCascade's own errors are caught inside it and
 * leave it sound; a WebAssembly trap (or an abort) leaves its memory as it was mid-way, so the
 * process holding it should be replaced.
 */
export function kernelSurvives(e: unknown): boolean {
  return e instanceof GeometryError || e instanceof KernelError;
}

/**
 * OpenCascade in this process, loaded once and kept warm. For job systems that already isolate
 * each run and enforce its time and memory (Trigger.dev: `maxDuration` and the machine size); the
 * local worker uses the supervised child process (`GeometryRunner`) instead.
 */
export class InProcessGeometry implements GeometryEngine {
  private kernel: Promise<GeometryKernel> | null = null;

  constructor(private readonly wasmPath?: string) {}

  async run(bytes: Uint8Array, params: TessellationParams, options: RunOptions = {}): Promise<GeometryResult> {
    // a failed load is not kept: the next run tries again
    this.kernel ??= loadGeometryKernel(this.wasmPath, { optimized: true }).catch((e) => {
      this.kernel = null;
      throw e;
    });
    const oc = await this.kernel;
    try {
      return tessellateToGlb(oc, bytes, params, options);
    } catch (e) {
      if (!kernelSurvives(e)) this.kernel = null;
      const { reason, message } = geometryFailure(e);
      throw Object.assign(new Error(message), { geometryReason: reason });
    }
  }
}
