"use client";

import type {
  FaceModel,
  FaceViewerHandle,
  PointerModifiers,
  Projection,
  SectionPlane,
  Tool,
  ViewerBackground,
} from "@facet/viewer";
import { type Dispatch, type RefObject, type SetStateAction, useCallback, useEffect, useRef, useState } from "react";
import { type KeyList, useKeyHelp } from "@/components/key-help";
import { useCaptureKeys } from "@/components/use-capture-keys";

/** What the stage's keys do (`keys` below), for the `?` list. */
const VIEWER_KEYS: KeyList = [
  ["V", "Select tool"],
  ["P", "Paint tool"],
  ["R", "Box select tool"],
  ["F", "Fit the part in view"],
  ["H", "Hide the selection"],
  ["Shift+H", "Show every face"],
  ["I", "Isolate the selection"],
  ["X", "X-ray"],
  ["O", "Perspective / orthographic"],
  ["E", "Edges between faces on / off"],
  ["Esc", "Clear the selection"],
];

import { boxSelection, clickSelection, isolating, NO_FACES, paintSelection, unhide } from "@/lib/workbench/selection";

declare global {
  interface Window {
    /** The open part stage's viewer, for end-to-end tests and the viewer benchmark. */
    __facetViewer?: FaceViewerHandle;
  }
}

/** What every page that shows a part in 3D shares: the viewer, the selection, visibility and view settings. */
export interface PartStage {
  viewer: RefObject<FaceViewerHandle | null>;
  /** The mesh once it is drawn (null while it loads). */
  model: FaceModel | null;
  selection: ReadonlySet<number>;
  setSelection: Dispatch<SetStateAction<ReadonlySet<number>>>;
  /** The one selected face, or null when none or several are selected. */
  current: number | null;
  hidden: ReadonlySet<number>;
  setHidden: Dispatch<SetStateAction<ReadonlySet<number>>>;
  hovered: number | null;
  setHovered: (face: number | null) => void;
  tool: Tool;
  setTool: Dispatch<SetStateAction<Tool>>;
  projection: Projection;
  setProjection: Dispatch<SetStateAction<Projection>>;
  xray: boolean;
  setXray: Dispatch<SetStateAction<boolean>>;
  section: SectionPlane | null;
  setSection: Dispatch<SetStateAction<SectionPlane | null>>;
  /** The B-rep edges drawn as lines (on by default). */
  edges: boolean;
  setEdges: Dispatch<SetStateAction<boolean>>;
  /** Dark or light behind the part; the browser remembers the choice. */
  background: ViewerBackground;
  setBackground(background: ViewerBackground): void;
  /** Frame the selection, or the whole part when nothing is selected. */
  fit(): void;
  hideSelection(): void;
  /** Hide every face but the selection, and frame it. */
  isolate(): void;
  showAll(): void;
  /** Show these faces again if they were hidden. */
  show(faces: number[]): void;
  /** Show, select and frame one face, with the faces around it in view. */
  focusFace(face: number): void;
  onReady(model: FaceModel): void;
  /** The selection rules of a click, a paint stroke and a box (lib/workbench/selection). */
  onFaceClick(face: number | null, mods: PointerModifiers): void;
  onPaint(faces: number[], mods: PointerModifiers): void;
  onBoxSelect(faces: number[], mods: PointerModifiers): void;
  /** The viewer's keys (Esc, F, H, Shift+H, I, X, O, E, V, P, R): true when the key was used. */
  keys(e: KeyboardEvent): boolean;
}

export interface PartStageOptions {
  faceCount: number;
  /** Put the viewer on `window.__facetViewer` once the part is drawn (the workbench and review pages). */
  exposeViewer?: boolean;
}

const BACKGROUND_KEY = "facet.viewer.background";

