import { describe, expect, it } from "vitest";
import { checkCounts, faceChecks, marksFromChecks, unconfirmedFaces, unsureFaces } from "./face-checks";

describe("face checks", () => {
  const pre = ["stock", "hole", "hole", "slot", null];

  it("are changed where the label differs from the pre-label, else the mark, else unseen", () => {
    const marks = new Map([
      [1, "confirmed" as const],
      [2, "seen" as const],
      [3, "confirmed" as const],
    ]);
    expect(faceChecks(["stock", "hole", "hole", "pocket", "stock"], pre, marks)).toEqual([
      "unseen",
      "confirmed",
      "seen",
      "changed", // a mark does not hide a change
      "changed", // labelled where the models gave nothing
    ]);
  });

  it("are null without a pre-label (nothing to anchor on)", () => {
    expect(faceChecks(["stock"], null, new Map())).toBeNull();
  });

  it("carry confirmed and seen faces forward, not changes", () => {
    expect([...marksFromChecks(["changed", "confirmed", "unseen", "seen"])]).toEqual([
      [1, "confirmed"],
      [3, "seen"],
    ]);
    expect(marksFromChecks(null).size).toBe(0);
  });

  it("list unsure faces least confident first, ignoring faces without a number", () => {
    expect(unsureFaces([0.9, 0.3, 0.55, 0.6, 0.3, Number.NaN, 0.1], 0.6)).toEqual([6, 1, 4, 2]);
    expect(unsureFaces([0.1, 0.2], 0)).toEqual([]);
  });

  it("leave to confirm the unsure faces whose pre-label stands unconfirmed", () => {
    const unsure = [3, 0, 1, 2];
    const labels = ["stock", "hole", "pocket", "slot", null];
    // 2 was changed, 1 confirmed, 3 only seen: 3 and 0 are left, in the order of `unsure`
    const marks = new Map([
      [1, "confirmed" as const],
      [3, "seen" as const],
    ]);
    expect(unconfirmedFaces(unsure, labels, pre, marks)).toEqual([3, 0]);
  });

  it("count each check", () => {
    expect(checkCounts(["changed", "unseen", "unseen", "seen"])).toEqual({
      changed: 1,
      confirmed: 0,
      seen: 1,
      unseen: 2,
    });
  });
});
