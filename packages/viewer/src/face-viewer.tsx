"use client";

import type { Vec3 } from "@facet/core";
import { Canvas, useFrame, useThree } from "@react-three/fiber";
import { forwardRef, useEffect, useImperativeHandle, useMemo, useRef, useState } from "react";
import * as THREE from "three";
import { CameraRig, focusSphere, type Projection, type Tool, type ViewName } from "./camera-rig";
import { type FaceEdges, neighboursOf } from "./face-edges";
import { createEdgeMaterial, createFaceMaterial, createIdMaterial, FaceState } from "./face-material";
import {
  buildBvh,
  buildEdges,
  buildFaceModel,
  type FaceModel,
  facesBounds,
  parseGlb,
  trianglesBySize,
} from "./face-model";
import { FrameCache } from "./frame-cache";
import { loadCachedBytes } from "./load-mesh";
import { dropClockDeprecation } from "./three-console";

// React Three Fiber's canvas makes a deprecated THREE.Clock: keep its warning off the console
dropClockDeprecation();

export interface SectionPlane {
  axis: "x" | "y" | "z";
  /** Position of the plane across the part's bounding box, 0..1. */
  offset: number;
  /** Keep the other half. */
  flip: boolean;
}

export interface PointerModifiers {
  shift: boolean;
  ctrl: boolean;
}

/** A point of the part, in model coordinates (the units of the STEP file, after tessellation). */

export interface ViewerMetrics {
  /** performance.now() when the viewer was created, the mesh bytes arrived, and the first frame with the part. */
  createdAt: number;
  meshLoadedAt: number | null;
  firstFrameAt: number | null;
  bvhMs: number | null;
  /** Time to find the B-rep edges and the faces' adjacency in the mesh (after the first frame). */
  edgesMs: number | null;
  /** Duration of each hover pick (ms), the most recent last (at most 2000). */
  picks: number[];
  frames: number;
  /** Camera changes so far (orbit, pan, zoom, fit, views). */
  cameraMoves: number;
}

export interface FaceViewerHandle {
  fit(faces?: Iterable<number>): void;
  /**
   * Show faces where they are on the part: framed with the faces touching them around them, from
   * the current direction, never from closer than a share of the part (see `focusSphere`).
   */
  focus(faces: Iterable<number>): void;
  view(name: ViewName): void;
  /** The face under a point of the page (client coordinates), honouring hidden faces and the section. */
  faceAt(clientX: number, clientY: number): number | null;
  /** A point of the page where the face is visible (the face is what a click there picks), or null. */
  visiblePoint(face: number): { x: number; y: number } | null;
  /** Faces visible inside a rectangle of the page (client coordinates). */
  facesInRect(rect: { left: number; top: number; right: number; bottom: number }): number[];
  metrics(): ViewerMetrics;
  model(): FaceModel | null;
  /** The visible face under a point of the page and where the ray meets it, or null. */
  pointAt(clientX: number, clientY: number): { face: number; point: Vec3 } | null;
  /** Where a point of the part is on the page now (client coordinates); null when behind the camera. */
  project(point: Vec3): { x: number; y: number } | null;
  /** A point on a face (the centre of its largest triangle): where a pin to the face is drawn. */
  faceCentre(face: number): Vec3 | null;
  /** Increases whenever the camera moves (overlays that follow the part redraw when it changes). */
  cameraVersion(): number;
}

