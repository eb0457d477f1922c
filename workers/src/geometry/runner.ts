import { type ChildProcess, fork } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { FacesDocument, TessellationParams } from "@facet/geometry";
import type { ShapeDescription } from "./describe-shape";
import type { GeometryEngine, RunOptions } from "./engine";
import type { HostMessage, TessellateReply, TessellateRequest } from "./protocol";

const HOST = path.join(path.dirname(fileURLToPath(import.meta.url)), "host.ts");

/** A file the geometry process could not finish: too slow, too big, or the process died. */
export class GeometryLimitError extends Error {
  constructor(
    readonly reason: "TIMEOUT" | "OUT_OF_MEMORY" | "CRASHED",
    message: string,
  ) {
    super(message);
  }
}

export interface GeometryResult {
  glb: Uint8Array;
  document: FacesDocument;
  ms: number;
  /** Milliseconds per stage: read, mesh, faces, adjacency, glb (and describe). */
  timings: Record<string, number>;
  /** When asked for: the shape's fingerprint, surface kinds and thumbnail. */
  description?: ShapeDescription;
}

function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** The request could not be written to the geometry process (it had just ended). */
class NotDelivered extends Error {}

const gb = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GB`;

/**
 * Runs tessellations in a separate, long-lived process, one at a time, with a time limit and a
 * resident-memory ceiling. A runaway file gets its process killed (the job fails with the reason);
 * the next job starts a fresh process. The process is also recycled when it has grown large.
 */
export class GeometryRunner implements GeometryEngine {
  private child: ChildProcess | null = null;
  private ready: Promise<void> | null = null;
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();
  peakRss = 0;
  lastInitMs = 0;
  /** Files given to run() and not finished yet. */
  pending = 0;

  /** Limits apply from the next job on. */
  constructor(readonly limits: { timeoutMs: number; memoryBytes: number; recycleBytes?: number }) {}

  private start(): Promise<void> {
    const child = fork(HOST, [], {
      execArgv: ["--import", "tsx"],
      serialization: "advanced",
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.child = child;
    this.ready = new Promise((resolve, reject) => {
      const onMessage = (m: HostMessage) => {
        if ("ready" in m) {
          this.lastInitMs = m.initMs;
          child.off("message", onMessage);
          resolve();
        }
      };
      child.on("message", onMessage);
      child.once("exit", (code) =>
        reject(new GeometryLimitError("CRASHED", `the geometry process exited at start (${code})`)),
      );
    });
    child.once("exit", () => this.forget(child));
    // a send to a process that has just ended fails with EPIPE as an 'error' event: unhandled, it would
    // end the worker itself. The send's callback (runOnce) deals with it.
    child.on("error", () => this.forget(child));
    return this.ready;
  }

  /** Tessellate, one file at a time (calls queue up). */
  run(bytes: Uint8Array, params: TessellationParams, options: RunOptions = {}): Promise<GeometryResult> {
    this.pending++;
    const job = this.queue.then(() => this.runNow(bytes, params, options)).finally(() => this.pending--);
    this.queue = job.catch(() => {});
    return job;
  }

  private async runNow(
    bytes: Uint8Array,
    params: TessellationParams,
    options: RunOptions,
    attempt = 1,
  ): Promise<GeometryResult> {
    try {
      return await this.runOnce(bytes, params, options);
    } catch (e) {
      // the file never reached the process (it was ending): a fresh one takes it, once
      if (e instanceof NotDelivered && attempt < 2) return this.runNow(bytes, params, options, attempt + 1);
      if (e instanceof NotDelivered)
        throw new GeometryLimitError("CRASHED", "the geometry process could not be started for this file");
      throw e;
    }
  }

  private async runOnce(bytes: Uint8Array, params: TessellationParams, options: RunOptions): Promise<GeometryResult> {
    if (!this.child || !this.ready) await this.start();
    await this.ready;
    const child = this.child as ChildProcess;
    const id = this.nextId++;
    const result = await new Promise<GeometryResult>((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearInterval(watch);
        child.off("message", onMessage);
        child.off("exit", onExit);
        fn();
      };
      const kill = (error: GeometryLimitError) => {
        finish(() => reject(error));
        this.forget(child);
        child.kill("SIGKILL");
      };
      const timer = setTimeout(
        () =>
          kill(
            new GeometryLimitError(
              "TIMEOUT",
              `gave up after ${Math.round(this.limits.timeoutMs / 1000)} s (the file is too complex or malformed)`,
            ),
          ),
        this.limits.timeoutMs,
      );
      const watch = setInterval(() => {
        const rss = rssBytes(child.pid ?? 0);
        this.peakRss = Math.max(this.peakRss, rss);
        if (rss > this.limits.memoryBytes)
          kill(new GeometryLimitError("OUT_OF_MEMORY", `ran out of memory at ${gb(rss)}`));
      }, 100);
      const onMessage = (m: HostMessage) => {
        if (!("id" in m) || m.id !== id) return;
        const reply = m as TessellateReply;
        if (!reply.ok && reply.ending) this.forget(child);
        if (reply.ok)
          finish(() =>
            resolve({
              glb: reply.glb,
              document: reply.document,
              ms: reply.ms,
              timings: reply.timings,
              ...(reply.description ? { description: reply.description } : {}),
            }),
          );
        else finish(() => reject(Object.assign(new Error(reply.message), { geometryReason: reply.reason })));
      };
      const onExit = (code: number | null, signal: string | null) =>
        finish(() =>
          reject(new GeometryLimitError("CRASHED", `the geometry process stopped (${signal ?? `exit ${code}`})`)),
        );
      child.on("message", onMessage);
      child.on("exit", onExit);
      child.send({ id, bytes, params, describe: options.describe } satisfies TessellateRequest, (error) => {
        if (!error) return;
        this.forget(child);
        finish(() => reject(new NotDelivered()));
      });
    });
    const rss = rssBytes(child.pid ?? 0);
    this.peakRss = Math.max(this.peakRss, rss);
    if (this.limits.recycleBytes && rss > this.limits.recycleBytes) this.stop(); // WebAssembly memory never shrinks
    return result;
  }

  /** The next job starts a fresh process (this one is dying). */
  private forget(child: ChildProcess): void {
    if (this.child === child) {
      this.child = null;
      this.ready = null;
    }
  }

  stop(): void {
    this.child?.kill("SIGTERM");
    this.child = null;
    this.ready = null;
  }
}

/**
 * Several geometry processes, each a GeometryRunner with its own limits: a file goes to the one
 * with the fewest files waiting. One process serialises the kernel: with two job slots, the second
 * job's kernel work waited while a core sat idle (a full MFCAD ingest ran with the machine 28% idle).
 */
export class GeometryPool implements GeometryEngine {
  readonly runners: GeometryRunner[];

  constructor(size: number, limits: ConstructorParameters<typeof GeometryRunner>[0]) {
    this.runners = Array.from({ length: Math.max(1, size) }, () => new GeometryRunner(limits));
  }

  run(bytes: Uint8Array, params: TessellationParams, options: RunOptions = {}): Promise<GeometryResult> {
    const free = this.runners.reduce((a, b) => (b.pending < a.pending ? b : a));
    return free.run(bytes, params, options);
  }

  stop(): void {
    for (const r of this.runners) r.stop();
  }
}
