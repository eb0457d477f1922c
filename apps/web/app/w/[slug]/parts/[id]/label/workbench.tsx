"use client";

import { instanceOfFace } from "@facet/core";
import { Pins } from "@facet/viewer";
import { useCallback, useMemo, useRef, useState } from "react";
import { useKeyHelp } from "@/components/key-help";
import { useStable } from "@/components/use-stable";
import { LegendPanel, PartStageView, useFacesFile, usePartStage, useStageKeys } from "@/features/part-stage";
import { faceColours } from "@/lib/workbench/colours";
import { faceFacts } from "@/lib/workbench/faces-file";
import { confidenceColours } from "@/lib/workbench/prelabel";
import { LabelHeader } from "./label-header";
import { labelKeyList, labelKeys } from "./label-keys";
import { InstancesPanel, PalettePanel, UnlabelledPanel } from "./panels";
import { PrelabelPanel } from "./prelabel-panel";
import { ReviewNotesPanel } from "./review-notes";
import { SelectionPanel, SubmitBlock } from "./selection-panel";
import { useFaceChecks } from "./use-face-checks";
import { useHold } from "./use-hold";
import { useLabelContext } from "./use-label-context";
import { useLabelHistory, useLabelOps } from "./use-label-ops";
import { usePrelabelView } from "./use-prelabel-view";
import { useReturnedNotes } from "./use-returned-notes";
import { useSubmission } from "./use-submission";
import type { Notice, WorkbenchProps } from "./workbench-props";

const STALE_REVISION: Notice = {
  text: "The saved labels were made on an older face numbering (the part was processed again); they are not shown. Start from the faces as they are now.",
  error: true,
};