export interface FaceViewerProps {
  meshUrl: string;
  /** Content address of the mesh: the browser keeps the mesh under it. */
  cacheKey?: string;
  /** sRGB bytes per face (rgb). */
  colours: Uint8Array;
  selected: ReadonlySet<number>;
  hidden: ReadonlySet<number>;
  xray?: boolean;
  projection?: Projection;
  section?: SectionPlane | null;
  tool?: Tool;
  /** Draw the faces' boundaries (B-rep edges) as thin dark lines; on unless false. */
  edges?: boolean;
  background?: ViewerBackground;
  onReady?: (model: FaceModel) => void;
  onHover?: (face: number | null) => void;
  /** A click (no drag) with the select tool; face null = empty space; `point` where the click met the face. */
  onFaceClick?: (face: number | null, modifiers: PointerModifiers, point: Vec3 | null) => void;
  /** Faces crossed while dragging with the paint tool (once per face per stroke). */
  onPaint?: (faces: number[], modifiers: PointerModifiers) => void;
  onBoxSelect?: (faces: number[], modifiers: PointerModifiers) => void;
  onError?: (message: string) => void;
  className?: string;
  style?: React.CSSProperties;
  /** Overlays drawn over the canvas (captions, hover information). */
  children?: React.ReactNode;
}

const CLICK_SLOP = 5;

export type ViewerBackground = "dark" | "light";
const BACKGROUND: Record<ViewerBackground, { colour: string; text: string }> = {
  dark: { colour: "#1d2127", text: "#cfd5dd" },
  light: { colour: "#eceff3", text: "#3a414b" },
};

let software: boolean | null = null;
/**
 * Whether WebGL runs on the CPU (SwiftShader, llvmpipe): then multisampling costs four times the
 * fragment work for little gain, and painting would drop below 50 frames per second.
 */
function softwareRendering(): boolean {
  if (software !== null) return software;
  try {
    const gl = document.createElement("canvas").getContext("webgl2");
    const info = gl?.getExtension("WEBGL_debug_renderer_info");
    const renderer = gl && info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : "";
    gl?.getExtension("WEBGL_lose_context")?.loseContext();
    software = /swiftshader|llvmpipe|software/i.test(renderer);
  } catch {
    software = false;
  }
  return software;
}

interface SceneProps extends FaceViewerProps {
  model: FaceModel;
  onFirstFrame: () => void;
  handleRef: React.MutableRefObject<FaceViewerHandle | null>;
  metrics: ViewerMetrics;
  boxRef: React.RefObject<HTMLDivElement | null>;
}

