import { createRequire } from "node:module";
import type { FaceMesh, FacesDocument, SurfaceType } from "@facet/geometry";
import type * as Canvas from "@napi-rs/canvas";

/**
 * Skia, a native module: loaded when the first thumbnail is drawn, through a require that bundlers
 * leave alone (a `.node` file cannot be bundled). A Trigger.dev deployment installs it beside the
 * bundle (trigger.config.ts: external, additionalPackages).
 */
const CANVAS_MODULE = "@napi-rs/canvas";
let canvasModule: typeof Canvas | null = null;
const skia = () => {
  canvasModule ??= createRequire(import.meta.url)(CANVAS_MODULE) as typeof Canvas;
  return canvasModule;
};

/** Thumbnails are square, this many pixels a side. */
export const THUMBNAIL_SIZE = 256;

/** Muted colours by kind of surface, so holes and fillets read at a glance on a grey part. */
const SURFACE_COLOURS: Record<SurfaceType, [number, number, number]> = {
  plane: [176, 184, 194],
  cylinder: [120, 160, 206],
  cone: [150, 196, 160],
  sphere: [214, 180, 120],
  torus: [206, 150, 170],
  bspline: [180, 160, 210],
  other: [190, 190, 190],
};

type V3 = [number, number, number];
const dot = (a: V3, b: V3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a: V3, b: V3): V3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const unit = (a: V3): V3 => {
  const l = Math.hypot(...a) || 1;
  return [a[0] / l, a[1] / l, a[2] / l];
};

/** Looking at the part from above, front and right (an isometric view, Z up), lit from over the shoulder. */
const TOWARD_VIEWER = unit([1, -1, 0.9]);
const RIGHT = unit(cross([0, 0, 1], TOWARD_VIEWER));
const UP = cross(TOWARD_VIEWER, RIGHT);
const LIGHT = unit([0.5, -1.2, 1.6]);

/**
 * A picture of the part as PNG: the mesh seen isometrically, triangles painted far to near (painter's
 * algorithm, back faces dropped) with flat shading, coloured by the kind of surface of their face, on a
 * transparent background. No browser or GPU: Skia (`@napi-rs/canvas`) fills the triangles.
 */
export function renderThumbnail(document: Pick<FacesDocument, "faces">, mesh: FaceMesh, size = THUMBNAIL_SIZE): Buffer {
  const canvas = skia().createCanvas(size, size);
  const g = canvas.getContext("2d");
  const p = mesh.positions;
  const vertexCount = p.length / 3;
  const sx = new Float64Array(vertexCount);
  const sy = new Float64Array(vertexCount);
  const depth = new Float64Array(vertexCount);
  let [minX, maxX, minY, maxY] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let v = 0; v < vertexCount; v++) {
    const q: V3 = [p[v * 3] as number, p[v * 3 + 1] as number, p[v * 3 + 2] as number];
    sx[v] = dot(q, RIGHT);
    sy[v] = -dot(q, UP);
    depth[v] = dot(q, TOWARD_VIEWER);
    minX = Math.min(minX, sx[v] as number);
    maxX = Math.max(maxX, sx[v] as number);
    minY = Math.min(minY, sy[v] as number);
    maxY = Math.max(maxY, sy[v] as number);
  }
  const triangleCount = mesh.indices.length / 3;
  if (triangleCount === 0 || !Number.isFinite(minX)) return canvas.toBuffer("image/png");
  const margin = size * 0.06;
  const scale = (size - 2 * margin) / Math.max(maxX - minX, maxY - minY, 1e-12);
  const offsetX = (size - (maxX - minX) * scale) / 2;
  const offsetY = (size - (maxY - minY) * scale) / 2;

  // front-facing triangles with their depth and shade
  const visible: Array<{ t: number; depth: number; light: number }> = [];
  const ix = mesh.indices;
  for (let t = 0; t < triangleCount; t++) {
    const [a, b, c] = [ix[t * 3] as number, ix[t * 3 + 1] as number, ix[t * 3 + 2] as number];
    const at = (v: number): V3 => [p[v * 3] as number, p[v * 3 + 1] as number, p[v * 3 + 2] as number];
    const [pa, pb, pc] = [at(a), at(b), at(c)];
    const n = cross([pb[0] - pa[0], pb[1] - pa[1], pb[2] - pa[2]], [pc[0] - pa[0], pc[1] - pa[1], pc[2] - pa[2]]);
    if (Math.hypot(...n) === 0) continue;
    const normal = unit(n);
    if (dot(normal, TOWARD_VIEWER) <= 0) continue; // facing away (triangles face outward)
    const light = 0.45 + 0.55 * Math.max(0, dot(normal, LIGHT));
    visible.push({ t, depth: ((depth[a] as number) + (depth[b] as number) + (depth[c] as number)) / 3, light });
  }
  visible.sort((x, y) => x.depth - y.depth || x.t - y.t);

  g.lineJoin = "round";
  g.lineWidth = 0.9; // a hairline of the same colour closes the seams anti-aliasing leaves between triangles
  for (const { t, light } of visible) {
    const face = document.faces[mesh.faceIds[t] as number];
    const [r, gr, b] = SURFACE_COLOURS[face?.surface ?? "other"];
    const colour = `rgb(${Math.round(r * light)},${Math.round(gr * light)},${Math.round(b * light)})`;
    g.beginPath();
    for (let k = 0; k < 3; k++) {
      const v = ix[t * 3 + k] as number;
      const x = offsetX + ((sx[v] as number) - minX) * scale;
      const y = offsetY + ((sy[v] as number) - minY) * scale;
      if (k === 0) g.moveTo(x, y);
      else g.lineTo(x, y);
    }
    g.closePath();
    g.fillStyle = colour;
    g.strokeStyle = colour;
    g.fill();
    g.stroke();
  }
  return canvas.toBuffer("image/png");
}
