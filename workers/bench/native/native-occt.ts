import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Native OCCT for the geometry benchmark: `occt-pipeline.cpp` compiled here against Debian's
 * libocct 7.6 (installed with apt-get when missing and we are root), cached by source hash.
 * Returns null, with the reason, when it cannot be built: the benchmark then falls back to the
 * reference figures shipped with the corpus.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const SOURCE = path.join(here, "occt-pipeline.cpp");
const HEADER = "/usr/include/opencascade/STEPControl_Reader.hxx";
const PACKAGES = ["libocct-data-exchange-dev", "libocct-modeling-algorithms-dev", "libocct-modeling-data-dev"];
const LIBS = [
  "TKSTEP",
  "TKSTEPBase",
  "TKSTEPAttr",
  "TKSTEP209",
  "TKXSBase",
  "TKMesh",
  "TKShHealing",
  "TKTopAlgo",
  "TKGeomAlgo",
  "TKBRep",
  "TKGeomBase",
  "TKG3d",
  "TKG2d",
  "TKMath",
  "TKernel",
];

export interface NativeRow {
  file: string;
  ok: boolean;
  faces: number;
  triangles: number;
  read_ms: number;
  mesh_ms: number;
  faces_ms: number;
  adjacency_ms: number;
  total_ms: number;
}

function log(message: string) {
  process.stderr.write(`native OCCT: ${message}\n`);
}

export function buildNativeOcct(cacheDir: string): { binary: string } | { reason: string } {
  if (!existsSync(HEADER)) {
    if (process.getuid?.() !== 0) return { reason: `${HEADER} is missing (apt-get install ${PACKAGES.join(" ")})` };
    log(`installing ${PACKAGES.join(", ")} with apt-get…`);
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    spawnSync("apt-get", ["update"], { stdio: "ignore", env });
    const install = spawnSync("apt-get", ["install", "-y", "--no-install-recommends", ...PACKAGES], {
      stdio: "ignore",
      env,
    });
    if (install.status !== 0 || !existsSync(HEADER)) return { reason: "apt-get could not install libocct-*-dev" };
  }
  const source = readFileSync(SOURCE);
  const binary = path.join(cacheDir, `occt-pipeline-${createHash("sha256").update(source).digest("hex").slice(0, 12)}`);
  if (existsSync(binary)) return { binary };
  mkdirSync(cacheDir, { recursive: true });
  log("compiling occt-pipeline.cpp…");
  const args = ["-O2", "-std=c++17", "-w", "-I/usr/include/opencascade", SOURCE, "-o", binary];
  const build = spawnSync("g++", [...args, ...LIBS.map((l) => `-l${l}`)], { encoding: "utf8" });
  if (build.status !== 0) return { reason: `g++ failed: ${(build.stderr || String(build.error)).slice(0, 400)}` };
  return { binary };
}

/** Runs the native pipeline over the files in one warm process (after one warm-up file). */
export function runNativeOcct(
  binary: string,
  corpus: string,
  params: { relativeDeflection: number; angularDeflection: number },
  files: string[],
  warmUp: string,
): Map<string, NativeRow> {
  const out = execFileSync(
    binary,
    [corpus, String(params.relativeDeflection), String(params.angularDeflection), warmUp, ...files],
    { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  const rows = out
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as NativeRow);
  rows.shift(); // the warm-up
  return new Map(rows.map((r) => [r.file, r]));
}
