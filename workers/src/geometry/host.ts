import { GeometryError, meshToGlb, tessellateStep } from "@facet/geometry";
import { loadOcctForNode } from "./occt-node";
import type { HostMessage, TessellateRequest } from "./protocol";

/**
 * The geometry process: OpenCascade loaded once (about 6 s) and kept warm; one file at a time.
 * The worker watches its memory and time and kills it when a file runs away: only this process
 * dies, and the worker starts a fresh one for the next job.
 */
const send = (m: HostMessage) => process.send?.(m);
const started = performance.now();
const oc = await loadOcctForNode();
send({ ready: true, initMs: Math.round(performance.now() - started) });

process.on("message", (req: TessellateRequest) => {
  const t = performance.now();
  try {
    const { mesh, document, timings } = tessellateStep(oc, req.bytes, req.params);
    const glbStarted = performance.now();
    const glb = meshToGlb(mesh, document);
    timings.glb = Math.round((performance.now() - glbStarted) * 10) / 10;
    send({ id: req.id, ok: true, glb, document, timings, ms: Math.round(performance.now() - t) });
  } catch (e) {
    const reason = e instanceof GeometryError ? e.reason : "GEOMETRY_FAILED";
    const message =
      e instanceof GeometryError ? e.message : `OpenCascade failed on this file: ${String(e).slice(0, 300)}`;
    send({ id: req.id, ok: false, reason, message });
  }
});
process.on("disconnect", () => process.exit(0));
