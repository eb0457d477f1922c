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
  private radius = 1;
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

  /** Frame a box from a standard direction (or the current one). */
  frame(box: THREE.Box3, view?: ViewName): void {
    if (box.isEmpty()) return;
    const sphere = box.getBoundingSphere(new THREE.Sphere());
    this.radius = Math.max(sphere.radius, 1e-3);
    const camera = this.camera;
    const dir = view
      ? new THREE.Vector3(...VIEWS[view].dir).normalize()
      : camera.position.clone().sub(this.controls.target).normalize();
    if (dir.lengthSq() === 0) dir.set(...VIEWS.iso.dir).normalize();
    const up = view ? new THREE.Vector3(...VIEWS[view].up) : camera.up.clone();
    const fit = this.radius / Math.sin(THREE.MathUtils.degToRad(FOV / 2)) / Math.min(1, this.aspect) ** 0.5;
    const distance = fit * 1.05;
    for (const c of [this.perspective, this.orthographic]) {
      c.up.copy(up);
      c.position.copy(sphere.center).addScaledVector(dir, distance);
      c.lookAt(sphere.center);
    }
    this.perspective.near = distance / 200;
    this.perspective.far = distance * 20;
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
