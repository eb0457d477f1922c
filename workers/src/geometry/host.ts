import { loadOcctForNode } from "@facet/geometry/node";
import { geometryFailure, tessellateToGlb } from "./engine";
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
  try {
    send({ id: req.id, ok: true, ...tessellateToGlb(oc, req.bytes, req.params) });
  } catch (e) {
    send({ id: req.id, ok: false, ...geometryFailure(e) });
  }
});
process.on("disconnect", () => process.exit(0));
