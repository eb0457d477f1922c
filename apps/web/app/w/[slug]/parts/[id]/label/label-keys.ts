import type { FeatureType, GrowMode } from "@facet/core";
import type { Dispatch, RefObject } from "react";
import type { KeyList } from "@/components/key-help";
import type { HistoryAction } from "@/lib/workbench/history";

/**
 * The labelling keys, before the stage's viewer keys: Ctrl+Z / Ctrl+Shift+Z / Ctrl+Y undo and redo,
 * a feature's hotkey labels the selection, Del/Backspace clear it, G grows it, N jumps to the next
 * unlabelled face, B marks bottom faces, / searches the palette, C shows confidence, U the next unsure face,
 * Enter confirms the selection's labels and moves to the next unsure face to confirm.
 */
export function labelKeys(k: {
  dispatch: Dispatch<HistoryAction>;
  features: readonly FeatureType[];
  assign: (feature: string | null) => void;
  grow: (mode: GrowMode) => void;
  growMode: GrowMode;
  nextUnlabelled: () => void;
  toggleBottom: () => void;
  searchRef: RefObject<HTMLInputElement | null>;
  toggleConfidence: () => void;
  nextUncertain: () => void;
  confirmAndNext: () => void;
}): (e: KeyboardEvent) => boolean {
  return (e) => {
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key.toLowerCase();
    if (mod && key === "z") {
      k.dispatch({ type: e.shiftKey ? "redo" : "undo" });
      return true;
    }
    if (mod && key === "y") {
      k.dispatch({ type: "redo" });
      return true;
    }
    if (mod || e.altKey) return false;
    const feature = k.features.find((f) => f.hotkey === e.key);
    if (feature) {
      k.assign(feature.key);
      return true;
    }
    const actions: Record<string, () => void> = {
      delete: () => k.assign(null),
      backspace: () => k.assign(null),
      g: () => k.grow(k.growMode),
      n: k.nextUnlabelled,
      b: k.toggleBottom,
      "/": () => k.searchRef.current?.focus(),
      c: k.toggleConfidence,
      u: k.nextUncertain,
      enter: k.confirmAndNext,
    };
    const action = actions[key];
    if (!action) return false;
    action();
    return true;
  };
}

/** What `labelKeys` does, for the `?` list (each feature's hotkey first). */
export function labelKeyList(features: readonly FeatureType[]): KeyList {
  return [
    ...features.filter((f) => f.hotkey).map((f) => [f.hotkey as string, `Label the selection ${f.name}`] as const),
    ["Del", "Clear the label of the selection"],
    ["G", "Grow the selection"],
    ["N", "Next unlabelled face"],
    ["B", "Mark the selection as bottom faces"],
    ["/", "Search the palette"],
    ["C", "Show confidence / labels"],
    ["U", "Next unsure face (those still to confirm first)"],
    ["Enter", "Confirm the selection's labels, go to the next unsure face"],
    ["Ctrl+Z", "Undo"],
    ["Ctrl+Shift+Z", "Redo"],
  ];
}
