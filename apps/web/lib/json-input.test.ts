import { describe, expect, it } from "vitest";
import { checkJsonInput, MAX_JSON_DEPTH } from "./json-input";

const nested = (depth: number): unknown => {
  let v: unknown = "leaf";
  for (let i = 0; i < depth; i++) v = [v];
  return v;
};

describe("checkJsonInput", () => {
  it("passes what Facet's requests look like", () => {
    expect(() =>
      checkJsonInput({ name: "bracket.step", document: { labels: ["hole", null], instances: [{ faces: [1, 2] }] } }),
    ).not.toThrow();
    expect(() => checkJsonInput(nested(MAX_JSON_DEPTH))).not.toThrow();
    // characters beyond the basic plane are surrogate pairs in JavaScript: well-formed
    expect(() => checkJsonInput({ name: "gear 😀 𝔸.step", note: "é e\u0301 \u202e" })).not.toThrow();
  });

  it.each([
    ["a NUL in a value", { name: "a\u0000b" }],
    ["a NUL deep down", { a: [{ b: ["x", "y\u0000"] }] }],
    ["a NUL in a key", { "k\u0000": 1 }],
    ["a NUL in a bare string", "\u0000"],
    ["a lone high surrogate", { name: "\ud800.step" }],
    ["a lone low surrogate in a key", { "k\udc00": 1 }],
    ["surrogates in the wrong order", ["\udc00\ud800"]],
  ])("refuses %s with VALIDATION_FAILED", (_label, value) => {
    expect(() => checkJsonInput(value)).toThrow(expect.objectContaining({ code: "VALIDATION_FAILED" }));
  });

  it("refuses nesting deeper than the limit, without recursion (a 100 000-deep array)", () => {
    expect(() => checkJsonInput(nested(MAX_JSON_DEPTH + 1))).toThrow(
      expect.objectContaining({ code: "VALIDATION_FAILED", message: expect.stringContaining("nested too deeply") }),
    );
    const deep = JSON.parse(`${"[".repeat(100_000)}${"]".repeat(100_000)}`);
    expect(() => checkJsonInput(deep)).toThrow(expect.objectContaining({ code: "VALIDATION_FAILED" }));
  });
});
