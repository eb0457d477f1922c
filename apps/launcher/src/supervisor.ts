import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import readline from "node:readline";
import { createLogger, type Logger } from "@facet/core";
import { formatChildLine, type LogFormat, parseLogFormat } from "./pretty";

export interface ChildSpec {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
  /** How long a SIGTERM may take before SIGKILL. */
  stopTimeoutMs: number;
  /** How children's lines are shown: readable (default) or JSON lines (FACET_LOG_FORMAT). */
  logFormat?: LogFormat;
}

/** FACET_LOG_FORMAT as `npm start` was given it (checked once; a bad value stops the start). */
const defaultFormat = () => parseLogFormat(process.env.FACET_LOG_FORMAT);

/**
 * A child process kept running: its lines shown on the console (JSON log lines made readable, see
 * pretty.ts) and appended to its log file as they came, restarted with backoff when it dies
 * unexpectedly, stopped with SIGTERM then SIGKILL.
 */
export class Supervised {
  private child: ChildProcess | null = null;
  private stopping = false;
  private restarts: number[] = [];
  private readonly log: WriteStream;
  private readonly format: LogFormat;
  private readonly colour = Boolean(process.stdout.isTTY);
  /** The supervisor's own lines (restarts) with FACET_LOG_FORMAT=json. */
  private readonly says: Logger;

  constructor(
    private readonly spec: ChildSpec,
    private readonly onFatal: (message: string) => void,
    private readonly onPid: () => void,
  ) {
    this.log = createWriteStream(spec.logFile, { flags: "a" });
    this.format = spec.logFormat ?? defaultFormat();
    this.says = createLogger({
      process: "launcher",
      fields: { child: spec.name },
      write: (line) => process.stdout.write(`${line}\n`),
    });
  }

  private show(name: string, line: string, stream: "stdout" | "stderr"): void {
    process.stdout.write(`${formatChildLine(name, line, { format: this.format, stream, colour: this.colour })}\n`);
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
    for (const [stream, from] of [
      [child.stdout, "stdout"],
      [child.stderr, "stderr"],
    ] as const) {
      readline.createInterface({ input: stream }).on("line", (line) => {
        this.log.write(`${new Date().toISOString()} ${line}\n`);
        this.show(this.spec.name, line, from);
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
      const text = `stopped (${signal ?? `exit ${code}`}); restarting in ${delay} ms`;
      // readable: as the launcher's other lines (`[worker] stopped (SIGKILL); restarting in 500 ms`)
      if (this.format === "json") this.says.warn(text, { restart_in_ms: delay });
      else process.stdout.write(`[${this.spec.name}] ${text}\n`);
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
