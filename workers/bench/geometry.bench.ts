/**
 * `npx pnpm bench:geometry`: the full pipeline (read, check, mesh, faces, adjacency, GLB) over the
 * corpus in a warm geometry process, per file and as medians: milliseconds per stage, triangles,
 * faces, peak resident memory; and the same pipeline in native OCCT 7.6 (Debian's libocct, built
 * and run here, warm, in the same run) for the ratio, and through opencascade.js' object API (the
 * stack's binding) on the NIST parts for comparison. When native OCCT cannot be built, the ratio is
 * to the read+mesh reference shipped with the corpus. Also the pre-labelling step that follows
 * tessellation in the job (the built-in recogniser and the combination into a revision document),
 * as a share of the geometry time. Prints figures; never fails on a number.
 */
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildFaceGraph, DEFAULT_TAXONOMY } from "@facet/core";
import { REPO_ROOT } from "@facet/db/testing";
import { DEFAULT_PARAMS, tessellateWithOpencascadeJs } from "@facet/geometry";
import { loadOpencascadeJs } from "@facet/geometry/opencascade-js";
import { CORPUS } from "@facet/geometry/testing";
import { combinePrelabels, createRulePrelabeler, inputFromFacesDocument, RULE_CLASSES } from "@facet/prelabel";
import { GeometryRunner } from "../src/geometry/runner";
import { buildNativeOcct, type NativeRow, runNativeOcct } from "./native/native-occt";

