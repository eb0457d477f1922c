import { describe, expect, it } from "vitest";
import { type FaceRecord, faceFacts, parseFacesFile } from "./faces-file";

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).buffer as ArrayBuffer;
const box: FaceRecord["bbox"] = { min: [0, 0, 0], max: [1, 1, 1] };

describe("the faces file", () => {
  it("is read when it is what the tessellator writes, refused otherwise", () => {
    const file = parseFacesFile(
      bytes({
        faces: [{ surface: "plane", area: 2, direction: [0, 0, 1], origin: [0, 0, 0], radius: null, bbox: box }],
        edges: [],
      }),
    );
    expect(file.faces).toHaveLength(1);
    expect(() => parseFacesFile(bytes({ faces: [{ surface: "plane" }], edges: [] }))).toThrow(/reprocess the part/);
  });

  it("describes a face: its number, surface type, area and radius when it has one", () => {
    const plane: FaceRecord = {
      surface: "plane",
      area: 12.3456,
      direction: null,
      origin: null,
      radius: null,
      bbox: box,
    };
    expect(faceFacts(3, plane)).toEqual(["face 3", "plane", "area 12.35 mm²"]);
    expect(faceFacts(4, { ...plane, surface: "cylinder", radius: 2.5 })).toEqual([
      "face 4",
      "cylinder",
      "area 12.35 mm²",
      "radius 2.500 mm",
    ]);
  });
});