/** The viewer's background, remembered by the browser (read after hydration: the server cannot know it). */
function useBackground(): [ViewerBackground, (b: ViewerBackground) => void] {
  const [background, setState] = useState<ViewerBackground>("dark");
  useEffect(() => {
    try {
      if (localStorage.getItem(BACKGROUND_KEY) === "light") setState("light");
    } catch {
      // storage refused (private mode, policy): the default stays
    }
  }, []);
  const set = useCallback((b: ViewerBackground) => {
    setState(b);
    try {
      localStorage.setItem(BACKGROUND_KEY, b);
    } catch {
      // not remembered, but shown
    }
  }, []);
  return [background, set];
}

export function usePartStage({ faceCount, exposeViewer = false }: PartStageOptions): PartStage {
  const viewer = useRef<FaceViewerHandle | null>(null);
  const [model, setModel] = useState<FaceModel | null>(null);
  const [selection, setSelection] = useState<ReadonlySet<number>>(NO_FACES);
  const [hidden, setHidden] = useState<ReadonlySet<number>>(NO_FACES);
  const [hovered, setHovered] = useState<number | null>(null);
  const [tool, setTool] = useState<Tool>("select");
  const [projection, setProjection] = useState<Projection>("perspective");
  const [xray, setXray] = useState(false);
  const [section, setSection] = useState<SectionPlane | null>(null);
  const [edges, setEdges] = useState(true);
  const [background, setBackground] = useBackground();

  const fit = useCallback(() => viewer.current?.fit(selection.size > 0 ? selection : undefined), [selection]);

  const hideSelection = useCallback(() => {
    if (selection.size === 0) return;
    setHidden((h) => new Set([...h, ...selection]));
    setSelection(NO_FACES);
  }, [selection]);

  const isolate = useCallback(() => {
    if (selection.size === 0) return;
    const keep = selection;
    setHidden(isolating(faceCount, keep));
    viewer.current?.fit(keep);
  }, [selection, faceCount]);

  const showAll = useCallback(() => setHidden(NO_FACES), []);
  const show = useCallback((faces: number[]) => setHidden((h) => unhide(h, faces)), []);

  const focusFace = useCallback(
    (face: number) => {
      show([face]);
      setSelection(new Set([face]));
      viewer.current?.focus([face]);
    },
    [show],
  );

  const onReady = useCallback(
    (m: FaceModel) => {
      setModel(m);
      if (exposeViewer && viewer.current) window.__facetViewer = viewer.current;
    },
    [exposeViewer],
  );
  useEffect(() => {
    if (exposeViewer) return () => void delete window.__facetViewer;
  }, [exposeViewer]);

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

  const keys = (e: KeyboardEvent): boolean => {
    if (e.ctrlKey || e.metaKey || e.altKey) return false;
    const actions: Record<string, () => void> = {
      escape: () => setSelection(NO_FACES),
      f: fit,
      h: () => (e.shiftKey ? showAll() : hideSelection()),
      i: isolate,
      x: () => setXray((v) => !v),
      o: () => setProjection((p) => (p === "perspective" ? "orthographic" : "perspective")),
      e: () => setEdges((on) => !on),
      v: () => setTool("select"),
      p: () => setTool("paint"),
      r: () => setTool("box"),
    };
    const action = actions[e.key.toLowerCase()];
    if (!action) return false;
    action();
    return true;
  };

  return {
    viewer,
    model,
    selection,
    setSelection,
    current: selection.size === 1 ? ([...selection][0] as number) : null,
    hidden,
    setHidden,
    hovered,
    setHovered,
    tool,
    setTool,
    projection,
    setProjection,
    xray,
    setXray,
    section,
    setSection,
    edges,
    setEdges,
    background,
    setBackground,
    fit,
    hideSelection,
    isolate,
    showAll,
    show,
    focusFace,
    onReady,
    onFaceClick,
    onPaint,
    onBoxSelect,
    keys,
  };
}

/**
 * The page's own keys first (`own` returns true when it used the key), then the stage's; handled
 * before the workspace's shortcuts (g + key navigation). `marker` is set on <body> while listening.
 */
export function useStageKeys(stage: PartStage, own: (e: KeyboardEvent) => boolean, marker: string): void {
  useKeyHelp("Viewer", VIEWER_KEYS);
  useCaptureKeys((e) => own(e) || stage.keys(e), marker);
}
