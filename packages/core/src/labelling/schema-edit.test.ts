import { describe, expect, it } from "vitest";
import { type ClassDraft, draftFeatureTypes, mappingFromDrafts } from "./schema-edit";

const row = (uid: string, from: string | null, key: string, parent: string | null = null): ClassDraft => ({
  uid,
  from,
  parent,
  type: { key, name: key, colour: "#000000", hotkey: null, isStock: false, parameters: [] },
});

describe("schema editor drafts", () => {
  it("make a rename, a merge and a split into a mapping, leaving kept classes out", () => {
    const rows = [
      row("1", "stock", "stock"),
      row("2", "through_hole", "hole"),
      row("3", "pocket", "closed_pocket"),
      row("4", "pocket", "open_pocket"),
      row("5", null, "boss"),
    ];
    const mapping = mappingFromDrafts(["stock", "through_hole", "blind_hole", "pocket", "gone"], rows, [
      { from: "blind_hole", into: "2" },
    ]);
    expect(mapping).toEqual({
      through_hole: ["hole"],
      blind_hole: ["hole"],
      pocket: ["closed_pocket", "open_pocket"],
    });
  });

  it("resolve parents by row, so a renamed parent stays the parent", () => {
    const types = draftFeatureTypes([row("1", "hole", "bore"), row("2", "through_hole", "through_bore", "1")]);
    expect(types.map((t) => [t.key, t.parent])).toEqual([
      ["bore", null],
      ["through_bore", "bore"],
    ]);
  });
});
