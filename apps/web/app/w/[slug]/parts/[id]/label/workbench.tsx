"use client";

import {
  type AnnotationDocument,
  assignFeature,
  buildFaceGraph,
  emptyLabelState,
  type GrowMode,
  growSelection,
  instanceOfFace,
  type LabelContext,
  type LabelState,
  labelStateFromDocument,
  mergeInstances,
  nextUnlabelled,
  type PartStatus,
  type PrelabelSummary,
  regroupInstances,
  STATUS_LABELS,
  setInstanceParam,
  splitInstance,
  submissionProblems,
  type Taxonomy,
  toggleBottomFace,
} from "@facet/core";
import type { CommentRow } from "@facet/db";
import type { FaceModel, FaceViewerHandle, Pin, PointerModifiers, Projection, SectionPlane, Tool } from "@facet/viewer";
import { facePoints, Pins } from "@facet/viewer";
import dynamic from "next/dynamic";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from "react";
import { api, messageOf } from "@/components/api-client";
import { useCaptureKeys } from "@/components/use-capture-keys";
import { faceColours } from "@/lib/workbench/colours";
import { useFacesFile } from "@/lib/workbench/faces-file";
import { historyReducer } from "@/lib/workbench/history";
import { confidenceColours, disagreeingFaces, nextInList, uncertainFaces } from "@/lib/workbench/prelabel";
import { boxSelection, clickSelection, isolating, paintSelection, unhide } from "@/lib/workbench/selection";
import { InstancesPanel, LegendPanel, PalettePanel, UnlabelledPanel } from "./panels";
import { PrelabelPanel } from "./prelabel-panel";
import { type ReturnedReview, ReviewNotesPanel } from "./review-notes";
import { ViewerToolbar } from "./toolbar";
import { useAutosave } from "./use-autosave";
import { useLease, usePartEvents } from "./use-part-events";

const FaceViewer = dynamic(() => import("@facet/viewer").then((m) => m.FaceViewer), {
  ssr: false,
  loading: () => <div className="wb-viewer" />,
});

export interface WorkbenchProps {
  workspace: string;
  partId: string;
  partName: string;
  userId: string;
  holds: boolean;
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
  revision: { revisionNo: number; document: AnnotationDocument; authorEmail: string | null; source: string } | null;
  /** The rejection the part came back with (its notes pinned to faces or points), while it is returned. */
  review: ReturnedReview | null;
  /** What the pre-labelers proposed and how sure they were; null when the part was never pre-labelled. */
  prelabel: {
    faceSignature: string | null;
    labels: (string | null)[];
    summary: PrelabelSummary | null;
    error: string | null;
  } | null;
}

const EMPTY: ReadonlySet<number> = new Set();

/** A function whose identity never changes but always calls the latest version (keeps memoised panels still). */
function useStable<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  const ref = useRef(fn);
  ref.current = fn;
  return useCallback((...args: A) => ref.current(...args), []);
}

declare global {
  interface Window {
    /** The workbench's viewer, for end-to-end tests and the viewer benchmark. */
    __facetViewer?: FaceViewerHandle;
  }
}