function Scene(props: SceneProps) {
  const { model, metrics } = props;
  const { gl, set, size, invalidate, scene } = useThree();
  const state = useMemo(() => new FaceState(model.faceCount), [model]);
  const material = useMemo(() => createFaceMaterial(state), [state]);
  const idMaterial = useMemo(() => createIdMaterial(state), [state]);
  const edgeMaterial = useMemo(() => createEdgeMaterial(state), [state]);
  const [edges, setEdges] = useState<FaceEdges | null>(model.edges);
  const lines = useMemo(() => {
    if (!edges) return null;
    const g = new THREE.BufferGeometry();
    g.setAttribute("position", new THREE.BufferAttribute(edges.positions, 3));
    g.setAttribute("edgeFaces", new THREE.BufferAttribute(edges.faces, 2));
    return new THREE.LineSegments(g, edgeMaterial);
  }, [edges, edgeMaterial]);
  const mesh = useMemo(() => new THREE.Mesh(model.geometry, material), [model, material]);
  const idScene = useMemo(() => {
    const s = new THREE.Scene();
    s.add(new THREE.Mesh(model.geometry, idMaterial));
    return s;
  }, [model, idMaterial]);
  const cache = useMemo(() => new FrameCache(model, softwareRendering() ? 0 : 4), [model]);
  const rig = useMemo(
    () =>
      new CameraRig(gl.domElement, () => {
        metrics.cameraMoves++;
        cache.invalidate();
        invalidate();
      }),
    [gl, invalidate, cache, metrics],
  );
  const plane = useMemo(() => new THREE.Plane(), []);
  const latest = useRef(props);
  latest.current = props;
  const hovered = useRef<number | null>(null);

  useEffect(() => () => rig.dispose(), [rig]);
  useEffect(() => () => cache.dispose(), [cache]);
  useEffect(
    () => () => {
      material.dispose();
      idMaterial.dispose();
      edgeMaterial.dispose();
      state.dispose();
    },
    [material, idMaterial, edgeMaterial, state],
  );

  // first framing; the BVH once the part is on screen, then its edges (each a task of its own)
  useEffect(() => {
    set({ camera: rig.camera });
    rig.resize(size.width, size.height);
    rig.setScene(model.bounds);
    rig.frame(model.bounds, "iso");
    gl.localClippingEnabled = true;
    invalidate();
    let edgesTimer: ReturnType<typeof setTimeout> | undefined;
    const timer = setTimeout(() => {
      const t0 = performance.now();
      buildBvh(model);
      metrics.bvhMs = performance.now() - t0;
      edgesTimer = setTimeout(() => {
        const t1 = performance.now();
        const built = model.edges ?? buildEdges(model);
        metrics.edgesMs ??= performance.now() - t1;
        setEdges(built);
      }, 0);
    }, 0);
    return () => {
      clearTimeout(timer);
      clearTimeout(edgesTimer);
    };
  }, [model, rig, set, gl, invalidate, metrics, size.width, size.height]);

  useEffect(() => {
    if (!lines) return;
    scene.add(lines);
    return () => {
      scene.remove(lines);
      lines.geometry.dispose();
    };
  }, [lines, scene]);

  const showEdges = props.edges ?? true;
  useEffect(() => {
    if (lines) lines.visible = showEdges;
    cache.invalidate();
    invalidate();
  }, [lines, showEdges, cache, invalidate]);

  useEffect(() => {
    rig.resize(size.width, size.height);
    cache.invalidate();
    invalidate();
  }, [rig, cache, size.width, size.height, invalidate]);

  useEffect(() => {
    rig.setProjection(props.projection ?? "perspective");
    set({ camera: rig.camera });
    rig.setTool(props.tool ?? "select");
  }, [rig, props.projection, props.tool, set]);

  useEffect(() => {
    const { changed, visibilityChanged } = state.write(props.colours, props.hidden, props.selected);
    if (visibilityChanged) cache.invalidate();
    else cache.faces(changed);
    invalidate();
  }, [state, cache, props.colours, props.hidden, props.selected, invalidate]);

  useEffect(() => {
    const xray = props.xray ?? false;
    material.transparent = xray;
    material.opacity = xray ? 0.32 : 1;
    material.depthWrite = !xray;
    material.needsUpdate = true;
    cache.invalidate();
    invalidate();
  }, [material, cache, props.xray, invalidate]);

  const section = props.section ?? null;
  useEffect(() => {
    if (section) {
      const normal = new THREE.Vector3(
        section.axis === "x" ? 1 : 0,
        section.axis === "y" ? 1 : 0,
        section.axis === "z" ? 1 : 0,
      );
      const min = model.bounds.min.getComponent("xyz".indexOf(section.axis));
      const max = model.bounds.max.getComponent("xyz".indexOf(section.axis));
      const at = normal.clone().multiplyScalar(min + (max - min) * section.offset);
      if (!section.flip) normal.negate();
      plane.setFromNormalAndCoplanarPoint(normal, at);
      material.clippingPlanes = [plane];
      idMaterial.clippingPlanes = [plane];
      edgeMaterial.clippingPlanes = [plane];
    } else {
      material.clippingPlanes = null;
      idMaterial.clippingPlanes = null;
      edgeMaterial.clippingPlanes = null;
    }
    material.needsUpdate = true;
    idMaterial.needsUpdate = true;
    edgeMaterial.needsUpdate = true;
    cache.invalidate();
    invalidate();
  }, [section, plane, material, idMaterial, edgeMaterial, model, cache, invalidate]);

  // this viewer draws its own frames (priority 1): through the frame cache
  useFrame(() => {
    cache.render(gl, scene, rig.camera, mesh, lines);
    metrics.frames++;
    if (metrics.firstFrameAt === null) {
      metrics.firstFrameAt = performance.now();
      performance.mark("facet:first-frame");
      props.onFirstFrame();
    }
  }, 1);

  // picking, painting, box selection and the imperative API
  useEffect(() => {
    const dom = gl.domElement;
    const raycaster = new THREE.Raycaster();
    const ndc = new THREE.Vector2();

    const pick = (clientX: number, clientY: number): number | null => pickPoint(clientX, clientY)?.face ?? null;

    const pickPoint = (clientX: number, clientY: number): { face: number; point: Vec3 } | null => {
      const bvh = model.bvh ?? buildBvh(model);
      const r = dom.getBoundingClientRect();
      ndc.set(((clientX - r.left) / r.width) * 2 - 1, -((clientY - r.top) / r.height) * 2 + 1);
      raycaster.setFromCamera(ndc, rig.camera);
      const hits = bvh.raycast(raycaster.ray, THREE.DoubleSide);
      let best: { face: number; point: Vec3 } | null = null;
      let bestDistance = Number.POSITIVE_INFINITY;
      const clipped = (material.clippingPlanes?.length ?? 0) > 0;
      for (const h of hits) {
        if (h.distance >= bestDistance || h.faceIndex === undefined || h.faceIndex === null) continue;
        const f = model.faceOfTriangle[h.faceIndex] as number;
        if (state.isHidden(f)) continue;
        if (clipped && plane.distanceToPoint(h.point) < 0) continue;
        // an orthographic ray starts behind the eye; keep what is in front of the near plane
        best = { face: f, point: [h.point.x, h.point.y, h.point.z] };
        bestDistance = h.distance;
      }
      return best;
    };

    const timedPick = (clientX: number, clientY: number) => {
      const t0 = performance.now();
      const face = pick(clientX, clientY);
      metrics.picks.push(performance.now() - t0);
      if (metrics.picks.length > 2000) metrics.picks.splice(0, metrics.picks.length - 2000);
      return face;
    };

    const setHover = (face: number | null) => {
      if (face === hovered.current) return;
      cache.faces([hovered.current, face].filter((f): f is number => f !== null));
      hovered.current = face;
      material.userData.hoveredFace.value = face ?? -1;
      invalidate();
      latest.current.onHover?.(face);
    };

    const facesInRect = (rect: { left: number; top: number; right: number; bottom: number }): number[] => {
      const r = dom.getBoundingClientRect();
      const dpr = gl.getPixelRatio();
      const x0 = Math.max(0, Math.floor((Math.min(rect.left, rect.right) - r.left) * dpr));
      const x1 = Math.min(Math.floor(r.width * dpr), Math.ceil((Math.max(rect.left, rect.right) - r.left) * dpr));
      const y0 = Math.max(0, Math.floor((Math.min(rect.top, rect.bottom) - r.top) * dpr));
      const y1 = Math.min(Math.floor(r.height * dpr), Math.ceil((Math.max(rect.top, rect.bottom) - r.top) * dpr));
      const w = x1 - x0;
      const h = y1 - y0;
      if (w <= 0 || h <= 0) return [];
      const fullW = Math.floor(r.width * dpr);
      const fullH = Math.floor(r.height * dpr);
      const target = new THREE.WebGLRenderTarget(w, h);
      const camera = rig.camera;
      // render only the rectangle: the camera's view offset crops the frustum to it
      camera.setViewOffset(fullW, fullH, x0, y0, w, h);
      const previousTarget = gl.getRenderTarget();
      const previousClear = gl.getClearColor(new THREE.Color());
      const previousAlpha = gl.getClearAlpha();
      gl.setRenderTarget(target);
      gl.setClearColor(0x000000, 0);
      gl.clear();
      gl.render(idScene, camera);
      const pixels = new Uint8Array(w * h * 4);
      gl.readRenderTargetPixels(target, 0, 0, w, h, pixels);
      gl.setRenderTarget(previousTarget);
      gl.setClearColor(previousClear, previousAlpha);
      camera.clearViewOffset();
      target.dispose();
      const faces = new Set<number>();
      for (let i = 0; i < pixels.length; i += 4) {
        const id = (pixels[i] as number) + (pixels[i + 1] as number) * 256 + (pixels[i + 2] as number) * 65536;
        if (id > 0 && id <= model.faceCount) faces.add(id - 1);
      }
      invalidate();
      return [...faces].sort((a, b) => a - b);
    };

    const visiblePoint = (face: number): { x: number; y: number } | null => {
      const r = dom.getBoundingClientRect();
      const corners: THREE.Vector3[] = [new THREE.Vector3(), new THREE.Vector3(), new THREE.Vector3()];
      const pos = model.geometry.getAttribute("position") as THREE.BufferAttribute;
      const index = (model.geometry.getIndex() as THREE.BufferAttribute).array;
      for (const t of trianglesBySize(model, face, 48)) {
        for (let k = 0; k < 3; k++) corners[k]?.fromBufferAttribute(pos, index[t * 3 + k] as number);
        const centre = new THREE.Vector3()
          .add(corners[0] as THREE.Vector3)
          .add(corners[1] as THREE.Vector3)
          .add(corners[2] as THREE.Vector3)
          .divideScalar(3)
          .project(rig.camera);
        if (Math.abs(centre.x) > 0.98 || Math.abs(centre.y) > 0.98) continue;
        const x = r.left + ((centre.x + 1) / 2) * r.width;
        const y = r.top + ((1 - centre.y) / 2) * r.height;
        // the centre must be picked as this face, a few pixels around it too (so a click lands)
        if ([0, 2, -2].every((d) => pick(x + d, y + d) === face)) return { x, y };
      }
      return null;
    };

    props.handleRef.current = {
      fit: (faces) => {
        const box = faces ? facesBounds(model, faces) : model.bounds;
        rig.frame(box.isEmpty() ? model.bounds : box);
      },
      focus: (faces) => {
        const list = new Set(faces);
        const box = facesBounds(model, list);
        if (box.isEmpty()) return rig.frame(model.bounds);
        const edges = buildEdges(model);
        const around = new Set<number>();
        for (const f of list) for (const n of neighboursOf(edges, f)) if (!list.has(n)) around.add(n);
        const boxes = [...around].map((n) => facesBounds(model, [n]));
        rig.focus(focusSphere(box, boxes, model.bounds));
      },
      view: (name) => rig.frame(model.bounds, name),
      faceAt: pick,
      visiblePoint,
      facesInRect,
      metrics: () => ({ ...metrics, picks: [...metrics.picks] }),
      model: () => model,
      pointAt: pickPoint,
      project: (point) => {
        const v = new THREE.Vector3(...point).project(rig.camera);
        if (v.z > 1 || v.z < -1) return null;
        const r = dom.getBoundingClientRect();
        return { x: r.left + ((v.x + 1) / 2) * r.width, y: r.top + ((1 - v.y) / 2) * r.height };
      },
      faceCentre: (face) => {
        const [t] = trianglesBySize(model, face, 1);
        if (t === undefined) return null;
        const pos = model.geometry.getAttribute("position") as THREE.BufferAttribute;
        const index = (model.geometry.getIndex() as THREE.BufferAttribute).array;
        const c = new THREE.Vector3();
        for (let k = 0; k < 3; k++) c.add(new THREE.Vector3().fromBufferAttribute(pos, index[t * 3 + k] as number));
        c.divideScalar(3);
        return [c.x, c.y, c.z];
      },
      cameraVersion: () => metrics.cameraMoves,
    };

    let down: { x: number; y: number; mods: PointerModifiers; painted: Set<number> } | null = null;
    const modsOf = (e: PointerEvent): PointerModifiers => ({ shift: e.shiftKey, ctrl: e.ctrlKey || e.metaKey });
    const box = props.boxRef.current;

    const onDown = (e: PointerEvent) => {
      if (e.button !== 0) return;
      down = { x: e.clientX, y: e.clientY, mods: modsOf(e), painted: new Set() };
      const tool = latest.current.tool ?? "select";
      if (tool === "paint") {
        dom.setPointerCapture(e.pointerId);
        const f = timedPick(e.clientX, e.clientY);
        if (f !== null) {
          down.painted.add(f);
          latest.current.onPaint?.([f], down.mods);
        }
      } else if (tool === "box" && box) {
        dom.setPointerCapture(e.pointerId);
        const r = dom.getBoundingClientRect();
        Object.assign(box.style, {
          display: "block",
          left: `${e.clientX - r.left}px`,
          top: `${e.clientY - r.top}px`,
          width: "0px",
          height: "0px",
        });
      }
    };
    const onMove = (e: PointerEvent) => {
      const tool = latest.current.tool ?? "select";
      const face = timedPick(e.clientX, e.clientY);
      setHover(face);
      if (!down) return;
      if (tool === "paint" && face !== null && !down.painted.has(face)) {
        down.painted.add(face);
        latest.current.onPaint?.([face], down.mods);
      } else if (tool === "box" && box) {
        const r = dom.getBoundingClientRect();
        Object.assign(box.style, {
          left: `${Math.min(down.x, e.clientX) - r.left}px`,
          top: `${Math.min(down.y, e.clientY) - r.top}px`,
          width: `${Math.abs(e.clientX - down.x)}px`,
          height: `${Math.abs(e.clientY - down.y)}px`,
        });
      }
    };
    const onUp = (e: PointerEvent) => {
      if (e.button !== 0 || !down) return;
      const start = down;
      down = null;
      const tool = latest.current.tool ?? "select";
      const moved = Math.hypot(e.clientX - start.x, e.clientY - start.y);
      if (tool === "select" && moved <= CLICK_SLOP) {
        const t0 = performance.now();
        const hit = pickPoint(e.clientX, e.clientY);
        metrics.picks.push(performance.now() - t0);
        latest.current.onFaceClick?.(hit?.face ?? null, start.mods, hit?.point ?? null);
      } else if (tool === "box") {
        if (box) box.style.display = "none";
        latest.current.onBoxSelect?.(
          facesInRect({ left: start.x, top: start.y, right: e.clientX, bottom: e.clientY }),
          start.mods,
        );
      }
    };
    const onLeave = () => setHover(null);
    dom.addEventListener("pointerdown", onDown);
    dom.addEventListener("pointermove", onMove);
    dom.addEventListener("pointerup", onUp);
    dom.addEventListener("pointerleave", onLeave);
    return () => {
      dom.removeEventListener("pointerdown", onDown);
      dom.removeEventListener("pointermove", onMove);
      dom.removeEventListener("pointerup", onUp);
      dom.removeEventListener("pointerleave", onLeave);
    };
  }, [gl, model, rig, material, state, plane, idScene, cache, invalidate, metrics, props.handleRef, props.boxRef]);

  useEffect(() => {
    scene.add(mesh);
    return () => {
      scene.remove(mesh);
    };
  }, [scene, mesh]);

  return null;
}

