import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

/**
 * The kernel is committed pre-built (building it takes an hour with emscripten). `wasm/BUILD.json`,
 * written by `native/build.mjs`, records the hashes of what it was built from and of what it wrote:
 * a change to the C++ pipeline, the build script or the source list without a rebuild fails here,
 * and so does a wasm that is not the one the build wrote.
 */
interface WasmModules {
  Module: { new (bytes: Uint8Array): object; imports(module: object): { name: string }[] };
}
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const sha = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");
const build = JSON.parse(readFileSync(path.join(root, "wasm/BUILD.json"), "utf8")) as {
  occt: string;
  compile: string[];
  inputs: Record<string, string>;
  outputs: Record<string, string>;
};

it("was built from the sources in native/ and is the build's output", () => {
  expect(Object.keys(build.inputs).sort()).toEqual(["build.mjs", "facet-occt.cpp", "sources.txt"]);
  for (const [file, hash] of Object.entries(build.inputs))
    expect(sha(path.join(root, "native", file)), file).toBe(hash);
  for (const [file, hash] of Object.entries(build.outputs)) expect(sha(path.join(root, "wasm", file)), file).toBe(hash);
});

it("is OCCT 7.6.3 with native WebAssembly exceptions", () => {
  expect(build.occt).toBe("7.6.3");
  expect(build.compile).toContain("-fwasm-exceptions");
  // a module compiled with JavaScript-emulated exceptions imports invoke_* trampolines; this one none
  const api = (globalThis as unknown as { WebAssembly: WasmModules }).WebAssembly;
  const wasm = new api.Module(readFileSync(path.join(root, "wasm/facet-occt.wasm")));
  const imports = api.Module.imports(wasm).map((i) => i.name);
  expect(imports.filter((name) => name.startsWith("invoke_"))).toEqual([]);
});
