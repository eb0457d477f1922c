import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Running the `facet` command as a person does, for tests. */
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const BIN = path.join(REPO, "packages/cli/bin/facet.mjs");

export interface FacetRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `facet ARGS…` in a child process with no standard input; resolves when it exits. */
export function facet(args: string[], env: NodeJS.ProcessEnv = {}): Promise<FacetRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}
