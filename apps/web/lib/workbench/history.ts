import type { LabelState } from "@facet/core";

/** Undo/redo over whole label states (they are immutable, so a step costs one reference). */
export interface History {
  past: LabelState[];
  present: LabelState;
  future: LabelState[];
  /** Bumped by every change the annotator makes, undo and redo included: what autosave watches. */
  version: number;
}

export type HistoryAction =
  | { type: "apply"; next: LabelState }
  | { type: "undo" }
  | { type: "redo" }
  | { type: "load"; state: LabelState; asChange: boolean };

const LIMIT = 500;

export function historyReducer(h: History, action: HistoryAction): History {
  switch (action.type) {
    case "apply":
      if (action.next === h.present) return h;
      return {
        past: [...h.past.slice(-(LIMIT - 1)), h.present],
        present: action.next,
        future: [],
        version: h.version + 1,
      };
    case "undo": {
      const previous = h.past[h.past.length - 1];
      if (!previous) return h;
      return { past: h.past.slice(0, -1), present: previous, future: [h.present, ...h.future], version: h.version + 1 };
    }
    case "redo": {
      const [next, ...rest] = h.future;
      if (!next) return h;
      return { past: [...h.past, h.present], present: next, future: rest, version: h.version + 1 };
    }
    case "load":
      return { past: [], present: action.state, future: [], version: h.version + (action.asChange ? 1 : 0) };
  }
}
