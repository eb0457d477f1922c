import { emptyLabelState, type LabelState } from "@facet/core";
import { describe, expect, it } from "vitest";
import { type History, historyReducer } from "./history";

const start = (): History => ({ past: [], present: emptyLabelState(3), future: [], version: 0 });
const labelled = (labels: (string | null)[]): LabelState => ({ labels, instances: [] });

describe("workbench history", () => {
  it("undoes and redoes whole states; every step bumps the version autosave watches", () => {
    const a = labelled(["stock", null, null]);
    const b = labelled(["stock", "chamfer", null]);
    let h = historyReducer(start(), { type: "apply", next: a });
    h = historyReducer(h, { type: "apply", next: b });
    expect(h.present).toBe(b);
    expect(h.version).toBe(2);
    h = historyReducer(h, { type: "undo" });
    expect(h.present).toBe(a);
    expect(h.future).toEqual([b]);
    expect(h.version).toBe(3);
    h = historyReducer(h, { type: "redo" });
    expect(h.present).toBe(b);
    expect(h.version).toBe(4);
  });

  it("a new change after an undo drops the redo branch", () => {
    const a = labelled(["stock", null, null]);
    const b = labelled([null, "chamfer", null]);
    const c = labelled([null, null, "fillet"]);
    let h = historyReducer(start(), { type: "apply", next: a });
    h = historyReducer(h, { type: "apply", next: b });
    h = historyReducer(h, { type: "undo" });
    h = historyReducer(h, { type: "apply", next: c });
    expect(h.future).toEqual([]);
    expect(historyReducer(h, { type: "redo" })).toBe(h);
  });

  it("ignores an unchanged state and undo/redo at the ends", () => {
    const h = start();
    expect(historyReducer(h, { type: "apply", next: h.present })).toBe(h);
    expect(historyReducer(h, { type: "undo" })).toBe(h);
    expect(historyReducer(h, { type: "redo" })).toBe(h);
  });

  it("loading replaces the history; only a load that changes what is saved counts as a change", () => {
    const a = labelled(["stock", "stock", "stock"]);
    let h = historyReducer(start(), { type: "apply", next: labelled([null, "chamfer", null]) });
    h = historyReducer(h, { type: "load", state: a, asChange: false });
    expect(h).toMatchObject({ past: [], present: a, future: [], version: 1 });
    expect(historyReducer(h, { type: "load", state: a, asChange: true }).version).toBe(2);
  });

  it("keeps at most 500 steps of undo", () => {
    let h = start();
    for (let i = 0; i < 520; i++) h = historyReducer(h, { type: "apply", next: labelled([String(i), null, null]) });
    expect(h.past).toHaveLength(500);
  });
});