export function Workbench(props: WorkbenchProps) {
  const router = useRouter();
  const base = `/api/workspaces/${props.workspace}/parts/${props.partId}`;
  const viewer = useRef<FaceViewerHandle | null>(null);
  const [model, setModel] = useState<FaceModel | null>(null);
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
  const state = history.present;

  const [selection, setSelection] = useState<ReadonlySet<number>>(EMPTY);
  const [hidden, setHidden] = useState<ReadonlySet<number>>(EMPTY);
  const [hovered, setHovered] = useState<number | null>(null);
  const [tool, setTool] = useState<Tool>("select");
  const [projection, setProjection] = useState<Projection>("perspective");
  const [xray, setXray] = useState(false);
  const [section, setSection] = useState<SectionPlane | null>(null);
  const [growMode, setGrowMode] = useState<GrowMode>("surface");
  const [notice, setNotice] = useState<{ text: string; error: boolean } | null>(
    props.revision && !signatureMatches
      ? {
          text: "The saved labels were made on an older face numbering (the part was processed again); they are not shown. Start from the faces as they are now.",
          error: true,
        }
      : null,
  );
  const [problems, setProblems] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [lost, setLost] = useState<string | null>(null);
  const searchRef = useRef<HTMLInputElement | null>(null);
  const [notes, setNotes] = useState<CommentRow[]>(props.review?.notes ?? []);
  const [activeNote, setActiveNote] = useState<string | null>(null);

  const live = usePartEvents(`${base}/events`, { status: props.status, annotatorId: props.annotatorId });
  const stillHeld = live.status === "in_progress" && live.annotatorId === props.userId;
  const holding = props.holds && stillHeld && lost === null;
  useLease(`${base}/lease`, props.holds && stillHeld, setLost);

  const save = useAutosave({
    url: `${base}/revisions`,
    faceSignature: props.faceSignature,
    state,
    version: history.version,
    initialRevision: props.revision?.revisionNo ?? null,
    enabled: holding,
  });
  const editable = holding && save.status.kind !== "conflict";
  const newerElsewhere =
    live.latestRevision !== null &&
    live.latestRevision.revisionNo > save.revision.current &&
    live.latestRevision.authorId !== props.userId;

  // the faces file: surface types, sizes and adjacency (content-addressed, kept by the browser)
  const facesFile = useFacesFile(props.facesUrl, props.facesKey);
  const graph = useMemo(() => (facesFile.file ? buildFaceGraph(facesFile.file) : null), [facesFile.file]);
  const facesError = facesFile.error;

  const pointsCache = useRef(new Map<number, Float32Array>());
  const ctx = useMemo<LabelContext | null>(() => {
    if (!graph) return null;
    const cache = pointsCache.current;
    return {
      graph,
      taxonomy: props.taxonomy,
      ...(model
        ? {
            pointsOf: (f: number) => {
              let p = cache.get(f);
              if (!p) {
                p = facePoints(model, f);
                cache.set(f, p);
              }
              return p;
            },
          }
        : {}),
    };
  }, [graph, model, props.taxonomy]);

  // labels that came without instances (imports, pre-labels) are grouped once the adjacency is known
  const grouped = useRef(false);
  useEffect(() => {
    if (!ctx || !model || grouped.current) return;
    grouped.current = true;
    const s = history.present;
    const stock = new Set(props.taxonomy.featureTypes.filter((f) => f.isStock).map((f) => f.key));
    if (s.instances.length === 0 && s.labels.some((l) => l !== null && !stock.has(l))) {
      dispatch({ type: "load", state: regroupInstances(s.labels, ctx), asChange: holding });
    }
  }, [ctx, model, history.present, props.taxonomy, holding]);

  const apply = useCallback(
    (op: (s: LabelState, c: LabelContext) => LabelState, after?: () => void) => {
      if (!editable) {
        setNotice({ text: "This part is read-only here: you do not hold it.", error: true });
        return;
      }
      if (!ctx) return;
      try {
        dispatch({ type: "apply", next: op(state, ctx) });
        setProblems([]);
        after?.();
      } catch (e) {
        setNotice({ text: messageOf(e), error: true });
      }
    },
    [editable, ctx, state],
  );

  const targetFaces = useCallback((): number[] => {
    if (selection.size > 0) return [...selection];
    return hovered === null ? [] : [hovered];
  }, [selection, hovered]);

  const assign = useCallback(
    (feature: string | null) => {
      const faces = targetFaces();
      if (!editable) {
        setNotice({ text: "This part is read-only here: you do not hold it.", error: true });
        return;
      }
      if (faces.length === 0) {
        setNotice({ text: "Select faces first (click, paint or box), then pick a feature.", error: false });
        return;
      }
      apply(
        (s, c) => assignFeature(s, c, faces, feature),
        () => setSelection(EMPTY),
      );
    },
    [apply, targetFaces, editable],
  );

  const grow = useCallback(
    (mode: GrowMode) => {
      if (!graph) return;
      const seeds = targetFaces();
      if (seeds.length === 0) return;
      setSelection(new Set(growSelection(graph, seeds, mode)));
    },
    [graph, targetFaces],
  );

  const jumpToNextUnlabelled = useCallback(() => {
    const after = selection.size === 1 ? ([...selection][0] as number) : null;
    const next = nextUnlabelled(state, after);
    if (next === null) {
      setNotice({ text: "Every face is labelled.", error: false });
      return;
    }
    setHidden((h) => unhide(h, [next]));
    setSelection(new Set([next]));
    viewer.current?.fit([next]);
  }, [selection, state]);

  const isolate = useCallback(() => {
    if (selection.size === 0) return;
    const keep = selection;
    setHidden(isolating(props.faceCount, keep));
    viewer.current?.fit(keep);
  }, [selection, props.faceCount]);

  const hideSelection = useCallback(() => {
    if (selection.size === 0) return;
    setHidden((h) => new Set([...h, ...selection]));
    setSelection(EMPTY);
  }, [selection]);

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
      setNotice({ text: "Select some faces of one instance to split them off.", error: true });
      return;
    }
    apply((s, c) => splitInstance(s, c, id, [...selection]));
  }, [apply, selection, selectionInstances]);

  const merge = useCallback(() => {
    if (selectionInstances.length < 2) {
      setNotice({ text: "Select faces of two or more instances of one feature to merge them.", error: true });
      return;
    }
    apply((s, c) => mergeInstances(s, c, selectionInstances));
  }, [apply, selectionInstances]);

  const toggleBottom = useCallback(() => {
    const faces = targetFaces();
    if (faces.length === 0) return;
    apply((s, c) => faces.reduce((acc, f) => toggleBottomFace(acc, c, f), s));
  }, [apply, targetFaces]);

  const submit = useCallback(async () => {
    if (!ctx) return;
    const found = submissionProblems(state, ctx);
    setProblems(found);
    if (found.length > 0) return;
    setBusy(true);
    try {
      const revisionNo = await save.flush();
      const { status } = await api<{ status: string }>("POST", `${base}/submit`, { revisionNo });
      // in a consensus dataset the part goes back to the queue until enough people have labelled it
      const outcome = status === "in_review" ? "submitted" : "recorded";
      router.push(`/w/${props.workspace}/queue?${outcome}=${encodeURIComponent(props.partName)}`);
    } catch (e) {
      setNotice({ text: messageOf(e), error: true });
      setBusy(false);
    }
  }, [ctx, state, save, base, router, props.workspace, props.partName]);

  const release = useCallback(async () => {
    setBusy(true);
    try {
      await save.flush().catch(() => undefined);
      await api("POST", `${base}/release`);
      router.push(`/w/${props.workspace}/queue`);
    } catch (e) {
      setNotice({ text: messageOf(e), error: true });
      setBusy(false);
    }
  }, [save, base, router, props.workspace]);

  // keyboard: handled before the workspace's own shortcuts (g + key navigation)
  const keys = useRef<(e: KeyboardEvent) => boolean>(() => false);
  keys.current = (e: KeyboardEvent): boolean => {
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key.toLowerCase();
    if (mod && key === "z") {
      dispatch({ type: e.shiftKey ? "redo" : "undo" });
      return true;
    }
    if (mod && key === "y") {
      dispatch({ type: "redo" });
      return true;
    }
    if (mod || e.altKey) return false;
    const feature = props.taxonomy.featureTypes.find((f) => f.hotkey === e.key);
    if (feature) {
      assign(feature.key);
      return true;
    }
    const actions: Record<string, () => void> = {
      escape: () => setSelection(EMPTY),
      delete: () => assign(null),
      backspace: () => assign(null),
      g: () => grow(growMode),
      n: jumpToNextUnlabelled,
      h: () => (e.shiftKey ? setHidden(EMPTY) : hideSelection()),
      i: isolate,
      x: () => setXray((v) => !v),
      o: () => setProjection((p) => (p === "perspective" ? "orthographic" : "perspective")),
      f: () => viewer.current?.fit(selection.size > 0 ? selection : undefined),
      b: toggleBottom,
      v: () => setTool("select"),
      p: () => setTool("paint"),
      r: () => setTool("box"),
      "/": () => searchRef.current?.focus(),
      c: toggleConfidence,
      u: nextUncertain,
    };
    const action = actions[key];
    if (!action) return false;
    action();
    return true;
  };
  useCaptureKeys((e) => keys.current(e), "workbench");

  const onReady = useCallback((m: FaceModel) => {
    setModel(m);
    if (viewer.current) window.__facetViewer = viewer.current;
  }, []);
  useEffect(() => () => void delete window.__facetViewer, []);

  const onFaceClick = useCallback(
    (face: number | null, mods: PointerModifiers) => setSelection((sel) => clickSelection(sel, face, mods)),
    [],
  );
  const onPaint = useCallback(
    (faces: number[], mods: PointerModifiers) => setSelection((sel) => paintSelection(sel, faces, mods)),
    [],
  );
  const onBoxSelect = useCallback(
    (faces: number[], mods: PointerModifiers) => setSelection((sel) => boxSelection(sel, faces, mods)),
    [],
  );

  // stable callbacks: painting changes the selection many times a second, the panels need not redraw
  const stableAssign = useStable(assign);
  const stableNext = useStable(jumpToNextUnlabelled);
  const selectFeature = useStable((key: string) =>
    setSelection(new Set(state.labels.flatMap((l, f) => (l === key ? [f] : [])))),
  );
  const selectFace = useCallback((f: number) => setSelection(new Set([f])), []);
  const selectFaces = useCallback((faces: number[]) => setSelection(new Set(faces)), []);
  const setParam = useStable((id: string, key: string, value: number | null) =>
    apply((s, c) => setInstanceParam(s, c, id, key, value)),
  );

  // review notes: pins on the part (a note's point, or the centre of its face), numbered like the list
  const notesOnThisNumbering = useMemo(
    () => notes.filter((n) => n.faceIndex === null || n.faceSignature === props.faceSignature),
    [notes, props.faceSignature],
  );
  const pins = useMemo<Pin[]>(() => {
    if (!model) return [];
    return notesOnThisNumbering.flatMap((n, i) => {
      const point = n.point ?? (n.faceIndex !== null ? (viewer.current?.faceCentre(n.faceIndex) ?? null) : null);
      if (!point) return [];
      return [
        { id: n.id, point, label: String(i + 1), title: n.body, active: n.id === activeNote, muted: !!n.resolvedAt },
      ];
    });
  }, [model, notesOnThisNumbering, activeNote]);
  const openNote = useCallback((note: CommentRow) => {
    setActiveNote(note.id);
    if (note.faceIndex === null) return;
    const face = note.faceIndex;
    setHidden((h) => unhide(h, [face]));
    setSelection(new Set([face]));
    viewer.current?.fit([face]);
  }, []);
  const onPinSelect = useCallback(
    (id: string) => {
      const note = notes.find((n) => n.id === id);
      if (note) openNote(note);
    },
    [notes, openNote],
  );
  const noteResolved = useCallback(
    (updated: CommentRow) => setNotes((list) => list.map((n) => (n.id === updated.id ? updated : n))),
    [],
  );

  // pre-labels: confidence per face on this numbering, the faces to check first, model disagreements
  const [showConfidence, setShowConfidence] = useState(false);
  const prelabel = props.prelabel;
  const prelabelStale = !!prelabel?.summary && prelabel.faceSignature !== props.faceSignature;
  const confidence = prelabel?.summary && !prelabelStale ? prelabel.summary.confidence : null;
  const uncertain = useMemo(() => (confidence ? uncertainFaces(confidence) : []), [confidence]);
  const disagreeing = useMemo(
    () => (prelabelStale ? [] : disagreeingFaces(prelabel?.summary?.disagreement)),
    [prelabel, prelabelStale],
  );
  const focusFace = useCallback((face: number | null) => {
    if (face === null) return;
    setHidden((h) => unhide(h, [face]));
    setSelection(new Set([face]));
    viewer.current?.fit([face]);
  }, []);
  const current = selection.size === 1 ? ([...selection][0] as number) : null;
  const nextUncertain = useStable(() => focusFace(nextInList(uncertain, current)));
  const nextDisagreement = useStable(() => focusFace(nextInList(disagreeing, current)));
  const toggleConfidence = useStable(() => {
    if (confidence) setShowConfidence((v) => !v);
  });

  const colours = useMemo(
    () =>
      showConfidence && confidence
        ? confidenceColours(confidence, props.faceCount)
        : faceColours(state.labels, props.taxonomy.featureTypes),
    [showConfidence, confidence, props.faceCount, state.labels, props.taxonomy],
  );
  const featureByKey = useMemo(() => new Map(props.taxonomy.featureTypes.map((f) => [f.key, f])), [props.taxonomy]);
  const hoverInfo = useMemo(() => {
    if (hovered === null || !graph) return null;
    const f = graph.faces[hovered];
    if (!f) return null;
    const label = state.labels[hovered];
    const inst = instanceOfFace(state, hovered);
    const parts = [`face ${hovered}`, f.surface, `area ${f.area.toPrecision(4)} mm²`];
    if (f.radius !== null) parts.push(`radius ${f.radius.toPrecision(4)} mm`);
    parts.push(label ? `${featureByKey.get(label)?.name ?? label}${inst ? ` (${inst.id})` : ""}` : "unlabelled");
    const sure = confidence?.[hovered];
    if (sure !== undefined) parts.push(`pre-label ${Math.round(sure * 100)}% sure`);
    return parts.join(" · ");
  }, [hovered, graph, state, featureByKey, confidence]);

  const saveText = {
    saved:
      save.status.kind === "saved" && save.status.revisionNo ? `Saved · revision ${save.status.revisionNo}` : "Saved",
    pending: "Unsaved changes…",
    saving: "Saving…",
    conflict: "Not saved",
    error: "Save failed, retrying…",
  }[save.status.kind];

  return (
    <div className="workbench" data-testid="workbench" data-editable={editable ? "yes" : "no"}>
      <div className="wb-main">
        <ViewerToolbar
          tool={tool}
          setTool={setTool}
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
        <div className="wb-viewer-wrap">
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
            {pins.length > 0 && <Pins viewer={viewer} pins={pins} onSelect={onPinSelect} />}
          </FaceViewer>
          <div className="wb-hover" data-testid="hover-info" aria-live="polite">
            {hoverInfo ?? (model ? `${model.faceCount} faces · ${selection.size} selected · press ? for keys` : "")}
          </div>
        </div>
        {facesError && (
          <p className="error" role="alert">
            The faces file could not be loaded: {facesError}
          </p>
        )}
      </div>
      <aside className="wb-side" aria-label="Labelling">
        <div className="wb-block">
          <div className="row" style={{ justifyContent: "space-between" }}>
            <strong title={props.partName}>{props.partName}</strong>
            <span className="badge" data-testid="part-status">
              {STATUS_LABELS[(live.status ?? props.status) as PartStatus] ?? live.status}
            </span>
          </div>
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
          <div className="muted" data-testid="save-status" data-kind={save.status.kind}>
            {holding ? saveText : `Read-only · held by ${props.annotatorEmail ?? "nobody"}`}
          </div>
          {(save.status.kind === "conflict" || newerElsewhere || lost) && (
            <div className="error" role="alert" data-testid="conflict">
              {lost
                ? `You no longer hold this part: ${lost}.`
                : save.status.kind === "conflict"
                  ? `Your last change was not saved: ${save.status.message}.`
                  : "Someone saved a newer revision of this part."}{" "}
              <button type="button" onClick={() => window.location.reload()}>
                Reload
              </button>
            </div>
          )}
          {notice && (
            <div className={notice.error ? "error" : "notice"} role="status" data-testid="notice">
              {notice.text}{" "}
              <button type="button" className="link" onClick={() => setNotice(null)} aria-label="Dismiss">
                ×
              </button>
            </div>
          )}
        </div>
        {props.review && (
          <ReviewNotesPanel
            review={props.review}
            notes={notesOnThisNumbering}
            activeNote={activeNote}
            commentsUrl={`${base}/comments`}
            onOpen={openNote}
            onResolved={noteResolved}
          />
        )}
        {prelabel && (
          <PrelabelPanel
            summary={prelabel.summary}
            labels={prelabel.labels}
            error={prelabel.error}
            stale={prelabelStale}
            features={featureByKey}
            uncertain={uncertain}
            disagreeing={disagreeing}
            face={current}
            showConfidence={showConfidence && !!confidence}
            onToggleConfidence={toggleConfidence}
            onNextUncertain={nextUncertain}
            onNextDisagreement={nextDisagreement}
          />
        )}
        <PalettePanel
          features={props.taxonomy.featureTypes}
          onAssign={stableAssign}
          searchRef={searchRef}
          disabled={!editable}
        />
        <div className="wb-block" data-testid="selection-panel">
          <div className="row" style={{ justifyContent: "space-between" }}>
            <strong>Selection</strong>
            <span className="muted">{selection.size} face(s)</span>
          </div>
          <div className="row wb-buttons">
            <select aria-label="Grow mode" value={growMode} onChange={(e) => setGrowMode(e.target.value as GrowMode)}>
              <option value="surface">same surface type</option>
              <option value="tangent">tangent-continuous</option>
              <option value="concave">concave region</option>
            </select>
            <button type="button" onClick={() => grow(growMode)} disabled={selection.size === 0}>
              Grow <kbd>G</kbd>
            </button>
          </div>
          <div className="row wb-buttons">
            <button type="button" onClick={() => assign(null)} disabled={!editable || selection.size === 0}>
              Clear labels <kbd>Del</kbd>
            </button>
            <button type="button" onClick={toggleBottom} disabled={!editable || selection.size === 0}>
              Bottom <kbd>B</kbd>
            </button>
            <button type="button" onClick={split} disabled={!editable || selectionInstances.length !== 1}>
              Split
            </button>
            <button type="button" onClick={merge} disabled={!editable || selectionInstances.length < 2}>
              Merge
            </button>
          </div>
          <div className="row wb-buttons">
            <button type="button" onClick={() => dispatch({ type: "undo" })} disabled={history.past.length === 0}>
              Undo
            </button>
            <button type="button" onClick={() => dispatch({ type: "redo" })} disabled={history.future.length === 0}>
              Redo
            </button>
          </div>
        </div>
        <LegendPanel state={state} features={props.taxonomy.featureTypes} onSelect={selectFeature} />
        <UnlabelledPanel state={state} onNext={stableNext} onSelect={selectFace} onSelectAll={selectFaces} />
        <InstancesPanel
          state={state}
          features={featureByKey}
          editable={editable}
          onSelect={selectFaces}
          onParam={setParam}
        />
        {holding && (
          <div className="wb-block stack">
            {problems.length > 0 && (
              <ul className="error" role="alert" data-testid="submit-problems">
                {problems.map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
            )}
            <div className="row wb-buttons">
              <button type="button" className="primary" onClick={submit} disabled={busy || !editable}>
                Submit for review
              </button>
              <button type="button" onClick={release} disabled={busy}>
                Release
              </button>
            </div>
          </div>
        )}
      </aside>
    </div>
  );
}