/**
 * The labelling viewer: a part's B-rep faces in 3D, each face coloured by the caller, with hover,
 * click, paint and box selection through a BVH (hover and clicks) and an id buffer (boxes).
 */
export const FaceViewer = forwardRef<FaceViewerHandle, FaceViewerProps>(function FaceViewer(props, ref) {
  const [model, setModel] = useState<FaceModel | null>(null);
  // ready = the part is on screen and the picking handle is set (both happen before the first frame)
  const [drawn, setDrawn] = useState<FaceModel | null>(null);
  const [progress, setProgress] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const handleRef = useRef<FaceViewerHandle | null>(null);
  const boxRef = useRef<HTMLDivElement | null>(null);
  const metrics = useMemo<ViewerMetrics>(
    () => ({
      createdAt: performance.now(),
      meshLoadedAt: null,
      firstFrameAt: null,
      bvhMs: null,
      edgesMs: null,
      picks: [],
      frames: 0,
      cameraMoves: 0,
    }),
    [],
  );
  const { meshUrl, cacheKey, onReady, onError } = props;

  useEffect(() => {
    let cancelled = false;
    setModel(null);
    setDrawn(null);
    metrics.firstFrameAt = null;
    setError(null);
    loadCachedBytes(meshUrl, cacheKey, (p) => !cancelled && setProgress(p))
      .then(async (bytes) => {
        metrics.meshLoadedAt = performance.now();
        const built = buildFaceModel(await parseGlb(bytes));
        if (!cancelled) setModel(built);
      })
      .catch((e: unknown) => {
        const message = e instanceof Error ? e.message : String(e);
        if (!cancelled) {
          setError(message);
          onError?.(message);
        }
      });
    return () => {
      cancelled = true;
    };
  }, [meshUrl, cacheKey, metrics, onError]);

  useEffect(() => {
    if (drawn) onReady?.(drawn);
  }, [drawn, onReady]);

  useImperativeHandle(
    ref,
    () => ({
      fit: (faces) => handleRef.current?.fit(faces),
      focus: (faces) => handleRef.current?.focus(faces),
      view: (name) => handleRef.current?.view(name),
      faceAt: (x, y) => handleRef.current?.faceAt(x, y) ?? null,
      visiblePoint: (face) => handleRef.current?.visiblePoint(face) ?? null,
      facesInRect: (rect) => handleRef.current?.facesInRect(rect) ?? [],
      metrics: () => handleRef.current?.metrics() ?? { ...metrics, picks: [...metrics.picks] },
      model: () => model,
      pointAt: (x, y) => handleRef.current?.pointAt(x, y) ?? null,
      project: (point) => handleRef.current?.project(point) ?? null,
      faceCentre: (face) => handleRef.current?.faceCentre(face) ?? null,
      cameraVersion: () => metrics.cameraMoves,
    }),
    [metrics, model],
  );

  const tool = props.tool ?? "select";
  const background = BACKGROUND[props.background ?? "dark"];
  return (
    <div
      className={props.className}
      data-viewer={error ? "error" : drawn ? "ready" : "loading"}
      data-face-count={drawn?.faceCount}
      data-background={props.background ?? "dark"}
      style={{
        position: "relative",
        width: "100%",
        height: "100%",
        overflow: "hidden",
        background: background.colour,
        cursor: tool === "select" ? "default" : "crosshair",
        ...props.style,
      }}
    >
      <Canvas
        frameloop="demand"
        gl={{ antialias: false /* the frame cache multisamples, when the GPU is real */ }}
        dpr={[1, 2]}
        onContextMenu={(e) => e.preventDefault()}
      >
        <hemisphereLight args={[0xf4f6ff, 0x40444c, 1.1]} />
        <directionalLight position={[3, -5, 6]} intensity={1.5} />
        <directionalLight position={[-4, 3, -2]} intensity={0.45} />
        {model && (
          <Scene
            {...props}
            model={model}
            handleRef={handleRef}
            metrics={metrics}
            boxRef={boxRef}
            onFirstFrame={() => setDrawn(model)}
          />
        )}
      </Canvas>
      <div
        ref={boxRef}
        style={{
          position: "absolute",
          display: "none",
          border: "1px dashed #7fc4ff",
          background: "rgba(80, 160, 255, 0.12)",
          pointerEvents: "none",
        }}
      />
      {props.children}
      {!model && (
        <div
          role="status"
          style={{ position: "absolute", inset: 0, display: "grid", placeItems: "center", color: background.text }}
        >
          {error ? (
            <span className="error">{error}</span>
          ) : (
            <div style={{ width: 220, textAlign: "center", font: "13px system-ui" }}>
              Loading mesh… {Math.round(progress * 100)}%
              <div style={{ height: 4, background: "#333a44", borderRadius: 2, marginTop: 6 }}>
                <div style={{ width: `${progress * 100}%`, height: 4, background: "#5aa9ff", borderRadius: 2 }} />
              </div>
            </div>
          )}
        </div>
      )}
    </div>
  );
});
