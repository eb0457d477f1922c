import { loadGeometryKernel } from "@facet/geometry/node";
import { geometryFailure, kernelSurvives, tessellateToGlb } from "./engine";
import type { HostMessage, TessellateRequest } from "./protocol";

/**
 * The geometry process: the kernel (OpenCascade in WebAssembly) loaded once and kept warm; one file at a time.
 * The worker watches its memory and time and kills it when a file runs away: only this process
 * dies, and the worker starts a fresh one for the next job.
 */
const send = (m: HostMessage) => process.send?.(m);
const started = performance.now();
const oc = await loadGeometryKernel(undefined, { optimized: true });
send({ ready: true, initMs: Math.round(performance.now() - started) });

process.on("message", (req: TessellateRequest) => {
  try {
    send({ id: req.id, ok: true, ...tessellateToGlb(oc, req.bytes, req.params, { describe: req.describe }) });
  } catch (e) {
    const reply: HostMessage = { id: req.id, ok: false, ...geometryFailure(e) };
    // a trap left the kernel's memory mid-way: this process ends once the reply is out, and says so,
    // so that the worker sends the next file to a fresh one
    if (kernelSurvives(e)) send(reply);
    else process.send?.({ ...reply, ending: true }, () => process.exit(0));
  }
});
process.on("disconnect", () => process.exit(0));
