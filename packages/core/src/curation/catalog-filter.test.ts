import { describe, expect, it } from "vitest";
import { isAppError } from "../errors";
import { catalogFilterQuery, isEmptyCatalogFilter, parseCatalogFilter } from "./catalog-filter";

const refused = (q: string): string => {
  try {
    parseCatalogFilter(q);
  } catch (e) {
    if (isAppError(e) && e.code === "VALIDATION_FAILED") return e.message;
    throw e;
  }
  throw new Error(`accepted: ${q}`);
};

describe("catalog filter", () => {
  it("reads every parameter, and writes it back to the same query", () => {
    const q =
      "status=approved,in_review&has=blind_hole,slot&count=blind_hole>=2&count=slot<1&faces=10..200&surface=cylinder" +
      "&tag=fixture,rework&split=train,none&annotator=0b6c1f5e-3c1a-4a57-9d55-3f1f2b1e9a10&added=2026-01-01..2026-06-30" +
      "&changed=2026-11-01..&q=bracket&sort=-faces";
    const f = parseCatalogFilter(`?${q}`);
    expect(f).toEqual({
      statuses: ["approved", "in_review"],
      has: ["blind_hole", "slot"],
      counts: [
        { feature: "blind_hole", op: ">=", value: 2 },
        { feature: "slot", op: "<", value: 1 },
      ],
      faces: { min: 10, max: 200 },
      surfaces: ["cylinder"],
      tags: ["fixture", "rework"],
      splits: ["train", null],
      annotators: ["0b6c1f5e-3c1a-4a57-9d55-3f1f2b1e9a10"],
      added: { min: "2026-01-01", max: "2026-06-30" },
      changed: { min: "2026-11-01" },
      q: "bracket",
      sort: { key: "faces", descending: true },
    });
    expect(parseCatalogFilter(catalogFilterQuery(f))).toEqual(f);
  });

  it("an exact number is a range of one, and an empty filter is empty", () => {
    expect(parseCatalogFilter("faces=12").faces).toEqual({ min: 12, max: 12 });
    expect(isEmptyCatalogFilter(parseCatalogFilter("sort=name"))).toBe(true);
    expect(isEmptyCatalogFilter(parseCatalogFilter("q=x"))).toBe(false);
    expect(catalogFilterQuery(parseCatalogFilter(""))).toBe("");
  });

  it("refuses what it does not understand, saying what is wrong", () => {
    expect(refused("stauts=approved")).toMatch(/unknown parameter "stauts"/);
    expect(refused("status=done")).toMatch(/"done" is not a status/);
    expect(refused("count=blind_hole~2")).toMatch(/not <class><op><number>/);
    expect(refused("faces=200..10")).toMatch(/lower bound is above/);
    expect(refused("added=2026-02-30..")).toMatch(/not a day/);
    expect(refused("split=Train")).toMatch(/not a split name/);
    expect(refused("annotator=me")).toMatch(/not a user id/);
    expect(refused("status=approved&status=in_review")).toMatch(/given twice/);
    expect(refused("sort=size")).toMatch(/sort/);
    expect(refused("faces=..")).toMatch(/no bound/);
  });

  it("leaves paging parameters to the caller when asked", () => {
    expect(parseCatalogFilter("cursor=abc&limit=50&has=slot", { ignore: ["cursor", "limit"] }).has).toEqual(["slot"]);
    expect(refused("cursor=abc")).toMatch(/unknown parameter/);
  });
});
