"use client";

import type { AnnotationDocument, LabelState } from "@facet/core";
import type { Revision } from "@facet/db";
import type { FaceViewerProps, Tool } from "@facet/viewer";
import { Pins } from "@facet/viewer";
import { useCallback, useMemo, useState } from "react";
import { type KeyList, useKeyHelp } from "@/components/key-help";
import {
  LegendPanel,
  PartStageView,
  type StagedPart,
  useFacesFile,
  usePartEvents,
  usePartStage,
  useStageKeys,
} from "@/features/part-stage";
import { checkColours } from "@/lib/review/checks";
import { DIFF_KIND_LABELS, diffColours, featureName, fitLabels } from "@/lib/review/diff";
import { faceColours } from "@/lib/workbench/colours";
import { confidenceColours, nextInList } from "@/lib/workbench/prelabel";
import { ChecksPanel } from "./checks-panel";
import { ConsensusPanel, type ConsensusView } from "./consensus-panel";
import { DecisionPanel } from "./decision-panel";
import { DiffPanel } from "./diff-panel";
import { type HistoryEntry, HistoryPanel } from "./history-panel";
import { NotesPanel } from "./notes-panel";
import { ReviewHeader } from "./review-header";
import { useDecision } from "./use-decision";
import { useDraftNotes } from "./use-draft-notes";
import { useReviewDiff } from "./use-review-diff";

const REVIEW_KEYS: KeyList = [
  ["[", "Previous change"],
  ["]", "Next change"],
  ["N", "Pin a note to a face"],
  ["Esc", "Leave pin mode"],
];

/** Labels of one revision, as the review page needs them. */
export type ReviewLabels = Pick<Revision, "revisionNo" | "authorEmail" | "source" | "createdAt" | "faceChecks"> &
  Pick<AnnotationDocument, "faceSignature" | "labels">;

export type ReviewHistoryEntry = HistoryEntry;

export interface ReviewWorkbenchProps extends StagedPart {
  datasetId: string;
  datasetName: string;
  /** The revision under review (the latest). */
  revision: ReviewLabels;
  prelabel: ReviewLabels | null;
  previous: ReviewLabels | null;
  reviews: ReviewHistoryEntry[];
  /** For datasets that need several independent annotations: theirs, face by face. */
  consensus: ConsensusView | null;
}

