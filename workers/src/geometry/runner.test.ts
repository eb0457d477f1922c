import { readFile } from "node:fs/promises";
import path from "node:path";
import { DEFAULT_PARAMS } from "@facet/geometry";
import { CORPUS } from "@facet/geometry/testing";
import { afterAll, describe, expect, it } from "vitest";
import { describeShape } from "./describe-shape";
import { GeometryPool, GeometryRunner } from "./runner";

/**
 * The supervised geometry process after a WebAssembly trap: the process that trapped ends once it
 * has answered, and the files after it must be served by a fresh one, not blamed for its death nor
 * sent into a closed pipe (an unhandled EPIPE took the whole worker down).
 */
describe("GeometryRunner after a file that traps the kernel", () => {
  const runner = new GeometryRunner({ timeoutMs: 60_000, memoryBytes: 2.5 * 1024 ** 3 });
  afterAll(() => runner.stop());

  it("fails the trapping file with a reason and serves the next files on a fresh process", {
    timeout: 120_000,
  }, async () => {
    const good = await readFile(path.join(CORPUS, "mfcad/0-0-0-0-0-23.step"));
    // a vertex whose point does not exist: OpenCascade calls through a null pointer (a WebAssembly trap)
    const text = good.toString("latin1");
    const damaged = text.replace(/(VERTEX_POINT\('',)#\d+/, "$1#999999");
    expect(damaged).not.toBe(text);
    const trap = { bytes: Buffer.from(damaged, "latin1"), description: "a vertex pointing at no point" };
    const failure = await runner.run(trap.bytes, DEFAULT_PARAMS).then(
      () => null,
      (e: Error & { geometryReason?: string }) => e,
    );
    expect(failure?.geometryReason, `${trap.description}: expected a trap`).toBe("GEOMETRY_FAILED");
    expect(failure?.message).toMatch(/^OpenCascade /);
    // straight after, with no pause for the trapped process to end
    const [a, b] = await Promise.all([runner.run(good, DEFAULT_PARAMS), runner.run(good, DEFAULT_PARAMS)]);
    expect(a.document.faceCount).toBe(b.document.faceCount);
    expect(a.document.faceCount).toBeGreaterThan(0);
    // traps back to back, each file answered for itself, then a good file
    const results = await Promise.allSettled([
      runner.run(trap.bytes, DEFAULT_PARAMS),
      runner.run(trap.bytes, DEFAULT_PARAMS),
      runner.run(good, DEFAULT_PARAMS),
    ]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected", "fulfilled"]);
    for (const r of results.slice(0, 2))
      expect((r as PromiseRejectedResult).reason.geometryReason).toBe("GEOMETRY_FAILED");
  });
});

describe("GeometryPool", () => {
  const pool = new GeometryPool(2, { timeoutMs: 60_000, memoryBytes: 2.5 * 1024 ** 3 });
  afterAll(() => pool.stop());

  it("gives files arriving together to different processes, and describes a shape as the worker would", {
    timeout: 120_000,
  }, async () => {
    const [a, b] = await Promise.all(
      ["mfcad/0-0-0-0-0-23.step", "nist-pmi/nist_ctc_01_asme1_ap203.stp"].map((f) => readFile(path.join(CORPUS, f))),
    );
    const runs = [pool.run(a as Buffer, DEFAULT_PARAMS, { describe: true }), pool.run(b as Buffer, DEFAULT_PARAMS)];
    expect(pool.runners.map((r) => r.pending)).toEqual([1, 1]);
    const [first, second] = await Promise.all(runs);
    expect(pool.runners.map((r) => r.pending)).toEqual([0, 0]);
    expect(second?.description).toBeUndefined(); // not asked for
    // the description made in the geometry process is the one the worker's own thread would make
    const d = first?.description;
    expect(d).toEqual({ ...describeShape(first!.document, first!.glb), thumbnail: expect.anything() });
    expect(Buffer.from(d!.thumbnail).equals(Buffer.from(describeShape(first!.document, first!.glb).thumbnail))).toBe(
      true,
    );
    expect(Buffer.from(d!.thumbnail).subarray(1, 4).toString()).toBe("PNG");
    expect(first?.timings.describe).toBeGreaterThan(0);
  });
});
