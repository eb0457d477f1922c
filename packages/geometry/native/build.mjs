#!/usr/bin/env node
// Builds the geometry kernel: OCCT 7.6.3 (Debian's source, the same version as the native reference) and
// facet-occt.cpp compiled to WebAssembly with emscripten, with native wasm exceptions (-fwasm-exceptions).
//
//   apt-get install emscripten            (3.1.6 in Debian 12; acorn for its JS optimiser: see README here)
//   apt-get source --download-only opencascade && tar xf opencascade_7.6.3+dfsg1.orig.tar.xz
//   node packages/geometry/native/build.mjs <occt-source-dir> [<build-dir>]
//
// Writes packages/geometry/wasm/facet-occt.mjs and facet-occt.wasm. Only the toolkits the pipeline
// needs are compiled (STEP reading, shape healing, meshing, and what they depend on).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const [occtArg, buildArg] = process.argv.slice(2);
if (!occtArg) {
  console.error("usage: node build.mjs <occt-source-dir> [<build-dir>]");
  process.exit(2);
}
const occt = path.resolve(occtArg);
const build = path.resolve(buildArg ?? path.join(occt, "..", "facet-occt-build"));
const out = path.resolve(here, "..", "wasm");

const TOOLKITS = [
  "TKernel",
  "TKMath",
  "TKG2d",
  "TKG3d",
  "TKGeomBase",
  "TKBRep",
  "TKGeomAlgo",
  "TKTopAlgo",
  "TKShHealing",
  "TKMesh",
  "TKXSBase",
  "TKSTEPBase",
  "TKSTEPAttr",
  "TKSTEP209",
  "TKSTEP",
];
const COMMON = ["-O2", "-fwasm-exceptions", "-w"];
const CXXFLAGS = [...COMMON, "-std=c++17"];

