import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { opendir, stat } from "node:fs/promises";
import path from "node:path";

export const STEP_EXTENSIONS = [".step", ".stp", ".p21"];

export interface LocalFile {
  path: string;
  name: string;
  size: number;
}

/** Every STEP file under `dir` (by extension, case-insensitive), in a stable order. */
export async function findStepFiles(dir: string): Promise<{ files: LocalFile[]; ignored: number }> {
  const files: LocalFile[] = [];
  let ignored = 0;
  async function walk(d: string): Promise<void> {
    for await (const entry of await opendir(d)) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) {
        if (!entry.name.startsWith(".")) await walk(p);
      } else if (entry.isFile()) {
        if (STEP_EXTENSIONS.includes(path.extname(entry.name).toLowerCase())) {
          files.push({ path: p, name: entry.name, size: (await stat(p)).size });
        } else {
          ignored++;
        }
      }
    }
  }
  await walk(dir);
  files.sort((a, b) => a.path.localeCompare(b.path));
  return { files, ignored };
}

/** SHA-256 of a file, streamed (never the whole file in memory). */
export function sha256File(file: string, onBytes?: (n: number) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(file, { highWaterMark: 1 << 20 })
      .on("data", (chunk) => {
        hash.update(chunk);
        onBytes?.(chunk.length);
      })
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });
}

/** Run `fn` over `items` with at most `limit` at once. */
export async function eachLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  });
  await Promise.all(workers);
}
