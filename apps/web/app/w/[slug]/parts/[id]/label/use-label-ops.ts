"use client";

import {
  assignFeature,
  emptyLabelState,
  type FaceGraph,
  type GrowMode,
  growSelection,
  instanceOfFace,
  type LabelContext,
  type LabelState,
  labelStateFromDocument,
  mergeInstances,
  nextUnlabelled,
  regroupInstances,
  setInstanceParam,
  splitInstance,
  type Taxonomy,
  toggleBottomFace,
} from "@facet/core";
import { type Dispatch, useCallback, useEffect, useMemo, useReducer, useRef, useState } from "react";
import { messageOf } from "@/components/api-client";
import type { PartStage } from "@/features/part-stage";
import { type History, type HistoryAction, historyReducer } from "@/lib/workbench/history";
import { NO_FACES } from "@/lib/workbench/selection";
import type { Notice, WorkbenchProps } from "./workbench-props";

/**
 * The labels with their undo history, starting from the saved revision when it was made on the
 * part's current face numbering (`stale` when it was not: then from no labels).
 */
export function useLabelHistory(props: Pick<WorkbenchProps, "revision" | "faceSignature" | "faceCount">) {
  const signatureMatches = props.revision?.document.faceSignature === props.faceSignature;
  const [history, dispatch] = useReducer(historyReducer, undefined, () => ({
    past: [],
    present:
      props.revision && signatureMatches
        ? labelStateFromDocument(props.revision.document)
        : emptyLabelState(props.faceCount),
    future: [],
    version: 0,
  }));
  return { history, dispatch, stale: props.revision !== null && !signatureMatches };
}

const READ_ONLY: Notice = { text: "This part is read-only here: you do not hold it.", error: true };

/**
 * What the annotator does to the labels: assign a feature to the selection (or the face under the
 * pointer), grow the selection, split and merge instances, mark bottom faces, edit parameters,
 * jump to the next unlabelled face. Changes are refused with a notice when the part is not editable.
 */
export function useLabelOps(input: {
  stage: PartStage;
  history: History;
  dispatch: Dispatch<HistoryAction>;
  graph: FaceGraph | null;
  ctx: LabelContext | null;
  taxonomy: Taxonomy;
  editable: boolean;
  holding: boolean;
  notify: (notice: Notice) => void;
  /** After every change applied (the submission's problems are out of date). */
  onChange: () => void;
}) {
  const { stage, history, dispatch, graph, ctx, taxonomy, editable, holding, notify, onChange } = input;
  const { selection, setSelection, hovered, model, current, focusFace } = stage;
  const state = history.present;
  const [growMode, setGrowMode] = useState<GrowMode>("surface");

  // labels that came without instances (imports, pre-labels) are grouped once the adjacency is known
  const grouped = useRef(false);
  useEffect(() => {
    if (!ctx || !model || grouped.current) return;
    grouped.current = true;
    const s = history.present;
    const stock = new Set(taxonomy.featureTypes.filter((f) => f.isStock).map((f) => f.key));
    if (s.instances.length === 0 && s.labels.some((l) => l !== null && !stock.has(l))) {
      dispatch({ type: "load", state: regroupInstances(s.labels, ctx), asChange: holding });
    }
  }, [ctx, model, history.present, taxonomy, holding, dispatch]);

  const apply = useCallback(
    (op: (s: LabelState, c: LabelContext) => LabelState, after?: () => void) => {
      if (!editable) {
        notify(READ_ONLY);
        return;
      }
      if (!ctx) return;
      try {
        dispatch({ type: "apply", next: op(state, ctx) });
        onChange();
        after?.();
      } catch (e) {
        notify({ text: messageOf(e), error: true });
      }
    },
    [editable, ctx, state, dispatch, notify, onChange],
  );

  const targetFaces = useCallback((): number[] => {
    if (selection.size > 0) return [...selection];
    return hovered === null ? [] : [hovered];
  }, [selection, hovered]);

  const assign = useCallback(
    (feature: string | null) => {
      const faces = targetFaces();
      if (!editable) {
        notify(READ_ONLY);
        return;
      }
      if (faces.length === 0) {
        notify({ text: "Select faces first (click, paint or box), then pick a feature.", error: false });
        return;
      }
      apply(
        (s, c) => assignFeature(s, c, faces, feature),
        () => setSelection(NO_FACES),
      );
    },
    [apply, targetFaces, editable, notify, setSelection],
  );

  const grow = useCallback(
    (mode: GrowMode) => {
      if (!graph) return;
      const seeds = targetFaces();
      if (seeds.length === 0) return;
      setSelection(new Set(growSelection(graph, seeds, mode)));
    },
    [graph, targetFaces, setSelection],
  );

  const jumpToNextUnlabelled = useCallback(() => {
    const next = nextUnlabelled(state, current);
    if (next === null) {
      notify({ text: "Every face is labelled.", error: false });
      return;
    }
    focusFace(next);
  }, [state, current, focusFace, notify]);

  const selectionInstances = useMemo(() => {
    const ids = new Set<string>();
    for (const f of selection) {
      const inst = instanceOfFace(state, f);
      if (inst) ids.add(inst.id);
    }
    return [...ids];
  }, [selection, state]);

  const split = useCallback(() => {
    const [id] = selectionInstances;
    if (selectionInstances.length !== 1 || !id) {
      notify({ text: "Select some faces of one instance to split them off.", error: true });
      return;
    }
    apply((s, c) => splitInstance(s, c, id, [...selection]));
  }, [apply, selection, selectionInstances, notify]);

  const merge = useCallback(() => {
    if (selectionInstances.length < 2) {
      notify({ text: "Select faces of two or more instances of one feature to merge them.", error: true });
      return;
    }
    apply((s, c) => mergeInstances(s, c, selectionInstances));
  }, [apply, selectionInstances, notify]);

  const toggleBottom = useCallback(() => {
    const faces = targetFaces();
    if (faces.length === 0) return;
    apply((s, c) => faces.reduce((acc, f) => toggleBottomFace(acc, c, f), s));
  }, [apply, targetFaces]);

  const setParam = useCallback(
    (id: string, key: string, value: number | null) => apply((s, c) => setInstanceParam(s, c, id, key, value)),
    [apply],
  );

  const selectFeature = useCallback(
    (key: string) => setSelection(new Set(state.labels.flatMap((l, f) => (l === key ? [f] : [])))),
    [state, setSelection],
  );

  return {
    state,
    growMode,
    setGrowMode,
    assign,
    grow,
    jumpToNextUnlabelled,
    selectionInstances,
    split,
    merge,
    toggleBottom,
    setParam,
    selectFeature,
  };
}
