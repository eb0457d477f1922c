import { describe, expect, it } from "vitest";
import { excerpt } from "./format";

describe("excerpt", () => {
  it("keeps short text, flattens whitespace and cuts long text with an ellipsis", () => {
    expect(excerpt("  a\n\nb  ")).toBe("a b");
    expect(excerpt("abcdefghij", 5)).toBe("abcd…");
    expect(excerpt("abcde", 5)).toBe("abcde");
  });
});