const WARM_UP = "mfcad/0-0-0-0-0-23.step";
const reference = new Map(
  readFileSync(path.join(CORPUS, "native-occt-reference.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { file: string; total_ms: number; faces: number; triangles: number })
    .map((r) => [r.file, r]),
);
const files = [...reference.keys()];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

// native first, so the two never compete for a core
const built = buildNativeOcct(path.join(REPO_ROOT, ".cache/bench"));
let native: Map<string, NativeRow> | null = null;
let nativeNote: string;
if ("binary" in built) {
  process.stderr.write(`native OCCT: running ${files.length} files…\n`);
  native = runNativeOcct(built.binary, CORPUS, DEFAULT_PARAMS, files, WARM_UP);
  nativeNote = "native = the same pipeline in native OCCT 7.6.3 (Debian libocct), warm, measured in this run";
} else {
  nativeNote = `native = read+mesh reference from native-occt-reference.jsonl (native OCCT not built here: ${built.reason})`;
}

const runner = new GeometryRunner({ timeoutMs: 600_000, memoryBytes: 16 * 1024 ** 3 });
await runner.run(readFileSync(path.join(CORPUS, WARM_UP)), DEFAULT_PARAMS);
process.stderr.write(`OpenCascade (wasm) loaded in ${runner.lastInitMs} ms; measuring ${files.length} files…\n`);

interface Row {
  file: string;
  ms: number;
  stages: Record<string, number>;
  native: number;
  readMesh: number;
  ratio: number;
  faces: number;
  sameFaces: boolean;
  triangles: number;
  rssMb: number;
  /** The pre-labelling step: recognise, then combine into the revision document. */
  prelabelMs: number;
}
const rules = createRulePrelabeler();
async function prelabel(document: Awaited<ReturnType<GeometryRunner["run"]>>["document"]): Promise<number> {
  const started = performance.now();
  const result = await rules.predict(inputFromFacesDocument(document));
  combinePrelabels([result], {
    faceSignature: document.signature,
    faceCount: document.faceCount,
    featureKeys: RULE_CLASSES,
    context: { graph: buildFaceGraph(document), taxonomy: DEFAULT_TAXONOMY },
  });
  return performance.now() - started;
}
const rows: Row[] = [];
for (const [index, file] of files.entries()) {
  runner.peakRss = 0;
  const bytes = readFileSync(path.join(CORPUS, file));
  const started = performance.now();
  const result = await runner.run(bytes, DEFAULT_PARAMS);
  const ms = performance.now() - started;
  const prelabelMs = await prelabel(result.document);
  const ref = reference.get(file) as { total_ms: number; faces: number };
  const own = native?.get(file);
  const nativeMs = own ? own.total_ms : ref.total_ms;
  rows.push({
    file,
    ms,
    stages: result.timings,
    native: nativeMs,
    readMesh: own ? own.read_ms + own.mesh_ms : ref.total_ms,
    ratio: ms / nativeMs,
    faces: result.document.faceCount,
    sameFaces: result.document.faceCount === (own?.faces ?? ref.faces),
    triangles: result.document.triangleCount,
    rssMb: runner.peakRss / 1e6,
    prelabelMs,
  });
  process.stderr.write(`\r${index + 1}/${files.length} ${file.padEnd(50)}`);
}
runner.stop();
process.stderr.write("\n");

// the same pipeline through opencascade.js' object API (the stack's binding), NIST parts, warm
process.stderr.write("opencascade.js: loading and running the NIST parts…\n");
const oc = await loadOpencascadeJs();
tessellateWithOpencascadeJs(oc, readFileSync(path.join(CORPUS, WARM_UP)), DEFAULT_PARAMS);
const viaBinding = new Map<string, number>();
for (const r of rows.filter((row) => row.file.startsWith("nist-pmi/"))) {
  const started = performance.now();
  tessellateWithOpencascadeJs(oc, readFileSync(path.join(CORPUS, r.file)), DEFAULT_PARAMS);
  viaBinding.set(r.file, performance.now() - started);
}

const pad = (s: string | number, n: number) => String(s).padStart(n);
const f0 = (x: number | undefined) => (x ?? 0).toFixed(0);
const out = [
  `bench:geometry — ${os.cpus().length} cores, Node ${process.versions.node}, deflection ${DEFAULT_PARAMS.relativeDeflection} × diagonal, ${DEFAULT_PARAMS.angularDeflection} rad`,
  nativeNote,
  `${"file".padEnd(44)} ${pad("ms", 7)} ${pad("read", 6)} ${pad("mesh", 6)} ${pad("faces", 6)} ${pad("adj", 5)} ${pad("native", 7)} ${pad("ratio", 6)} ${pad("faces", 6)} ${pad("tris", 7)} ${pad("RSS MB", 7)} ${pad("pre", 5)}`,
];
for (const r of rows) {
  const s = r.stages;
  out.push(
    `${r.file.padEnd(44)} ${pad(f0(r.ms), 7)} ${pad(f0(s.read), 6)} ${pad(f0(s.mesh), 6)} ${pad(f0(s.faces), 6)} ${pad(f0(s.adjacency), 5)} ${pad(f0(r.native), 7)} ${pad(r.ratio.toFixed(2), 6)} ${pad(`${r.faces}${r.sameFaces ? "" : "≠"}`, 6)} ${pad(r.triangles, 7)} ${pad(r.rssMb.toFixed(0), 7)} ${pad(r.prelabelMs.toFixed(1), 5)}`,
  );
}
const mismatched = rows.filter((r) => !r.sameFaces);
if (mismatched.length) out.push(`face count differs from native OCCT (≠): ${mismatched.map((r) => r.file).join(", ")}`);
for (const [label, prefix] of [
  ["NIST", "nist-pmi/"],
  ["MFCAD", "mfcad/"],
  ["AAGNet", "aagnet/"],
] as const) {
  const sel = rows.filter((r) => r.file.startsWith(prefix));
  out.push(
    `${label.padEnd(7)} median ${f0(median(sel.map((r) => r.ms)))} ms (native ${f0(median(sel.map((r) => r.native)))} ms), worst ${f0(Math.max(...sel.map((r) => r.ms)))} ms (${sel.reduce((a, b) => (b.ms > a.ms ? b : a)).file}), median ratio ${median(sel.map((r) => r.ratio)).toFixed(2)}`,
  );
}
const nist = rows.filter((r) => r.file.startsWith("nist-pmi/"));
if (native) {
  out.push(
    `NIST    wasm read alone vs native read+mesh: median ratio ${median(nist.map((r) => (r.stages.read ?? 0) / r.readMesh)).toFixed(2)}; full pipeline vs native read+mesh: median ratio ${median(nist.map((r) => r.ms / r.readMesh)).toFixed(2)}`,
  );
}
out.push(
  `NIST    opencascade.js (same pipeline through its object API, in-process): median ${f0(median([...viaBinding.values()]))} ms, worst ${f0(Math.max(...viaBinding.values()))} ms, median ratio to native ${median(nist.map((r) => (viaBinding.get(r.file) ?? 0) / r.native)).toFixed(2)}; the kernel is ${median(nist.map((r) => (viaBinding.get(r.file) ?? 0) / r.ms)).toFixed(2)}x faster (median)`,
);
const share = nist.map((r) => r.prelabelMs / r.ms);
out.push(
  `NIST    pre-labelling (built-in rules) adds median ${(median(share) * 100).toFixed(2)}%, worst ${(Math.max(...share) * 100).toFixed(2)}% to the geometry job time (target < 20%); median ${median(nist.map((r) => r.prelabelMs)).toFixed(1)} ms, worst ${Math.max(...nist.map((r) => r.prelabelMs)).toFixed(1)} ms`,
);
out.push(`peak resident memory of the geometry process: ${f0(Math.max(...rows.map((r) => r.rssMb)))} MB`);
out.push(`median ratio to native: ${median(nist.map((r) => r.ratio)).toFixed(2)}`);
process.stdout.write(`${out.join("\n")}\n`);
