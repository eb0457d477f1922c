import * as THREE from "three";
import { describe, expect, it } from "vitest";
import { CameraRig, fitDistance, focusSphere } from "./camera-rig";

/** What OrbitControls needs of the canvas element (listeners and a style), without a browser. */
function element(): HTMLElement {
  return Object.assign(new EventTarget(), { style: {}, ownerDocument: new EventTarget(), clientHeight: 600 }) as never;
}

function rig(part: THREE.Box3, aspect = 1.6): CameraRig {
  const r = new CameraRig(element(), () => undefined);
  r.resize(800 * aspect, 800);
  r.setScene(part);
  r.frame(part, "iso");
  return r;
}

const box = (min: number[], max: number[]) => new THREE.Box3(new THREE.Vector3(...min), new THREE.Vector3(...max));

/** The box's corners in normalised device coordinates of the rig's camera (x, y in -1..1 when in view). */
function onScreen(r: CameraRig, b: THREE.Box3): THREE.Vector3[] {
  const camera = r.camera;
  camera.updateMatrixWorld();
  const out: THREE.Vector3[] = [];
  for (let i = 0; i < 8; i++) {
    const p = new THREE.Vector3(i & 1 ? b.max.x : b.min.x, i & 2 ? b.max.y : b.min.y, i & 4 ? b.max.z : b.min.z);
    out.push(p.project(camera));
  }
  return out;
}

/** Share of the view's height (or width) the box covers on screen. */
function share(r: CameraRig, b: THREE.Box3): number {
  const ndc = onScreen(r, b);
  const xs = ndc.map((p) => p.x);
  const ys = ndc.map((p) => p.y);
  return Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)) / 2;
}

const inView = (r: CameraRig, b: THREE.Box3) =>
  onScreen(r, b).every((p) => Math.abs(p.x) <= 1 && Math.abs(p.y) <= 1 && p.z >= -1 && p.z <= 1);

const viewDirection = (r: CameraRig) => r.camera.position.clone().sub(r.controls.target).normalize();

// a 200 mm block; on its top, near a corner, a 1 mm face between the top plate and a side
const PART = box([-100, -100, -100], [100, 100, 100]);
const PART_RADIUS = PART.getBoundingSphere(new THREE.Sphere()).radius;
const TINY = box([95, -1, 99], [96, 0, 100]);
const TOP = box([-100, -100, 100], [100, 100, 100]);
const SIDE = box([96, -100, -100], [100, 100, 100]);

describe("focusing a face", () => {
  it("a tiny face is framed from no closer than a share of the part, in the direction the view had", () => {
    const r = rig(PART);
    const before = viewDirection(r);
    r.focus(focusSphere(TINY, [TOP, SIDE], PART));
    expect(viewDirection(r).distanceTo(before)).toBeLessThan(1e-9);
    const distance = r.camera.position.distanceTo(r.controls.target);
    // at least the distance that shows 3% of the part's radius around the face
    expect(distance).toBeGreaterThanOrEqual(fitDistance(0.03 * PART_RADIUS, 1.6) - 1e-9);
    expect(inView(r, TINY)).toBe(true);
    // the part around it is in view: the plate and the side within 2 mm of the face
    const around = TINY.clone().expandByScalar(2);
    expect(inView(r, TOP.clone().intersect(around))).toBe(true);
    expect(inView(r, SIDE.clone().intersect(around))).toBe(true);
  });

  it("framing the face alone (the old U) fills the view with it; focusing leaves room around it", () => {
    const face = box([0, 0, 90], [20, 20, 100]);
    const neighbours = [
      box([-5, 0, 90], [0, 20, 100]),
      box([20, 0, 90], [25, 20, 100]),
      box([-5, -5, 100], [25, 25, 100]),
    ];
    const r = rig(PART);
    r.frame(face);
    expect(share(r, face)).toBeGreaterThan(0.6);
    r.focus(focusSphere(face, neighbours, PART));
    expect(share(r, face)).toBeLessThan(0.5);
    expect(share(r, face)).toBeGreaterThan(0.15);
    // small neighbours are wholly in view
    for (const n of neighbours) expect(inView(r, n)).toBe(true);
  });

  it("a neighbour as large as the part counts only near the face", () => {
    const face = box([0, 0, 99], [4, 4, 100]);
    const sphere = focusSphere(face, [TOP], PART);
    expect(sphere.radius).toBeLessThan(PART_RADIUS / 2);
    expect(sphere.containsPoint(new THREE.Vector3(2, 2, 99.5))).toBe(true);
  });

  it("a face about the size of the part frames the whole part", () => {
    const sphere = focusSphere(TOP, [SIDE], PART);
    expect(sphere.radius).toBeCloseTo(PART_RADIUS, 9);
    expect(sphere.center.length()).toBeCloseTo(0, 9);
  });

  it("in orthographic projection the whole depth of the part stays between the clipping planes", () => {
    const r = rig(PART);
    r.setProjection("orthographic");
    r.focus(focusSphere(TINY, [TOP, SIDE], PART));
    const depth = onScreen(r, PART).map((p) => p.z);
    expect(Math.min(...depth)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...depth)).toBeLessThanOrEqual(1);
  });
});
