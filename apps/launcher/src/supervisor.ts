import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import readline from "node:readline";

export interface ChildSpec {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
  /** How long a SIGTERM may take before SIGKILL. */
  stopTimeoutMs: number;
}

/**
 * A child process kept running: output prefixed on the console and appended to its log file,
 * restarted with backoff when it dies unexpectedly, stopped with SIGTERM then SIGKILL.
 */
export class Supervised {
  private child: ChildProcess | null = null;
  private stopping = false;
  private restarts: number[] = [];
  private readonly log: WriteStream;

  constructor(
    private readonly spec: ChildSpec,
    private readonly onFatal: (message: string) => void,
    private readonly onPid: () => void,
  ) {
    this.log = createWriteStream(spec.logFile, { flags: "a" });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    const child = spawn(this.spec.command, this.spec.args, {
      cwd: this.spec.cwd,
      env: this.spec.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    this.onPid();
    for (const stream of [child.stdout, child.stderr]) {
      readline.createInterface({ input: stream }).on("line", (line) => {
        this.log.write(`${new Date().toISOString()} ${line}\n`);
        process.stdout.write(`[${this.spec.name}] ${line}\n`);
      });
    }
    child.on("exit", (code, signal) => {
      if (this.child === child) this.child = null;
      if (this.stopping) return;
      const now = Date.now();
      this.restarts = this.restarts.filter((t) => now - t < 60_000);
      if (this.restarts.length >= 5) {
        this.onFatal(
          `${this.spec.name} keeps stopping (5 times in a minute, last: ${signal ?? `exit ${code}`}); see ${this.spec.logFile}`,
        );
        return;
      }
      this.restarts.push(now);
      const delay = 500 * 2 ** (this.restarts.length - 1);
      process.stdout.write(`[${this.spec.name}] stopped (${signal ?? `exit ${code}`}); restarting in ${delay} ms\n`);
      setTimeout(() => {
        if (!this.stopping) this.start();
      }, delay);
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), this.spec.stopTimeoutMs);
      await exited;
      clearTimeout(timer);
    }
    await new Promise<void>((r) => this.log.end(r));
  }
}