const lines = (file) =>
  readFileSync(file, "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));

// every OCCT header in one folder, as OCCT's own build does (inc/)
const inc = path.join(build, "inc");
mkdirSync(inc, { recursive: true });
for (const pkg of readdirSync(path.join(occt, "src"))) {
  const dir = path.join(occt, "src", pkg);
  if (!existsSync(path.join(dir, "FILES"))) continue;
  for (const f of readdirSync(dir)) {
    if (!/\.(hxx|lxx|gxx|pxx|h)$/.test(f)) continue;
    const link = path.join(inc, f);
    if (!existsSync(link)) symlinkSync(path.join(dir, f), link);
  }
}

// The data-exchange toolkits are thousands of small STEP entity classes that each parse the same
// headers: they are compiled in unity chunks (CHUNK files per translation unit; a chunk that does not
// compile as one falls back to its files one by one). The other toolkits are compiled file by file,
// only the files listed in sources.txt: those the pipeline links (found by linking until nothing was
// undefined; the rest of those toolkits, intersection and approximation algorithms the STEP reader
// and the mesher never call, would double the build time).
const linked = new Set(lines(path.join(here, "sources.txt")));
const UNITY = new Set(["TKXSBase", "TKSTEPBase", "TKSTEPAttr", "TKSTEP209", "TKSTEP"]);
const CHUNK = 40;
const sources = [];
const chunks = [];
for (const tk of TOOLKITS) {
  for (const pkg of lines(path.join(occt, "src", tk, "PACKAGES"))) {
    const files = lines(path.join(occt, "src", pkg, "FILES"))
      .filter((f) => /\.(cxx|cpp|c)$/.test(f))
      .map((f) => path.join(occt, "src", pkg, f));
    const cxx = files.filter((f) => f.endsWith(".cxx"));
    if (UNITY.has(tk) && cxx.length > 1) {
      for (let i = 0; i < cxx.length; i += CHUNK)
        chunks.push({ name: `${pkg}_${i / CHUNK}`, files: cxx.slice(i, i + CHUNK) });
      sources.push(...files.filter((f) => !f.endsWith(".cxx")));
    } else {
      sources.push(...files.filter((f) => linked.has(path.relative(path.join(occt, "src"), f))));
    }
  }
}

const esc = (s) => s.replace(/ /g, "$ ");
const objects = [];
let ninja = `cxxflags = ${CXXFLAGS.join(" ")} -I${esc(inc)}
cflags = ${COMMON.join(" ")} -I${esc(inc)}
rule cxx
  command = em++ $cxxflags -c $in -o $out
  description = CXX $in
rule cc
  command = emcc $cflags -c $in -o $out
  description = CC $in
rule unity
  command = em++ $cxxflags -c $in -o $out 2>/dev/null || { set -e; for s in $parts; do em++ $cxxflags -c $$s -o $out.$$(basename $$s).o; done; em++ -r $out.*.o -o $out; }
  description = UNITY $in
rule link
  command = em++ $ldflags @$out.rsp -o $out
  rspfile = $out.rsp
  rspfile_content = $in
  description = LINK $out
`;
for (const src of sources) {
  const rel = path.relative(path.join(occt, "src"), src);
  const obj = path.join(build, "obj", `${rel}.o`);
  objects.push(obj);
  ninja += `build ${esc(obj)}: ${src.endsWith(".c") ? "cc" : "cxx"} ${esc(src)}\n`;
}
mkdirSync(path.join(build, "unity"), { recursive: true });
for (const chunk of chunks) {
  const unit = path.join(build, "unity", `${chunk.name}.cxx`);
  const text = chunk.files.map((f) => `#include "${f}"\n`).join("");
  if (!existsSync(unit) || readFileSync(unit, "utf8") !== text) writeFileSync(unit, text);
  const obj = path.join(build, "obj", "unity", `${chunk.name}.o`);
  objects.push(obj);
  ninja += `build ${esc(obj)}: unity ${esc(unit)} | ${chunk.files.map(esc).join(" ")}\n  parts = ${chunk.files.join(" ")}\n`;
}
ninja += `build occt: phony ${objects.map(esc).join(" ")}\n`;
const pipelineObj = path.join(build, "obj", "facet-occt.o");
ninja += `build ${esc(pipelineObj)}: cxx ${esc(path.join(here, "facet-occt.cpp"))}\n`;
ninja += `build step: phony ${esc(pipelineObj)} ${chunks.map((c) => esc(path.join(build, "obj", "unity", `${c.name}.o`))).join(" ")}\n`;
const LDFLAGS = [
  ...COMMON,
  "-sMODULARIZE=1",
  "-sEXPORT_NAME=createFacetOcct",
  "-sENVIRONMENT=web,worker",
  "-sEXPORT_ES6=1",
  "-sALLOW_MEMORY_GROWTH=1",
  "-sMAXIMUM_MEMORY=4GB",
  "-sINITIAL_MEMORY=64MB",
  "-sTOTAL_STACK=5MB",
  "-sFILESYSTEM=1",
  "-sEXPORTED_FUNCTIONS=_malloc,_free,_facet_run,_facet_result,_facet_release",
  "-sEXPORTED_RUNTIME_METHODS=FS,HEAPU8,HEAPF32,HEAPF64,HEAPU32,HEAP32,UTF8ToString",
];
ninja += `build ${esc(path.join(out, "facet-occt.mjs"))}: link ${objects.map(esc).join(" ")} ${esc(pipelineObj)}
  ldflags = ${LDFLAGS.join(" ")}
`;
mkdirSync(build, { recursive: true });
mkdirSync(out, { recursive: true });
writeFileSync(path.join(build, "build.ninja"), ninja);
console.log(`${sources.length} OCCT sources and ${chunks.length} unity chunks; building in ${build}`);
if (!process.argv.includes("--configure-only")) {
  execFileSync("ninja", ["-C", build, ...(process.env.NINJA_JOBS ? ["-j", process.env.NINJA_JOBS] : [])], {
    stdio: "inherit",
  });
  writeFileSync(path.join(out, "BUILD.json"), `${JSON.stringify(provenance(), null, 2)}\n`);
}

/** What the committed kernel was built from; src/kernel-build.test.ts checks it against the sources. */
function provenance() {
  const sha = (file) => createHash("sha256").update(readFileSync(file)).digest("hex");
  const version = /OCC_VERSION_COMPLETE\s+"([^"]+)"/.exec(
    readFileSync(path.join(occt, "src/Standard/Standard_Version.hxx"), "utf8"),
  )?.[1];
  return {
    occt: version,
    emscripten: execFileSync("emcc", ["--version"], { encoding: "utf8" }).split("\n")[0],
    compile: CXXFLAGS,
    link: LDFLAGS,
    toolkits: TOOLKITS,
    occtSources: sources.length + chunks.reduce((n, c) => n + c.files.length, 0),
    inputs: Object.fromEntries(["facet-occt.cpp", "build.mjs", "sources.txt"].map((f) => [f, sha(path.join(here, f))])),
    outputs: Object.fromEntries(["facet-occt.mjs", "facet-occt.wasm"].map((f) => [f, sha(path.join(out, f))])),
  };
}
