import * as THREE from "three";
import type { FaceModel } from "./face-model";

/** Above this many changed faces a full redraw is as cheap as drawing them over the last frame. */
const MAX_INCREMENTAL_FACES = 4000;

/**
 * Redraw only what changed while the camera stands still. The last frame's colour and depth are kept
 * in a render target; when only some faces change their look (painting a selection, labelling, the
 * hover moving), just those faces are drawn again over it, with the same vertices and shader, so
 * their depths are equal to what is stored and `LessEqual` lets them through (not where an edge line
 * was drawn over them: the faces sit a polygon offset behind their lines). Anything else (the
 * camera moved, the canvas resized, faces hidden, x-ray, the section plane) redraws everything.
 * On a GPU this changes little; on a CPU renderer it is what keeps painting a 500k-triangle part fluid.
 */
export class FrameCache {
  private target: THREE.WebGLRenderTarget | null = null;
  private full = true;
  private readonly dirty = new Set<number>();
  private readonly overlay: THREE.Mesh;
  private readonly blitScene = new THREE.Scene();
  private readonly blitCamera = new THREE.OrthographicCamera(-1, 1, 1, -1, 0, 1);
  private readonly blit: THREE.Mesh<THREE.PlaneGeometry, THREE.MeshBasicMaterial>;

  constructor(
    private readonly model: FaceModel,
    private readonly samples: number,
  ) {
    const g = new THREE.BufferGeometry();
    for (const name of ["position", "normal", "faceId"]) {
      const attribute = model.geometry.getAttribute(name);
      if (attribute) g.setAttribute(name, attribute);
    }
    g.setIndex(new THREE.BufferAttribute(new Uint32Array(3 * 4096), 1).setUsage(THREE.DynamicDrawUsage));
    this.overlay = new THREE.Mesh(g);
    this.overlay.frustumCulled = false;
    this.blit = new THREE.Mesh(
      new THREE.PlaneGeometry(2, 2),
      // the cache holds linear, untone-mapped colour: tone mapping and sRGB happen here, on the way to the
      // screen. Where nothing was drawn the cache is clear (alpha 0): the viewer's background (CSS,
      // behind the canvas) shows there, and through x-rayed faces
      // (blended as premultiplied colour, which the cache holds: faces blend into a clear target)
      new THREE.MeshBasicMaterial({
        depthTest: false,
        depthWrite: false,
        transparent: true,
        blending: THREE.CustomBlending,
        blendSrc: THREE.OneFactor,
        blendDst: THREE.OneMinusSrcAlphaFactor,
        blendSrcAlpha: THREE.OneFactor,
        blendDstAlpha: THREE.OneMinusSrcAlphaFactor,
      }),
    );
    this.blitScene.add(this.blit);
  }

  /** Everything must be drawn again (camera, size, visibility, material). */
  invalidate(): void {
    this.full = true;
    this.dirty.clear();
  }

  /** These faces look different now. */
  faces(changed: Iterable<number>): void {
    if (this.full) return;
    for (const f of changed) this.dirty.add(f);
    if (this.dirty.size > MAX_INCREMENTAL_FACES) this.invalidate();
  }

  /**
   * Draw the frame: in full into the cache, or only the changed faces over it; then show the cache.
   * `lines` (the B-rep edges, in the scene) are left out of the partial redraws: they are in the cache.
   */
  render(
    gl: THREE.WebGLRenderer,
    scene: THREE.Scene,
    camera: THREE.Camera,
    mesh: THREE.Mesh,
    lines: THREE.Object3D | null = null,
  ): void {
    const size = gl.getDrawingBufferSize(new THREE.Vector2());
    if (!this.target || this.target.width !== size.x || this.target.height !== size.y) {
      this.target?.dispose();
      this.target = new THREE.WebGLRenderTarget(size.x, size.y, {
        samples: this.samples,
        type: THREE.HalfFloatType,
        depthBuffer: true,
      });
      this.full = true;
    }
    const previous = gl.getRenderTarget();
    gl.setRenderTarget(this.target);
    // transparent (x-ray) faces would blend twice over the cache
    if (this.full || (mesh.material as THREE.Material).transparent) {
      gl.clear();
      gl.render(scene, camera);
      this.full = false;
    } else if (this.dirty.size > 0) {
      const linesVisible = lines?.visible ?? false;
      if (lines) lines.visible = false;
      this.drawOverlay(gl, scene, camera, mesh);
      if (lines) lines.visible = linesVisible;
    }
    this.dirty.clear();
    gl.setRenderTarget(previous);
    this.blit.material.map = this.target.texture;
    gl.render(this.blitScene, this.blitCamera);
  }

  private drawOverlay(gl: THREE.WebGLRenderer, scene: THREE.Scene, camera: THREE.Camera, mesh: THREE.Mesh): void {
    const m = this.model;
    const source = (m.geometry.getIndex() as THREE.BufferAttribute).array;
    let n = 0;
    for (const f of this.dirty) n += (m.triangleStart[f + 1] as number) - (m.triangleStart[f] as number);
    const g = this.overlay.geometry;
    let attribute = g.getIndex() as THREE.BufferAttribute;
    if (attribute.array.length < n * 3) {
      // grown rarely (doubling); between growths the same buffer is rewritten in place
      attribute = new THREE.BufferAttribute(new Uint32Array(Math.max(n * 3, attribute.array.length * 2)), 1);
      attribute.setUsage(THREE.DynamicDrawUsage);
      g.setIndex(attribute);
    }
    const index = attribute.array as Uint32Array;
    let k = 0;
    for (const f of this.dirty) {
      for (let i = m.triangleStart[f] as number; i < (m.triangleStart[f + 1] as number); i++) {
        const t = m.triangleList[i] as number;
        index[k++] = source[t * 3] as number;
        index[k++] = source[t * 3 + 1] as number;
        index[k++] = source[t * 3 + 2] as number;
      }
    }
    attribute.clearUpdateRanges();
    attribute.addUpdateRange(0, k);
    attribute.needsUpdate = true;
    g.setDrawRange(0, k);
    this.overlay.material = mesh.material;
    const material = mesh.material as THREE.Material;
    const depthFunc = material.depthFunc;
    material.depthFunc = THREE.LessEqualDepth;
    // the same scene (same lights), with the whole mesh swapped for the changed faces, drawn over the cache
    mesh.visible = false;
    scene.add(this.overlay);
    const autoClear = gl.autoClear;
    gl.autoClear = false;
    gl.render(scene, camera);
    gl.autoClear = autoClear;
    scene.remove(this.overlay);
    mesh.visible = true;
    material.depthFunc = depthFunc;
  }

  dispose(): void {
    this.target?.dispose();
    this.overlay.geometry.dispose();
    this.blit.geometry.dispose();
    this.blit.material.dispose();
  }
}
