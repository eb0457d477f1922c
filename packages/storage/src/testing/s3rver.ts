import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";

/** s3rver's built-in account: it checks that the access key exists, not the signature. */
export const S3RVER_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

export interface RunningS3rver {
  endpoint: string;
  directory: string;
  stop(): Promise<void>;
}

/**
 * Starts s3rver (a real S3 API server) on a free port of 127.0.0.1 with the given buckets, in a child process: its
 * ListObjectsV2 continuation tokens use DES, which Node 17+ only has with `--openssl-legacy-provider`. The child
 * exits when its stdin closes, so it does not outlive the test process.
 */
export async function startS3rver(buckets: string[]): Promise<RunningS3rver> {
  const directory = await mkdtemp(path.join(os.tmpdir(), "facet-s3rver-"));
  const modulePath = createRequire(import.meta.url).resolve("s3rver");
  const script = `
    const S3rver = require(${JSON.stringify(modulePath)});
    const server = new S3rver(${JSON.stringify({
      port: 0,
      address: "127.0.0.1",
      silent: true,
      directory,
      configureBuckets: buckets.map((name) => ({ name })),
    })});
    server.run().then(
      (address) => process.stdout.write(JSON.stringify({ port: address.port }) + "\\n"),
      (error) => { console.error(error); process.exit(1); },
    );
    process.stdin.resume();
    process.stdin.on("end", () => server.close().finally(() => process.exit(0)));
  `;
  const child: ChildProcess = spawn(process.execPath, ["--openssl-legacy-provider", "-e", script], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", (line) => resolve((JSON.parse(line) as { port: number }).port));
    child.once("exit", (code) => reject(new Error(`s3rver exited with ${code}`)));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    directory,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.stdin!.end();
        const timer = setTimeout(() => child.kill(), 5000);
        await exited;
        clearTimeout(timer);
      }
      await rm(directory, { recursive: true, force: true });
    },
  };
}
