import * as THREE from "three";

/**
 * The look of every face lives in one small texture (a texel per face: colour + flags), read by the
 * vertex shader through the vertex's face id. Labelling, selecting or hiding a face therefore writes
 * a few bytes instead of re-uploading a colour per vertex: painting stays fast on a 500k-triangle
 * part. Hover is a uniform.
 */
export const STATE_WIDTH = 1024;
export const FLAG_HIDDEN = 1;
export const FLAG_SELECTED = 2;

export class FaceState {
  readonly texture: THREE.DataTexture;
  readonly data: Uint8Array;
  readonly faceCount: number;

  constructor(faceCount: number) {
    this.faceCount = faceCount;
    const height = Math.max(1, Math.ceil(faceCount / STATE_WIDTH));
    this.data = new Uint8Array(STATE_WIDTH * height * 4);
    this.texture = new THREE.DataTexture(this.data, STATE_WIDTH, height, THREE.RGBAFormat, THREE.UnsignedByteType);
    this.texture.magFilter = THREE.NearestFilter;
    this.texture.minFilter = THREE.NearestFilter;
    this.texture.generateMipmaps = false;
    this.texture.flipY = false;
    this.texture.colorSpace = THREE.NoColorSpace;
    this.texture.needsUpdate = true;
  }

  /**
   * colours: sRGB bytes per face (rgb); flags per face. Returns the faces whose look changed, and
   * whether any face was hidden or shown (which changes what is behind it too).
   */
  write(
    colours: Uint8Array,
    hidden: ReadonlySet<number>,
    selected: ReadonlySet<number>,
  ): { changed: number[]; visibilityChanged: boolean } {
    const d = this.data;
    const changed: number[] = [];
    let visibilityChanged = false;
    for (let f = 0; f < this.faceCount; f++) {
      const r = colours[f * 3] as number;
      const g = colours[f * 3 + 1] as number;
      const b = colours[f * 3 + 2] as number;
      const flags = (hidden.has(f) ? FLAG_HIDDEN : 0) | (selected.has(f) ? FLAG_SELECTED : 0);
      const o = f * 4;
      if (d[o] !== r || d[o + 1] !== g || d[o + 2] !== b || d[o + 3] !== flags) {
        if (((d[o + 3] as number) ^ flags) & FLAG_HIDDEN) visibilityChanged = true;
        d[o] = r;
        d[o + 1] = g;
        d[o + 2] = b;
        d[o + 3] = flags;
        changed.push(f);
      }
    }
    if (changed.length > 0) this.texture.needsUpdate = true;
    return { changed, visibilityChanged };
  }

  isHidden(face: number): boolean {
    return ((this.data[face * 4 + 3] as number) & FLAG_HIDDEN) !== 0;
  }

  dispose(): void {
    this.texture.dispose();
  }
}

const LOOKUP = /* glsl */ `
  int facet_fid = int(faceId + 0.5);
  vec4 facet_state = texelFetch(faceState, ivec2(facet_fid % ${STATE_WIDTH}, facet_fid / ${STATE_WIDTH}), 0);
  int facet_flags = int(facet_state.a * 255.0 + 0.5);
  bool facet_hidden = (facet_flags & ${FLAG_HIDDEN}) != 0;
`;

export interface FaceMaterialUniforms {
  faceState: { value: THREE.Texture };
  hoveredFace: { value: number };
}