/** The annotation workbench: the part stage, and painting, instances, pre-labels and the hold on the part. */
export function Workbench(props: WorkbenchProps) {
  const base = `/api/workspaces/${props.workspace}/parts/${props.partId}`;
  const stage = usePartStage({ faceCount: props.faceCount, exposeViewer: true });
  const { selection, setSelection, hovered, model } = stage;
  const { history, dispatch, stale } = useLabelHistory(props);
  const state = history.present;
  const [notice, setNotice] = useState<Notice>(stale ? STALE_REVISION : null);
  const searchRef = useRef<HTMLInputElement | null>(null);

  // what the annotator did with each pre-labelled face (saved with the labels; unsure ones must be confirmed)
  const checks = useFaceChecks({
    stage,
    prelabel: props.prelabel,
    faceSignature: props.faceSignature,
    confirmBelow: props.confirmBelow,
    labels: state.labels,
    saved: props.revision?.faceChecks,
  });
  const hold = useHold(props, base, {
    state,
    version: history.version + checks.version,
    faceChecks: checks.checks,
  });
  const { editable, save } = hold;

  // the faces file: surface types, sizes and adjacency (content-addressed, kept by the browser)
  const facesFile = useFacesFile(props.facesUrl, props.facesKey);
  const { graph, ctx } = useLabelContext(facesFile.file, model, props.taxonomy);

  const submission = useSubmission({
    base,
    workspace: props.workspace,
    partName: props.partName,
    state,
    ctx,
    checks,
    flush: save.flush,
    notify: setNotice,
    letGo: hold.letGo,
  });
  const ops = useLabelOps({
    stage,
    history,
    dispatch,
    graph,
    ctx,
    taxonomy: props.taxonomy,
    editable,
    holding: hold.holding,
    notify: setNotice,
    onChange: submission.clearProblems,
  });
  const notes = useReturnedNotes(stage, props.review?.notes ?? [], props.faceSignature);
  const prelabel = usePrelabelView(stage, props.prelabel, props.faceSignature);

  useKeyHelp("Labelling", labelKeyList(props.taxonomy.featureTypes));
  useStageKeys(
    stage,
    labelKeys({
      dispatch,
      features: props.taxonomy.featureTypes,
      assign: ops.assign,
      grow: ops.grow,
      growMode: ops.growMode,
      nextUnlabelled: ops.jumpToNextUnlabelled,
      toggleBottom: ops.toggleBottom,
      searchRef,
      toggleConfidence: prelabel.toggleConfidence,
      nextUncertain: checks.next,
      confirmAndNext: () => {
        if (editable) checks.confirmAndNext();
        else checks.next();
      },
    }),
    "workbench",
  );

  // stable callbacks: painting changes the selection many times a second, the panels need not redraw
  const stableAssign = useStable(ops.assign);
  const stableNext = useStable(ops.jumpToNextUnlabelled);
  const selectFeature = useStable(ops.selectFeature);
  const setParam = useStable(ops.setParam);
  const selectFace = useCallback((f: number) => setSelection(new Set([f])), [setSelection]);
  const selectFaces = useCallback((faces: number[]) => setSelection(new Set(faces)), [setSelection]);

  const { confidence } = prelabel;
  const colours = useMemo(
    () =>
      prelabel.showConfidence && confidence
        ? confidenceColours(confidence, props.faceCount)
        : faceColours(state.labels, props.taxonomy.featureTypes),
    [prelabel.showConfidence, confidence, props.faceCount, state.labels, props.taxonomy],
  );
  const featureByKey = useMemo(() => new Map(props.taxonomy.featureTypes.map((f) => [f.key, f])), [props.taxonomy]);
  const hoverInfo = useMemo(() => {
    if (hovered === null || !graph) return null;
    const f = graph.faces[hovered];
    if (!f) return null;
    const label = state.labels[hovered];
    const inst = instanceOfFace(state, hovered);
    const parts = faceFacts(hovered, f);
    parts.push(label ? `${featureByKey.get(label)?.name ?? label}${inst ? ` (${inst.id})` : ""}` : "unlabelled");
    const sure = confidence?.[hovered];
    if (sure !== undefined) parts.push(`pre-label ${Math.round(sure * 100)}% sure`);
    return parts.join(" · ");
  }, [hovered, graph, state, featureByKey, confidence]);

  return (
    <div className="workbench" data-testid="workbench" data-editable={editable ? "yes" : "no"}>
      <PartStageView
        stage={stage}
        meshUrl={props.meshUrl}
        meshKey={props.meshKey}
        colours={colours}
        hoverText={
          hoverInfo ?? (model ? `${model.faceCount} faces · ${selection.size} selected · press ? for keys` : "")
        }
        facesError={facesFile.error}
      >
        {notes.pins.length > 0 && <Pins viewer={stage.viewer} pins={notes.pins} onSelect={notes.onPinSelect} />}
      </PartStageView>
      <aside className="wb-side" aria-label="Labelling">
        <LabelHeader part={props} hold={hold} notice={notice} onDismiss={() => setNotice(null)} />
        {props.review && (
          <ReviewNotesPanel
            review={props.review}
            notes={notes.notes}
            activeNote={notes.activeNote}
            commentsUrl={`${base}/comments`}
            onOpen={notes.open}
            onResolved={notes.resolved}
          />
        )}
        {props.prelabel && (
          <PrelabelPanel
            prelabel={props.prelabel}
            view={prelabel}
            checks={checks}
            features={featureByKey}
            face={stage.current}
            editable={editable}
          />
        )}
        {/* the labelling controls are for the person holding the part; everyone else reads */}
        {hold.holding && (
          <PalettePanel
            features={props.taxonomy.featureTypes}
            onAssign={stableAssign}
            searchRef={searchRef}
            disabled={!editable}
          />
        )}
        <SelectionPanel
          count={selection.size}
          labelling={hold.holding}
          editable={editable}
          instances={ops.selectionInstances.length}
          growMode={ops.growMode}
          onGrowMode={ops.setGrowMode}
          onGrow={() => ops.grow(ops.growMode)}
          onClear={() => ops.assign(null)}
          onBottom={ops.toggleBottom}
          onSplit={ops.split}
          onMerge={ops.merge}
          canUndo={history.past.length > 0}
          canRedo={history.future.length > 0}
          onUndo={() => dispatch({ type: "undo" })}
          onRedo={() => dispatch({ type: "redo" })}
        />
        <LegendPanel state={state} features={props.taxonomy.featureTypes} onSelect={selectFeature} />
        <UnlabelledPanel state={state} onNext={stableNext} onSelect={selectFace} onSelectAll={selectFaces} />
        <InstancesPanel
          state={state}
          features={featureByKey}
          labelling={hold.holding}
          editable={editable}
          onSelect={selectFaces}
          onParam={setParam}
        />
        {hold.holding && (
          <SubmitBlock
            problems={submission.problems}
            counts={checks.counts}
            busy={submission.busy}
            editable={editable}
            onSubmit={submission.submit}
            onRelease={submission.release}
          />
        )}
      </aside>
    </div>
  );
}
