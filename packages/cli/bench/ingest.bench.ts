/**
 * `npx pnpm bench:ingest`: hashing throughput next to `sha256sum` on the same bytes, and push
 * throughput against a real platform (`npm start` on a fresh folder), cold and with everything present.
 * Prints figures and ratios; never fails on a number.
 */
import { execFileSync } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { CORPUS } from "@facet/geometry/testing";
import { createSHA256 } from "hash-wasm";
import { sha256File } from "../src/files";
import { facetJson as facet, machineLine, mb, startBenchPlatform, time } from "./platform";

async function corpusFiles(): Promise<string[]> {
  return (await readdir(CORPUS, { withFileTypes: true, recursive: true }))
    .filter((e) => e.isFile() && /\.(step|stp)$/i.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}

async function hashing(dir: string) {
  // ~256 MB made of the corpus' own bytes, repeated
  const files = await corpusFiles();
  const corpus = Buffer.concat(await Promise.all(files.map((f) => readFile(f))));
  const target = path.join(dir, "hash-input.bin");
  const out = createWriteStream(target);
  let written = 0;
  while (written < 256e6) {
    out.write(corpus);
    written += corpus.length;
  }
  await new Promise((r) => out.end(r));
  execFileSync("cat", [target], { stdio: ["ignore", "ignore", "inherit"] }); // warm the page cache

  const [, sumSeconds] = await time(async () => execFileSync("sha256sum", [target]));
  const [, nodeSeconds] = await time(() => sha256File(target));
  const [, wasmSeconds] = await time(async () => {
    const h = await createSHA256();
    h.init();
    const { createReadStream } = await import("node:fs");
    for await (const chunk of createReadStream(target, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
    return h.digest("hex");
  });
  return { bytes: written, sumSeconds, nodeSeconds, wasmSeconds };
}

async function thousandFiles(dir: string): Promise<string> {
  const base = await readFile(path.join(CORPUS, "mfcad/6-9-9-19.step"), "utf8");
  const folder = path.join(dir, "thousand");
  await mkdir(folder, { recursive: true });
  for (let i = 0; i < 1000; i++) {
    // a distinct file each: a STEP comment after the header line changes the bytes, not the geometry
    await writeFile(
      path.join(folder, `part-${String(i).padStart(4, "0")}.step`),
      base.replace("ISO-10303-21;", `ISO-10303-21;\n/* bench copy ${i} */`),
    );
  }
  return folder;
}

async function main() {
  const dir = await mkdtemp(path.join(os.tmpdir(), "facet-bench-ingest-"));
  const rows: string[] = [];
  try {
    process.stderr.write("hashing 256 MB…\n");
    const h = await hashing(dir);
    const rate = (s: number) => `${mb(h.bytes / s).toFixed(0)} MB/s`;
    rows.push(
      `hashing ${mb(h.bytes).toFixed(0)} MB (page cache warm)`,
      `  sha256sum                 ${rate(h.sumSeconds)}`,
      `  facet CLI (node crypto)   ${rate(h.nodeSeconds)}   ratio to sha256sum ${(h.nodeSeconds / h.sumSeconds).toFixed(2)}x  (target ≤ 1.5x)`,
      `  browser's hasher (hash-wasm, run in node)  ${rate(h.wasmSeconds)}   ratio ${(h.wasmSeconds / h.sumSeconds).toFixed(2)}x`,
    );

    process.stderr.write("starting the platform…\n");
    const { platform, env } = await startBenchPlatform(dir);
    try {
      const files = await corpusFiles();
      const bytes = (await Promise.all(files.map((f) => readFile(f)))).reduce((a, b) => a + b.length, 0);
      const cold = await facet(["push", CORPUS, "--dataset", "corpus"], env);
      const warm = await facet(["push", CORPUS, "--dataset", "corpus"], env);
      const line = (label: string, r: { summary: Record<string, number>; wall: number }) =>
        `  ${label.padEnd(26)} ${r.wall.toFixed(2)} s wall · ${(files.length / r.wall).toFixed(0)} files/s · ${mb(bytes / r.wall).toFixed(1)} MB/s · sent ${mb(r.summary.bytesUploaded ?? 0).toFixed(1)} MB`;
      rows.push(
        `push corpus (${files.length} STEP files, ${mb(bytes).toFixed(1)} MB)`,
        line("cold (all new)", cold),
        line("again (all present)", warm),
      );

      process.stderr.write("pushing 1000 files…\n");
      const folder = await thousandFiles(dir);
      const first = await facet(["push", folder, "--dataset", "thousand"], env);
      const again = await facet(["push", folder, "--dataset", "thousand"], env);
      rows.push(
        "push 1000 small files",
        `  cold                       ${first.wall.toFixed(2)} s wall · ${(1000 / first.wall).toFixed(0)} files/s`,
        `  again (all present)        ${again.wall.toFixed(2)} s wall · ${(1000 / again.wall).toFixed(0)} files/s  (target < 10 s)`,
      );
    } finally {
      await platform.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  process.stdout.write(`\nbench:ingest — ${machineLine()}\n${rows.join("\n")}\n`);
}

await main();
