import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { isProcessAlive } from "@facet/db/process";

async function cmdline(pid: number): Promise<string> {
  return readFile(`/proc/${pid}/cmdline`, "utf8").then(
    (s) => s.replaceAll("\0", " "),
    () => "",
  );
}

/**
 * One launcher per data folder. A lock held by a live launcher is refused with a clear message;
 * a lock left by a launcher that was killed is taken over (and said so).
 */
export async function acquireLock(dataDir: string, info: { port: number }, say: (m: string) => void) {
  const file = path.join(dataDir, "facet.pid");
  const previous = await readFile(file, "utf8").then(
    (s) => JSON.parse(s) as { pid: number; port: number; startedAt: string },
    () => null,
  );
  if (
    previous &&
    previous.pid !== process.pid &&
    isProcessAlive(previous.pid) &&
    (await cmdline(previous.pid)).includes("node")
  ) {
    throw new Error(
      `Facet is already running from ${dataDir} (pid ${previous.pid}, http://localhost:${previous.port}). ` +
        `Stop it first (Ctrl+C in its terminal, or kill ${previous.pid}).`,
    );
  }
  if (previous) {
    say(`The previous run (pid ${previous.pid}, started ${previous.startedAt}) did not stop cleanly; recovering.`);
  }
  await writeFile(file, JSON.stringify({ pid: process.pid, port: info.port, startedAt: new Date().toISOString() }));
  return {
    async release() {
      await rm(file, { force: true });
    },
  };
}
