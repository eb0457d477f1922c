import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DEFAULT_TAXONOMY } from "../taxonomy";
import { FUSION360_SEG_CLASSES, FUSION360_SEG_KEYS, fusion360SegLabels, readSegFile } from "./fusion360-seg";
import { readMfinstsegClasses } from "./mfinstseg";

const CORPUS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../../shared/corpus");

describe("Fusion 360 Gallery .seg files", () => {
  it("reads one class index per line, with or without a final newline or CRs", () => {
    expect(readSegFile("0\n1\n4\n7\n")).toEqual([0, 1, 4, 7]);
    expect(readSegFile("2\r\n3")).toEqual([2, 3]);
    expect(readSegFile("")).toEqual([]);
  });

  it("refuses what is not a known class index, naming the line", () => {
    expect(() => readSegFile("0\n8\n")).toThrow(/line 2 is "8", not a class index from 0 to 7/);
    expect(() => readSegFile("0\n\n1\n")).toThrow(/line 2/);
    expect(() => readSegFile("1.5\n")).toThrow(/line 1/);
    expect(() => readSegFile("-1\n")).toThrow(/line 1/);
    expect(() => readSegFile("ExtrudeSide\n")).toThrow(/line 1/);
  });

  it("labels faces with snake_case feature keys in the dataset's class order, and checks the face count", () => {
    // the same classes in the same order as the default taxonomy's crosswalk, whose two counterparts are these keys
    const crosswalk = DEFAULT_TAXONOMY.crosswalks.fusion360_segmentation?.classes ?? [];
    expect(crosswalk).toHaveLength(8);
    expect(crosswalk.map((c) => c.name)).toEqual(FUSION360_SEG_CLASSES.map((c) => c.name));
    for (const c of crosswalk) if (c.feature) expect(FUSION360_SEG_KEYS[Number(c.id)]).toBe(c.feature);
    expect(FUSION360_SEG_KEYS).toEqual(
      "extrude_side extrude_end cut_side cut_end fillet chamfer revolve_side revolve_end".split(" "),
    );
    expect(fusion360SegLabels("0\n4\n5\n", 3)).toEqual(["extrude_side", "fillet", "chamfer"]);
    expect(() => fusion360SegLabels("0\n4\n5\n", 4)).toThrow(/3 labels for 4 faces/);
  });
});

describe("MFInstSeg label files", () => {
  it("reads the class of each face of AAGNet's own sample", () => {
    const json = readFileSync(path.join(CORPUS, "aagnet/dataset_test.json"), "utf8");
    const raw = JSON.parse(json)[0][1].seg as Record<string, number>;
    const { name, classes } = readMfinstsegClasses(json);
    expect(name).toBe("test");
    expect(classes).toHaveLength(Object.keys(raw).length);
    expect(classes).toEqual(classes.map((_, i) => raw[String(i)]));
  });

  it("refuses what is not an MFInstSeg label file", () => {
    expect(() => readMfinstsegClasses("nope")).toThrow(/not JSON/);
    expect(() => readMfinstsegClasses('{"seg": {}}')).toThrow(/not an MFInstSeg label file/);
    expect(() => readMfinstsegClasses('[["a", {"seg": {"0": 1, "2": 3}}]]')).toThrow(/face 1 has no class/);
  });
});
