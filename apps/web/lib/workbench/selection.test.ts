import { describe, expect, it } from "vitest";
import { boxSelection, clickSelection, isolating, NO_FACES, paintSelection, unhide } from "./selection";

const none = { shift: false, ctrl: false };
const shift = { shift: true, ctrl: false };
const ctrl = { shift: false, ctrl: true };
const set = (...f: number[]) => new Set(f);

describe("face selection", () => {
  it("a click selects one face, Shift adds, Ctrl toggles, empty space clears unless a modifier is held", () => {
    expect([...clickSelection(set(1, 2), 5, none)]).toEqual([5]);
    expect([...clickSelection(set(1, 2), 5, shift)]).toEqual([1, 2, 5]);
    expect([...clickSelection(set(1, 2), 2, ctrl)]).toEqual([1]);
    expect([...clickSelection(set(1, 2), 3, ctrl)]).toEqual([1, 2, 3]);
    expect(clickSelection(set(1, 2), null, none)).toBe(NO_FACES);
    const kept = set(1, 2);
    expect(clickSelection(kept, null, shift)).toBe(kept);
  });
  it("a paint stroke adds the faces it crosses; with Ctrl it removes them", () => {
    expect([...paintSelection(set(1), [2, 3], none)]).toEqual([1, 2, 3]);
    expect([...paintSelection(set(1, 2, 3), [2, 9], ctrl)]).toEqual([1, 3]);
  });
  it("a box replaces the selection, Shift adds to it, Ctrl removes from it", () => {
    expect([...boxSelection(set(1), [4, 5], none)]).toEqual([4, 5]);
    expect([...boxSelection(set(1), [4, 5], shift)]).toEqual([1, 4, 5]);
    expect([...boxSelection(set(1, 4), [4, 5], ctrl)]).toEqual([1]);
  });
  it("isolating hides every other face; unhide shows faces again and keeps the set when nothing changes", () => {
    expect([...isolating(5, set(1, 3))]).toEqual([0, 2, 4]);
    expect([...unhide(set(0, 2, 4), [2])]).toEqual([0, 4]);
    const hidden = set(0, 4);
    expect(unhide(hidden, [1])).toBe(hidden);
  });
});
