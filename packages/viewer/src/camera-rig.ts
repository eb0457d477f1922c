import * as THREE from "three";
import { OrbitControls } from "three/examples/jsm/controls/OrbitControls.js";

export type ViewName = "iso" | "front" | "back" | "left" | "right" | "top" | "bottom";
export type Projection = "perspective" | "orthographic";
export type Tool = "select" | "paint" | "box";

/** Direction from the target to the eye, and the up vector, of each standard view (Z up, as CAD parts are). */
const VIEWS: Record<ViewName, { dir: [number, number, number]; up: [number, number, number] }> = {
  iso: { dir: [1, -1.2, 0.9], up: [0, 0, 1] },
  front: { dir: [0, -1, 0], up: [0, 0, 1] },
  back: { dir: [0, 1, 0], up: [0, 0, 1] },
  left: { dir: [-1, 0, 0], up: [0, 0, 1] },
  right: { dir: [1, 0, 0], up: [0, 0, 1] },
  top: { dir: [0, 0, 1], up: [0, 1, 0] },
  bottom: { dir: [0, 0, -1], up: [0, 1, 0] },
};

const FOV = 35;

/** How far from a sphere's centre the eye stands to see all of it (with a small margin). */
export function fitDistance(radius: number, aspect: number): number {
  return (radius / Math.sin(THREE.MathUtils.degToRad(FOV / 2)) / Math.min(1, aspect) ** 0.5) * 1.05;
}

/** Around a framed face, its neighbours are shown out to this many times the face's radius. */
const CONTEXT_REACH = 2;
/** A framed face's radius is at most this share of the framed radius: there is room around it. */
const FACE_SHARE = 0.45;
/**
 * A framed face is never seen closer than this share of the part's radius: a sliver's neighbours may be
 * slivers too. Small, so that a small face is still big enough to read (the part's size is a zoom away).
 */
const PART_SHARE = 0.03;

/**
 * What to frame to show a face (the box of one face or a few) where it is on the part: the face
 * with the faces touching it around it, not the face alone filling the view. A neighbour can be as
 * large as the part (the top plate around a small hole), so only its part near the face counts
 * (within CONTEXT_REACH face radii); the face keeps room around it (FACE_SHARE), and a tiny face is
 * seen from no closer than PART_SHARE of the part's size. Never more than the whole part. So a face
 * fills from about a fifth to a half of the view, unless it is a sliver.
 */
export function focusSphere(face: THREE.Box3, neighbours: Iterable<THREE.Box3>, part: THREE.Box3): THREE.Sphere {
  const whole = part.getBoundingSphere(new THREE.Sphere());
  if (face.isEmpty()) return whole;
  const r = Math.max(face.getBoundingSphere(new THREE.Sphere()).radius, 1e-6);
  const reach = face.clone().expandByScalar(CONTEXT_REACH * r);
  const around = face.clone();
  for (const n of neighbours) around.union(n.clone().intersect(reach));
  const sphere = around.getBoundingSphere(new THREE.Sphere());
  sphere.radius = Math.max(sphere.radius, r / FACE_SHARE, whole.radius * PART_SHARE);
  return sphere.radius >= whole.radius ? whole : sphere;
}

/**
 * One perspective and one orthographic camera kept in step, and orbit controls on whichever is
 * active. Tools decide what the left button does: orbit (select tool) or paint/box (the right
 * button orbits then, the middle button pans).
 */
export class CameraRig {
  readonly perspective = new THREE.PerspectiveCamera(FOV, 1, 0.01, 1000);
  readonly orthographic = new THREE.OrthographicCamera(-1, 1, 1, -1, 0.01, 1000);
  projection: Projection = "perspective";
  controls: OrbitControls;
  /** How deep the views see around the target: the framed sphere's radius, or the part's when larger. */
  private radius = 1;
  private sceneRadius = 0;
  private aspect = 1;

  constructor(
    private readonly dom: HTMLElement,
    private readonly onChange: () => void,
  ) {
    this.perspective.up.set(0, 0, 1);
    this.orthographic.up.set(0, 0, 1);
    // React Three Fiber must not resize these cameras: the rig keeps their frustums
    Object.assign(this.perspective, { manual: true });
    Object.assign(this.orthographic, { manual: true });
    this.controls = this.makeControls(this.perspective);
  }

  get camera(): THREE.PerspectiveCamera | THREE.OrthographicCamera {
    return this.projection === "perspective" ? this.perspective : this.orthographic;
  }