/** An engineer's review of a part: the part stage, and the diff, notes, decision and consensus. */
export function ReviewWorkbench(props: ReviewWorkbenchProps) {
  const base = `/api/workspaces/${props.workspace}/parts/${props.partId}`;
  const stage = usePartStage({ faceCount: props.faceCount, exposeViewer: true });
  const { selection, setSelection, hovered, model } = stage;
  const live = usePartEvents(`${base}/events`, { status: props.status, annotatorId: props.annotatorId });

  const signatureMatches = props.revision.faceSignature === props.faceSignature;
  const features = useMemo(() => new Map(props.taxonomy.featureTypes.map((f) => [f.key, f])), [props.taxonomy]);
  const current = useMemo(
    () => fitLabels(signatureMatches ? props.revision.labels : [], props.faceCount),
    [signatureMatches, props.revision.labels, props.faceCount],
  );
  const labelState = useMemo<LabelState>(() => ({ labels: current, instances: [] }), [current]);

  const review = useReviewDiff({
    stage,
    faceSignature: props.faceSignature,
    faceCount: props.faceCount,
    current,
    prelabel: props.prelabel,
    previous: props.previous,
    features,
  });
  const { diff, baseLabels, changed } = review;
  const notes = useDraftNotes(stage);
  const decision = useDecision({
    base,
    workspace: props.workspace,
    partName: props.partName,
    userId: props.userId,
    annotatorId: props.annotatorId,
    status: props.status,
    revisionNo: props.revision.revisionNo,
    live,
    notes: notes.notes,
  });

  const [showAgreement, setShowAgreement] = useState(false);
  const agreement = props.consensus?.agreement ?? null;
  // what the annotator did with each pre-labelled face (on this face numbering only)
  const checks = signatureMatches ? props.revision.faceChecks : null;
  const [showChecks, setShowChecks] = useState(false);
  const colours = useMemo(
    () =>
      showChecks && checks
        ? checkColours(checks, props.faceCount)
        : showAgreement && agreement
          ? confidenceColours(agreement, props.faceCount)
          : diff
            ? diffColours(diff, props.faceCount)
            : faceColours(current, props.taxonomy.featureTypes),
    [showChecks, checks, showAgreement, agreement, diff, current, props.faceCount, props.taxonomy],
  );

  // the faces file: surface types and sizes for the hover line (content-addressed, kept by the browser)
  const facesFile = useFacesFile(props.facesUrl, props.facesKey);
  const faceInfo = facesFile.file?.faces ?? null;
  const describeFace = useCallback(
    (face: number) => {
      const info = faceInfo?.[face];
      return [`face ${face}`, ...(info ? [info.surface] : []), featureName(current[face], features)].join(" · ");
    },
    [faceInfo, current, features],
  );

  const selectFeature = useCallback(
    (key: string) => setSelection(new Set(current.flatMap((l, f) => (l === key ? [f] : [])))),
    [current, setSelection],
  );

  // a click pins the note being written in pin mode; otherwise it selects, and names the change it is on
  const { pinning, pinAt } = notes;
  const { setChangeFace } = review;
  const selectClick = stage.onFaceClick;
  const onFaceClick = useCallback<NonNullable<FaceViewerProps["onFaceClick"]>>(
    (face, mods, point) => {
      if (pinning) {
        if (face !== null) pinAt(face, point);
        return;
      }
      if (face !== null && diff && !mods.shift && !mods.ctrl) setChangeFace(face);
      selectClick(face, mods);
    },
    [pinning, pinAt, diff, setChangeFace, selectClick],
  );

  // keyboard: [ and ] step through the changes, N pins a note, Esc leaves pin mode; then the viewer's keys
  useKeyHelp("Review", REVIEW_KEYS);
  useStageKeys(
    stage,
    (e) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return false;
      const actions: Record<string, () => void> = {
        "[": () => review.step(-1),
        "]": () => review.step(1),
        n: notes.togglePinning,
      };
      const action = actions[e.key.toLowerCase()];
      if (action) action();
      else if (e.key === "Escape" && (notes.draft || notes.pinning)) notes.cancelDraft();
      else return false;
      return true;
    },
    "review",
  );

  const hoverInfo = useMemo(() => {
    if (hovered === null) return null;
    let text = describeFace(hovered);
    const kind = diff?.[hovered];
    if (kind && kind !== "same") {
      text += ` · ${DIFF_KIND_LABELS[kind].toLowerCase()}, was ${featureName(baseLabels?.[hovered], features)}`;
    }
    return text;
  }, [hovered, describeFace, diff, baseLabels, features]);
  const idleText = !model
    ? ""
    : pinning
      ? "Click a face to pin a note"
      : `${model.faceCount} faces · ${selection.size} selected${diff ? ` · ${changed.length} changed` : ""}`;

  return (
    <div className="workbench review-workbench" data-testid="review-workbench" data-mode={review.mode}>
      <PartStageView
        stage={stage}
        meshUrl={props.meshUrl}
        meshKey={props.meshKey}
        colours={colours}
        hoverText={hoverInfo ?? idleText}
        facesError={facesFile.error}
        onTool={(t: Tool) => {
          stage.setTool(t);
          if (t !== "select") notes.cancelDraft();
        }}
        onFaceClick={onFaceClick}
        pinning={pinning}
      >
        <Pins viewer={stage.viewer} pins={notes.pins} onSelect={(id) => id !== "draft" && notes.selectNote(id)} />
      </PartStageView>
      <aside className="wb-side" aria-label="Review">
        <ReviewHeader part={props} live={live} decision={decision} signatureMatches={signatureMatches} />
        <DiffPanel review={review} />
        {checks && <ChecksPanel checks={checks} shown={showChecks} onToggle={() => setShowChecks((v) => !v)} />}
        {props.consensus && (
          <ConsensusPanel
            consensus={props.consensus}
            features={features}
            face={stage.current}
            showAgreement={showAgreement}
            onToggle={() => setShowAgreement((v) => !v)}
            onNext={() => {
              const next = nextInList(props.consensus?.disagreeingFaces ?? [], stage.current);
              if (next !== null) stage.focusFace(next);
            }}
          />
        )}
        {!diff && <LegendPanel state={labelState} features={props.taxonomy.featureTypes} onSelect={selectFeature} />}
        <NotesPanel notes={notes} describeFace={describeFace} disabled={decision.busy} />
        <DecisionPanel decision={decision} />
        <HistoryPanel reviews={props.reviews} />
      </aside>
    </div>
  );
}
