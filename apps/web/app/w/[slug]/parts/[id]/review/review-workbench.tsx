"use client";

import {
  changedFaces,
  diffCounts,
  type LabelState,
  type PartStatus,
  STATUS_LABELS,
  stepChange,
  type Taxonomy,
} from "@facet/core";
import type {
  FaceModel,
  FaceViewerHandle,
  Point3,
  PointerModifiers,
  Projection,
  SectionPlane,
  Tool,
} from "@facet/viewer";
import { Pins } from "@facet/viewer";
import dynamic from "next/dynamic";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { api, messageOf } from "@/components/api-client";
import { useCaptureKeys } from "@/components/use-capture-keys";
import {
  DIFF_KIND_LABELS,
  type DiffMode,
  describeChange,
  diffColours,
  diffFor,
  diffModeOptions,
  featureName,
  fitLabels,
} from "@/lib/review/diff";
import { addNote, canReject, type DraftNote, notePins, removeNote, reviewPayload } from "@/lib/review/notes";
import { decisionBlocked } from "@/lib/review/queue";
import { faceColours } from "@/lib/workbench/colours";
import { useFacesFile } from "@/lib/workbench/faces-file";
import { confidenceColours, nextInList } from "@/lib/workbench/prelabel";
import { boxSelection, clickSelection, isolating, paintSelection, unhide } from "@/lib/workbench/selection";
import { LegendPanel } from "../label/panels";
import { ViewerToolbar } from "../label/toolbar";
import { usePartEvents } from "../label/use-part-events";
import { ConsensusPanel, type ConsensusView } from "./consensus-panel";
import { DiffPanel, type HistoryEntry, HistoryPanel, NotesPanel, When } from "./review-panels";

const FaceViewer = dynamic(() => import("@facet/viewer").then((m) => m.FaceViewer), {
  ssr: false,
  loading: () => <div className="wb-viewer" />,
});

/** Labels of one revision, as the review page needs them. */
export interface ReviewLabels {
  revisionNo: number;
  faceSignature: string;
  labels: (string | null)[];
  authorEmail: string | null;
  source: string;
  createdAt: string;
}

export type ReviewHistoryEntry = HistoryEntry;

export interface ReviewWorkbenchProps {
  workspace: string;
  partId: string;
  partName: string;
  datasetId: string;
  datasetName: string;
  userId: string;
  status: string;
  annotatorId: string | null;
  annotatorEmail: string | null;
  meshUrl: string;
  meshKey: string;
  facesUrl: string;
  facesKey: string;
  faceSignature: string;
  faceCount: number;
  taxonomy: Taxonomy;
  /** The revision under review (the latest). */
  revision: ReviewLabels;
  prelabel: ReviewLabels | null;
  previous: ReviewLabels | null;
  reviews: ReviewHistoryEntry[];
  /** For datasets that need several independent annotations: theirs, face by face. */
  consensus: ConsensusView | null;
}

const EMPTY: ReadonlySet<number> = new Set();

