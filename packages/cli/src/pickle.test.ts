import { readFileSync } from "node:fs";
import path from "node:path";
import { CORPUS } from "@facet/geometry/testing";
import { describe, expect, it } from "vitest";
import { readPickledIntList } from "./pickle";

const MFCAD = path.join(CORPUS, "mfcad");

describe("readPickledIntList", () => {
  it("reads every MFCAD .face_truth exactly as labels.json decodes it", () => {
    const labels = JSON.parse(readFileSync(path.join(MFCAD, "labels.json"), "utf8")) as Record<string, number[]>;
    const names = Object.keys(labels);
    expect(names).toHaveLength(60);
    for (const name of names) {
      expect(readPickledIntList(readFileSync(path.join(MFCAD, `${name}.face_truth`))), name).toEqual(labels[name]);
    }
  });

  it("refuses what is not a pickled list of integers", () => {
    expect(() => readPickledIntList(Buffer.from("cos\nsystem\n(S'echo hi'\ntR."))).toThrow(/unsupported pickle opcode/);
    expect(() => readPickledIntList(Uint8Array.from([0x80, 0x02, 0x5d, 0x4b]))).toThrow();
  });
});