/** Lit material whose colours come from the face-state texture. */
export function createFaceMaterial(state: FaceState): THREE.MeshStandardMaterial & { userData: FaceMaterialUniforms } {
  const material = new THREE.MeshStandardMaterial({
    color: 0xffffff,
    roughness: 0.72,
    metalness: 0.04,
    side: THREE.DoubleSide,
    polygonOffset: true,
    polygonOffsetFactor: 1,
    polygonOffsetUnits: 1,
  }) as THREE.MeshStandardMaterial & { userData: FaceMaterialUniforms };
  const uniforms: FaceMaterialUniforms = { faceState: { value: state.texture }, hoveredFace: { value: -1 } };
  material.userData = uniforms;
  material.onBeforeCompile = (shader) => {
    shader.uniforms.faceState = uniforms.faceState;
    shader.uniforms.hoveredFace = uniforms.hoveredFace;
    shader.vertexShader = shader.vertexShader
      .replace(
        "#include <common>",
        `#include <common>
attribute float faceId;
uniform highp sampler2D faceState;
uniform float hoveredFace;
varying vec3 vFaceColour;`,
      )
      .replace(
        "#include <begin_vertex>",
        `#include <begin_vertex>
${LOOKUP}
  vFaceColour = pow(facet_state.rgb, vec3(2.2));
  if ((facet_flags & ${FLAG_SELECTED}) != 0) vFaceColour = mix(vFaceColour, vec3(0.05, 0.55, 1.0), 0.6);
  if (abs(faceId - hoveredFace) < 0.5) vFaceColour = mix(vFaceColour, vec3(1.0, 0.62, 0.0), 0.55);`,
      )
      .replace(
        "#include <project_vertex>",
        `#include <project_vertex>
  if (facet_hidden) gl_Position = vec4(2.0, 2.0, 2.0, 1.0);`,
      );
    shader.fragmentShader = shader.fragmentShader
      .replace("#include <common>", "#include <common>\nvarying vec3 vFaceColour;")
      .replace(
        "#include <color_fragment>",
        // inside of a cut part (section plane): a flat dark grey so the cut reads as a cut
        "diffuseColor.rgb *= gl_FrontFacing ? vFaceColour : vec3(0.09, 0.1, 0.12);",
      );
  };
  material.customProgramCacheKey = () => "facet-face-material";
  return material;
}

/** Writes face id + 1 as a 24-bit colour (0 = background), for box selection of what is visible. */
export function createIdMaterial(state: FaceState): THREE.ShaderMaterial {
  return new THREE.ShaderMaterial({
    uniforms: { faceState: { value: state.texture } },
    clipping: true,
    side: THREE.DoubleSide,
    vertexShader: /* glsl */ `
#include <common>
#include <clipping_planes_pars_vertex>
attribute float faceId;
uniform highp sampler2D faceState;
flat varying float vId;
void main() {
  #include <begin_vertex>
${LOOKUP}
  vId = faceId + 1.0;
  #include <project_vertex>
  #include <clipping_planes_vertex>
  if (facet_hidden) gl_Position = vec4(2.0, 2.0, 2.0, 1.0);
}`,
    fragmentShader: /* glsl */ `
#include <common>
#include <clipping_planes_pars_fragment>
flat varying float vId;
void main() {
  #include <clipping_planes_fragment>
  float id = vId;
  gl_FragColor = vec4(mod(id, 256.0), mod(floor(id / 256.0), 256.0), floor(id / 65536.0), 255.0) / 255.0;
}`,
  });
}

/** The B-rep edges' colour: a dark line reads on every label colour and on the light background. */
const EDGE_COLOUR = 0x16191e;

/**
 * Thin dark lines along the faces' boundaries (face-edges.ts), each vertex carrying the two faces
 * beside it (`edgeFaces`): a line goes when both faces are hidden. The faces' polygon offset
 * (createFaceMaterial) puts them just behind their boundaries, so the lines do not z-fight.
 */
export function createEdgeMaterial(state: FaceState): THREE.LineBasicMaterial {
  const material = new THREE.LineBasicMaterial({ color: EDGE_COLOUR });
  material.onBeforeCompile = (shader) => {
    shader.uniforms.faceState = { value: state.texture };
    shader.vertexShader = shader.vertexShader
      .replace(
        "#include <common>",
        `#include <common>
attribute vec2 edgeFaces;
uniform highp sampler2D faceState;
bool facetHidden(float face) {
  int id = int(face + 0.5);
  vec4 s = texelFetch(faceState, ivec2(id % ${STATE_WIDTH}, id / ${STATE_WIDTH}), 0);
  return (int(s.a * 255.0 + 0.5) & ${FLAG_HIDDEN}) != 0;
}`,
      )
      .replace(
        "#include <project_vertex>",
        `#include <project_vertex>
  if (facetHidden(edgeFaces.x) && facetHidden(edgeFaces.y)) gl_Position = vec4(2.0, 2.0, 2.0, 1.0);`,
      );
  };
  material.customProgramCacheKey = () => "facet-edge-material";
  return material;
}