  private makeControls(camera: THREE.Camera): OrbitControls {
    const controls = new OrbitControls(camera, this.dom);
    controls.enableDamping = false;
    controls.zoomToCursor = true;
    controls.addEventListener("change", this.onChange);
    return controls;
  }

  setTool(tool: Tool): void {
    this.controls.mouseButtons =
      tool === "select"
        ? { LEFT: THREE.MOUSE.ROTATE, MIDDLE: THREE.MOUSE.DOLLY, RIGHT: THREE.MOUSE.PAN }
        : { LEFT: null, MIDDLE: THREE.MOUSE.PAN, RIGHT: THREE.MOUSE.ROTATE };
  }

  resize(width: number, height: number): void {
    this.aspect = width / Math.max(1, height);
    this.perspective.aspect = this.aspect;
    this.perspective.updateProjectionMatrix();
    this.updateOrthoFrustum();
  }

  private updateOrthoFrustum(): void {
    // the orthographic frustum shows what the perspective camera shows at the target's distance
    const distance = this.perspective.position.distanceTo(this.controls.target);
    const h = distance * Math.tan(THREE.MathUtils.degToRad(FOV / 2));
    const o = this.orthographic;
    o.left = -h * this.aspect;
    o.right = h * this.aspect;
    o.top = h;
    o.bottom = -h;
    o.near = -this.radius * 20;
    o.far = this.radius * 20;
    o.updateProjectionMatrix();
  }

  setProjection(projection: Projection): void {
    if (projection === this.projection) return;
    const from = this.camera;
    const target = this.controls.target.clone();
    this.projection = projection;
    const to = this.camera;
    if (projection === "orthographic") {
      to.position.copy(from.position);
      to.quaternion.copy(from.quaternion);
      to.up.copy(from.up);
      (to as THREE.OrthographicCamera).zoom = 1;
      this.updateOrthoFrustum();
    } else {
      // keep the apparent size: move the eye to the distance the ortho zoom corresponds to
      const zoom = (from as THREE.OrthographicCamera).zoom;
      const dir = from.position.clone().sub(target).normalize();
      const distance = from.position.distanceTo(target);
      const base = this.perspective.position.distanceTo(target) || distance;
      to.position.copy(target).addScaledVector(dir, base / zoom);
      to.up.copy(from.up);
      to.lookAt(target);
    }
    this.controls.removeEventListener("change", this.onChange);
    this.controls.dispose();
    this.controls = this.makeControls(to);
    this.controls.target.copy(target);
    this.controls.update();
    this.onChange();
  }

  /** The whole part: how deep the orthographic view must see, whatever is framed. */
  setScene(bounds: THREE.Box3): void {
    if (!bounds.isEmpty()) this.sceneRadius = bounds.getBoundingSphere(new THREE.Sphere()).radius;
  }

  /** Frame a box from a standard direction (or the current one). */
  frame(box: THREE.Box3, view?: ViewName): void {
    if (box.isEmpty()) return;
    this.frameSphere(box.getBoundingSphere(new THREE.Sphere()), view);
  }

  /** Frame a sphere from the current direction (a face with what is around it: see `focusSphere`). */
  focus(sphere: THREE.Sphere): void {
    this.frameSphere(sphere);
  }

  private frameSphere(sphere: THREE.Sphere, view?: ViewName): void {
    const radius = Math.max(sphere.radius, 1e-3);
    this.radius = Math.max(radius, this.sceneRadius);
    const camera = this.camera;
    const dir = view
      ? new THREE.Vector3(...VIEWS[view].dir).normalize()
      : camera.position.clone().sub(this.controls.target).normalize();
    if (dir.lengthSq() === 0) dir.set(...VIEWS.iso.dir).normalize();
    const up = view ? new THREE.Vector3(...VIEWS[view].up) : camera.up.clone();
    const distance = fitDistance(radius, this.aspect);
    for (const c of [this.perspective, this.orthographic]) {
      c.up.copy(up);
      c.position.copy(sphere.center).addScaledVector(dir, distance);
      c.lookAt(sphere.center);
    }
    this.perspective.near = distance / 200;
    this.perspective.far = Math.max(distance, this.radius) * 20;
    this.perspective.updateProjectionMatrix();
    this.orthographic.zoom = 1;
    this.controls.target.copy(sphere.center);
    this.updateOrthoFrustum();
    this.controls.update();
    this.onChange();
  }

  dispose(): void {
    this.controls.removeEventListener("change", this.onChange);
    this.controls.dispose();
  }
}