export function ReviewWorkbench(props: ReviewWorkbenchProps) {
  const router = useRouter();
  const base = `/api/workspaces/${props.workspace}/parts/${props.partId}`;
  const viewer = useRef<FaceViewerHandle | null>(null);
  const [model, setModel] = useState<FaceModel | null>(null);

  const [mode, setMode] = useState<DiffMode>("labels");
  const [selection, setSelection] = useState<ReadonlySet<number>>(EMPTY);
  const [hidden, setHidden] = useState<ReadonlySet<number>>(EMPTY);
  const [hovered, setHovered] = useState<number | null>(null);
  const [tool, setTool] = useState<Tool>("select");
  const [projection, setProjection] = useState<Projection>("perspective");
  const [xray, setXray] = useState(false);
  const [section, setSection] = useState<SectionPlane | null>(null);
  const [changeFace, setChangeFace] = useState<number | null>(null);

  const [pinning, setPinning] = useState(false);
  const [draft, setDraft] = useState<{ faceIndex: number; point: Point3 | null; body: string } | null>(null);
  const [draftError, setDraftError] = useState<string | null>(null);
  const [notes, setNotes] = useState<DraftNote[]>([]);
  const [activeNote, setActiveNote] = useState<string | null>(null);
  const noteSeq = useRef(0);

  const [summary, setSummary] = useState("");
  const [busy, setBusy] = useState(false);
  const [decided, setDecided] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const live = usePartEvents(`${base}/events`, { status: props.status, annotatorId: props.annotatorId });
  const liveStatus = live.status ?? props.status;
  const statusChanged = !decided && liveStatus !== props.status;
  const newerRevision =
    !decided && live.latestRevision !== null && live.latestRevision.revisionNo > props.revision.revisionNo;
  const blocked = decided
    ? null
    : decisionBlocked({ userId: props.userId, annotatorId: props.annotatorId, status: liveStatus });

  const signatureMatches = props.revision.faceSignature === props.faceSignature;
  const features = useMemo(() => new Map(props.taxonomy.featureTypes.map((f) => [f.key, f])), [props.taxonomy]);
  const current = useMemo(
    () => fitLabels(signatureMatches ? props.revision.labels : [], props.faceCount),
    [signatureMatches, props.revision.labels, props.faceCount],
  );
  const labelState = useMemo<LabelState>(() => ({ labels: current, instances: [] }), [current]);

  const options = useMemo(
    () =>
      diffModeOptions({
        faceSignature: props.faceSignature,
        prelabel: props.prelabel,
        previous: props.previous,
      }),
    [props.faceSignature, props.prelabel, props.previous],
  );
  const option = options.find((o) => o.mode === mode);
  const diff = useMemo(() => diffFor(option, current), [option, current]);
  const baseLabels = useMemo(
    () => (diff && option?.base ? fitLabels(option.base.labels, props.faceCount) : null),
    [diff, option, props.faceCount],
  );
  const changed = useMemo(() => (diff ? changedFaces(diff) : []), [diff]);
  const counts = useMemo(() => (diff ? diffCounts(diff) : null), [diff]);
  const [showAgreement, setShowAgreement] = useState(false);
  const agreement = props.consensus?.agreement ?? null;
  const colours = useMemo(
    () =>
      showAgreement && agreement
        ? confidenceColours(agreement, props.faceCount)
        : diff
          ? diffColours(diff, props.faceCount)
          : faceColours(current, props.taxonomy.featureTypes),
    [showAgreement, agreement, diff, current, props.faceCount, props.taxonomy],
  );

  // the faces file: surface types and sizes for the hover line (content-addressed, kept by the browser)
  const facesFile = useFacesFile(props.facesUrl, props.facesKey);
  const faceInfo = facesFile.file?.faces ?? null;
  const facesError = facesFile.error;

  const show = useCallback((faces: number[]) => {
    setHidden((h) => unhide(h, faces));
  }, []);

  const focusFace = useCallback(
    (face: number) => {
      show([face]);
      setSelection(new Set([face]));
      viewer.current?.fit([face]);
    },
    [show],
  );

  const changeMode = useCallback((next: DiffMode) => {
    setMode(next);
    setChangeFace(null);
  }, []);

  const step = useCallback(
    (direction: 1 | -1) => {
      if (!diff) return;
      const from = changeFace ?? (selection.size === 1 ? ([...selection][0] as number) : null);
      const next = stepChange(changed, from, direction);
      if (next === null) return;
      setChangeFace(next);
      // framed, not selected: the selection's tint would hide the colour of the change
      show([next]);
      setSelection(EMPTY);
      viewer.current?.fit([next]);
    },
    [diff, changed, changeFace, selection, show],
  );

  const changeInfo = useMemo(() => {
    if (!diff || changeFace === null) return null;
    return {
      face: changeFace,
      text: describeChange(changeFace, current[changeFace], baseLabels?.[changeFace], features),
    };
  }, [diff, changeFace, current, baseLabels, features]);
  const changePosition = useMemo(() => {
    if (changeFace === null) return null;
    const i = changed.indexOf(changeFace);
    return i < 0 ? null : `${i + 1} of ${changed.length}`;
  }, [changed, changeFace]);

  const describeFace = useCallback(
    (face: number) => {
      const info = faceInfo?.[face];
      return [`face ${face}`, ...(info ? [info.surface] : []), featureName(current[face], features)].join(" · ");
    },
    [faceInfo, current, features],
  );

  // notes ------------------------------------------------------------------------------------------

  const togglePinning = useCallback(() => {
    if (pinning) {
      setDraft(null);
      setDraftError(null);
    } else {
      setTool("select");
    }
    setPinning(!pinning);
  }, [pinning]);

  const cancelDraft = useCallback(() => {
    setDraft(null);
    setDraftError(null);
    setPinning(false);
  }, []);

  const commitDraft = useCallback(() => {
    if (!draft) return;
    const id = `note-${++noteSeq.current}`;
    const point = draft.point ?? viewer.current?.faceCentre(draft.faceIndex) ?? null;
    const result = addNote(notes, { id, body: draft.body, faceIndex: draft.faceIndex, point });
    if (result.error) {
      setDraftError(result.error);
      return;
    }
    setNotes(result.notes);
    setActiveNote(id);
    setDraft(null);
    setDraftError(null);
    setPinning(false);
  }, [draft, notes]);

  const selectNote = useCallback(
    (id: string) => {
      const note = notes.find((n) => n.id === id);
      if (!note) return;
      setActiveNote(id);
      if (note.faceIndex !== null) focusFace(note.faceIndex);
    },
    [notes, focusFace],
  );

  const pins = useMemo(
    () => notePins(notes, activeNote, draft ? { faceIndex: draft.faceIndex, point: draft.point } : null),
    [notes, activeNote, draft],
  );

  // the decision -----------------------------------------------------------------------------------

  const decide = useCallback(
    async (decision: "approved" | "rejected") => {
      setBusy(true);
      setError(null);
      try {
        await api("POST", `${base}/review`, reviewPayload(decision, props.revision.revisionNo, summary, notes));
        setDecided(true);
        router.push(`/w/${props.workspace}/review?reviewed=${encodeURIComponent(props.partName)}&decision=${decision}`);
      } catch (e) {
        setError(messageOf(e));
        setBusy(false);
      }
    },
    [base, props.revision.revisionNo, props.workspace, props.partName, summary, notes, router],
  );

  // viewer -----------------------------------------------------------------------------------------

  const hideSelection = useCallback(() => {
    if (selection.size === 0) return;
    setHidden((h) => new Set([...h, ...selection]));
    setSelection(EMPTY);
  }, [selection]);

  const isolate = useCallback(() => {
    if (selection.size === 0) return;
    const keep = selection;
    setHidden(isolating(props.faceCount, keep));
    viewer.current?.fit(keep);
  }, [selection, props.faceCount]);

  const onFaceClick = useCallback(
    (face: number | null, mods: PointerModifiers, point: Point3 | null) => {
      if (pinning) {
        if (face === null) return;
        setDraft((d) => ({ faceIndex: face, point, body: d?.body ?? "" }));
        setDraftError(null);
        setSelection(new Set([face]));
        return;
      }
      if (face !== null && diff && !mods.shift && !mods.ctrl) setChangeFace(face);
      setSelection((sel) => clickSelection(sel, face, mods));
    },
    [pinning, diff],
  );
  const onPaint = useCallback(
    (faces: number[], mods: PointerModifiers) => setSelection((sel) => paintSelection(sel, faces, mods)),
    [],
  );
  const onBoxSelect = useCallback(
    (faces: number[], mods: PointerModifiers) => setSelection((sel) => boxSelection(sel, faces, mods)),
    [],
  );

  const onReady = useCallback((m: FaceModel) => {
    setModel(m);
    if (viewer.current) window.__facetViewer = viewer.current;
  }, []);
  useEffect(() => () => void delete window.__facetViewer, []);

  const selectFeature = useCallback(
    (key: string) => setSelection(new Set(current.flatMap((l, f) => (l === key ? [f] : [])))),
    [current],
  );

  // keyboard: handled before the workspace's own shortcuts (g + key navigation)
  const keys = useRef<(e: KeyboardEvent) => boolean>(() => false);
  keys.current = (e: KeyboardEvent): boolean => {
    if (e.ctrlKey || e.metaKey || e.altKey) return false;
    const key = e.key.toLowerCase();
    const actions: Record<string, () => void> = {
      "[": () => step(-1),
      "]": () => step(1),
      n: togglePinning,
      escape: () => {
        if (draft || pinning) cancelDraft();
        else setSelection(EMPTY);
      },
      f: () => viewer.current?.fit(selection.size > 0 ? selection : undefined),
      h: () => (e.shiftKey ? setHidden(EMPTY) : hideSelection()),
      i: isolate,
      x: () => setXray((v) => !v),
      o: () => setProjection((p) => (p === "perspective" ? "orthographic" : "perspective")),
      v: () => setTool("select"),
      p: () => setTool("paint"),
      r: () => setTool("box"),
    };
    const action = actions[key];
    if (!action) return false;
    action();
    return true;
  };
  useCaptureKeys((e) => keys.current(e), "review");

  const hoverInfo = useMemo(() => {
    if (hovered === null) return null;
    let text = describeFace(hovered);
    const kind = diff?.[hovered];
    if (kind && kind !== "same") {
      text += ` · ${DIFF_KIND_LABELS[kind].toLowerCase()}, was ${featureName(baseLabels?.[hovered], features)}`;
    }
    return text;
  }, [hovered, describeFace, diff, baseLabels, features]);

  const others = live.presence.filter((p) => p.userId !== props.userId);
  const rejectable = canReject(notes, summary);

  return (
    <div className="workbench review-workbench" data-testid="review-workbench" data-mode={mode}>
      <div className="wb-main">
        <ViewerToolbar
          tool={tool}
          setTool={(t) => {
            setTool(t);
            if (t !== "select") cancelDraft();
          }}
          projection={projection}
          setProjection={setProjection}
          xray={xray}
          setXray={setXray}
          section={section}
          setSection={setSection}
          onView={(v) => viewer.current?.view(v)}
          onFit={() => viewer.current?.fit(selection.size > 0 ? selection : undefined)}
          onHide={hideSelection}
          onIsolate={isolate}
          onShowAll={() => setHidden(EMPTY)}
          hiddenCount={hidden.size}
        />
        <div className="wb-viewer-wrap" data-pinning={pinning ? "yes" : "no"}>
          <FaceViewer
            ref={viewer}
            meshUrl={props.meshUrl}
            cacheKey={props.meshKey}
            colours={colours}
            selected={selection}
            hidden={hidden}
            xray={xray}
            projection={projection}
            section={section}
            tool={tool}
            onReady={onReady}
            onHover={setHovered}
            onFaceClick={onFaceClick}
            onPaint={onPaint}
            onBoxSelect={onBoxSelect}
            className="wb-viewer"
            style={{ position: "absolute", inset: 0 }}
          >
            <Pins viewer={viewer} pins={pins} onSelect={(id) => id !== "draft" && selectNote(id)} />
          </FaceViewer>
          <div className="wb-hover" data-testid="hover-info" aria-live="polite">
            {hoverInfo ??
              (model
                ? pinning
                  ? "Click a face to pin a note"
                  : `${model.faceCount} faces · ${selection.size} selected${diff ? ` · ${changed.length} changed` : ""}`
                : "")}
          </div>
        </div>
        {facesError && (
          <p className="error" role="alert">
            The faces file could not be loaded: {facesError}
          </p>
        )}
      </div>
      <aside className="wb-side" aria-label="Review">
        <div className="wb-block">
          <p className="muted review-crumbs">
            <Link href={`/w/${props.workspace}/review`}>Review queue</Link> /{" "}
            <Link href={`/w/${props.workspace}/datasets/${props.datasetId}`}>{props.datasetName}</Link>
          </p>
          <div className="row" style={{ justifyContent: "space-between" }}>
            <strong title={props.partName}>
              <Link href={`/w/${props.workspace}/parts/${props.partId}`}>{props.partName}</Link>
            </strong>
            <span className="badge" data-testid="part-status" data-status={liveStatus}>
              {STATUS_LABELS[liveStatus as PartStatus] ?? liveStatus}
            </span>
          </div>
          <span className="muted" data-testid="review-revision" data-revision={props.revision.revisionNo}>
            Revision {props.revision.revisionNo} by {props.annotatorEmail ?? props.revision.authorEmail ?? "someone"} ·{" "}
            <When iso={props.revision.createdAt} />
          </span>
          <div className="row wb-presence" data-testid="presence">
            {live.presence.length === 0 ? (
              <span className="muted">{live.connected ? "" : "connecting…"}</span>
            ) : (
              live.presence.map((p) => (
                <span key={p.userId} className="wb-avatar" title={p.email} data-email={p.email}>
                  {p.userId === props.userId ? "You" : p.email}
                </span>
              ))
            )}
          </div>
          {others.length > 0 && (
            <span className="muted" data-testid="also-reviewing">
              Also open by {others.map((p) => p.email).join(", ")}.
            </span>
          )}
          {!signatureMatches && (
            <p className="error" role="status">
              These labels were made on an older face numbering (the part was processed again): they cannot be shown.
            </p>
          )}
          {statusChanged && (
            <div className="notice review-status-changed" role="status" data-testid="status-changed">
              The part changed while you were looking: it is{" "}
              {(STATUS_LABELS[liveStatus as PartStatus] ?? liveStatus).toLowerCase()} now
              {liveStatus === "approved" || liveStatus === "in_progress" ? " (someone else decided)" : ""}.{" "}
              <Link href={`/w/${props.workspace}/review`}>Back to the queue</Link>
            </div>
          )}
          {newerRevision && (
            <div className="error" role="status" data-testid="newer-revision">
              Revision {live.latestRevision?.revisionNo} was saved since you opened this page.{" "}
              <button type="button" onClick={() => window.location.reload()}>
                Reload
              </button>
            </div>
          )}
        </div>
        <DiffPanel
          options={options}
          mode={mode}
          onMode={changeMode}
          counts={counts}
          changeInfo={changeInfo}
          changePosition={changePosition}
          onStep={step}
        />
        {props.consensus && (
          <ConsensusPanel
            consensus={props.consensus}
            features={features}
            face={selection.size === 1 ? ([...selection][0] as number) : null}
            showAgreement={showAgreement}
            onToggle={() => setShowAgreement((v) => !v)}
            onNext={() => {
              const list = props.consensus?.disagreeingFaces ?? [];
              const at = selection.size === 1 ? ([...selection][0] as number) : null;
              const next = nextInList(list, at);
              if (next !== null) focusFace(next);
            }}
          />
        )}
        {!diff && <LegendPanel state={labelState} features={props.taxonomy.featureTypes} onSelect={selectFeature} />}
        <NotesPanel
          notes={notes}
          activeId={activeNote}
          pinning={pinning}
          onPinning={togglePinning}
          draft={draft}
          draftError={draftError}
          describeFace={describeFace}
          onDraftBody={(body) => setDraft((d) => (d ? { ...d, body } : d))}
          onAdd={commitDraft}
          onCancel={cancelDraft}
          onSelect={selectNote}
          onRemove={(id) => {
            setNotes((list) => removeNote(list, id));
            if (activeNote === id) setActiveNote(null);
          }}
          disabled={busy}
        />
        <div className="wb-block stack review-decision-block" data-testid="decision">
          <label className="review-summary">
            <strong>Summary</strong>
            <textarea
              aria-label="Review summary"
              rows={3}
              value={summary}
              placeholder="What is good, what to fix"
              onChange={(e) => setSummary(e.target.value)}
              disabled={busy}
            />
          </label>
          {blocked && (
            <p className="muted" data-testid="decision-blocked">
              {blocked}
            </p>
          )}
          {error && (
            <p className="error" role="alert" data-testid="review-error">
              {error}
            </p>
          )}
          <div className="row wb-buttons">
            <button
              type="button"
              className="primary"
              onClick={() => decide("approved")}
              disabled={busy || blocked !== null}
            >
              Approve
            </button>
            <button
              type="button"
              className="danger"
              onClick={() => decide("rejected")}
              disabled={busy || blocked !== null || !rejectable}
              title={rejectable ? "Send the part back to its annotator" : "Write a summary or pin a note first"}
            >
              Reject with notes
            </button>
          </div>
        </div>
        <HistoryPanel reviews={props.reviews} />
      </aside>
    </div>
  );
}
