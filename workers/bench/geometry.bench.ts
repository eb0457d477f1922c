/**
 * `npx pnpm bench:geometry`: the full pipeline (read, check, mesh, faces, adjacency, GLB) over the
 * corpus in a warm geometry process, per file and as medians: milliseconds, triangles, faces, peak
 * resident memory, and the ratio to native OCCT 7.6.3 measured on this machine class
 * (../shared/corpus/native-occt-reference.jsonl). Prints figures; never fails on a number.
 */
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT } from "@facet/db/testing";
import { DEFAULT_PARAMS } from "@facet/geometry";
import { GeometryRunner } from "../src/geometry/runner";

const CORPUS = path.resolve(REPO_ROOT, "../shared/corpus");
const reference = readFileSync(path.join(CORPUS, "native-occt-reference.jsonl"), "utf8")
  .split("\n")
  .filter(Boolean)
  .map((l) => JSON.parse(l) as { file: string; total_ms: number; faces: number; triangles: number });

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

const runner = new GeometryRunner({ timeoutMs: 600_000, memoryBytes: 16 * 1024 ** 3 });
// warm up: load OpenCascade and JIT the pipeline on one small part
await runner.run(readFileSync(path.join(CORPUS, "mfcad/0-0-0-0-0-23.step")), DEFAULT_PARAMS);
process.stderr.write(`OpenCascade loaded in ${runner.lastInitMs} ms; measuring ${reference.length} files…\n`);

const rows: Array<{
  file: string;
  ms: number;
  native: number;
  ratio: number;
  faces: number;
  triangles: number;
  rssMb: number;
}> = [];
for (const ref of reference) {
  runner.peakRss = 0;
  const bytes = readFileSync(path.join(CORPUS, ref.file));
  const started = performance.now();
  const result = await runner.run(bytes, DEFAULT_PARAMS);
  const ms = performance.now() - started;
  rows.push({
    file: ref.file,
    ms,
    native: ref.total_ms,
    ratio: ms / ref.total_ms,
    faces: result.document.faceCount,
    triangles: result.document.triangleCount,
    rssMb: runner.peakRss / 1e6,
  });
}
runner.stop();

const pad = (s: string | number, n: number) => String(s).padStart(n);
const out = [
  `bench:geometry — ${os.cpus().length} cores, Node ${process.versions.node}, deflection ${DEFAULT_PARAMS.relativeDeflection} × diagonal, ${DEFAULT_PARAMS.angularDeflection} rad`,
];
out.push(
  `${"file".padEnd(44)} ${pad("ms", 8)} ${pad("native", 8)} ${pad("ratio", 6)} ${pad("faces", 6)} ${pad("tris", 7)} ${pad("RSS MB", 7)}`,
);
for (const r of rows) {
  out.push(
    `${r.file.padEnd(44)} ${pad(r.ms.toFixed(0), 8)} ${pad(r.native.toFixed(0), 8)} ${pad(r.ratio.toFixed(2), 6)} ${pad(r.faces, 6)} ${pad(r.triangles, 7)} ${pad(r.rssMb.toFixed(0), 7)}`,
  );
}
for (const [label, filter] of [
  ["NIST", (r: (typeof rows)[number]) => r.file.startsWith("nist-pmi/")],
  ["MFCAD", (r: (typeof rows)[number]) => r.file.startsWith("mfcad/")],
  ["AAGNet", (r: (typeof rows)[number]) => r.file.startsWith("aagnet/")],
] as const) {
  const sel = rows.filter(filter);
  out.push(
    `${label.padEnd(7)} median ${median(sel.map((r) => r.ms)).toFixed(0)} ms (native ${median(sel.map((r) => r.native)).toFixed(0)} ms), worst ${Math.max(...sel.map((r) => r.ms)).toFixed(0)} ms, median ratio ${median(sel.map((r) => r.ratio)).toFixed(2)}`,
  );
}
out.push(`peak resident memory of the geometry process: ${Math.max(...rows.map((r) => r.rssMb)).toFixed(0)} MB`);
out.push(
  `median ratio to native: ${median(rows.filter((r) => r.file.startsWith("nist-pmi/")).map((r) => r.ratio)).toFixed(2)}`,
);
process.stdout.write(`${out.join("\n")}\n`);
