import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { pickleIntList, readPickledIntList } from "./pickle";

/** The shared corpus beside the repository (../shared/corpus). */
const MFCAD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../../shared/corpus/mfcad");

describe("readPickledIntList", () => {
  it("reads every MFCAD .face_truth exactly as labels.json decodes it", () => {
    const labels = JSON.parse(readFileSync(path.join(MFCAD, "labels.json"), "utf8")) as Record<string, number[]>;
    const names = Object.keys(labels);
    expect(names).toHaveLength(60);
    for (const name of names) {
      expect(readPickledIntList(readFileSync(path.join(MFCAD, `${name}.face_truth`))), name).toEqual(labels[name]);
    }
  });

  it("writes each MFCAD .face_truth byte for byte, and reads back what it writes", () => {
    const labels = JSON.parse(readFileSync(path.join(MFCAD, "labels.json"), "utf8")) as Record<string, number[]>;
    for (const [name, truth] of Object.entries(labels))
      expect(Buffer.from(pickleIntList(truth)).equals(readFileSync(path.join(MFCAD, `${name}.face_truth`))), name).toBe(
        true,
      );
    const long = Array.from({ length: 2500 }, (_, i) => (i * 7919) % 70000);
    expect(readPickledIntList(pickleIntList(long))).toEqual(long);
  });

  it("refuses what is not a pickled list of integers", () => {
    expect(() => readPickledIntList(Buffer.from("cos\nsystem\n(S'echo hi'\ntR."))).toThrow(/unsupported pickle opcode/);
    expect(() => readPickledIntList(Uint8Array.from([0x80, 0x02, 0x5d, 0x4b]))).toThrow();
  });
});
