import { describe, expect, it } from "vitest";
import { confidenceColours, disagreeingFaces, nextInList } from "./prelabel";

describe("confidence view", () => {
  it("colours unsure faces red, half-sure amber, sure green, unknown grey", () => {
    const c = confidenceColours([0, 0.5, 1, null, 0.75], 6);
    expect([...c.slice(0, 3)]).toEqual([214, 48, 49]);
    expect([...c.slice(3, 6)]).toEqual([240, 173, 40]);
    expect([...c.slice(6, 9)]).toEqual([46, 160, 67]);
    expect([...c.slice(9, 12)]).toEqual([170, 170, 170]);
    // halfway between amber and green
    expect([...c.slice(12, 15)]).toEqual([143, 167, 54]);
    // a face past the end of the list has no confidence
    expect([...c.slice(15, 18)]).toEqual([170, 170, 170]);
  });

  it("steps through a list of faces round and round", () => {
    const faces = [5, 1, 4, 2];
    expect(nextInList(faces, null)).toBe(5);
    expect(nextInList(faces, 5)).toBe(1);
    expect(nextInList(faces, 2)).toBe(5);
    expect(nextInList(faces, 0)).toBe(5);
    expect(nextInList([], 3)).toBeNull();
  });

  it("finds the faces models disagree on", () => {
    expect(disagreeingFaces([0, 0.5, 0, 1 / 3])).toEqual([1, 3]);
    expect(disagreeingFaces(undefined)).toEqual([]);
  });
});
