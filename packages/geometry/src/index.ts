export { meshToGlb, readGlb } from "./glb";
export type { FacetOcctFactory, FacetOcctModule, GeometryKernel, Occt, OcctFactory } from "./kernel";
export { FACE_NUMBERING, loadKernel, OPENCASCADE_JS_VERSION, TESSELLATOR_VERSION } from "./kernel";
export { tessellateWithOpencascadeJs } from "./opencascade-js";
export { faceSignature, fingerprint, GeometryError, KernelError, tessellateStep } from "./tessellate";
export type {
  Convexity,
  EdgeRecord,
  FaceMesh,
  FaceRecord,
  FacesDocument,
  SurfaceType,
  TessellationParams,
  Vec3,
} from "./types";
export { DEFAULT_PARAMS } from "./types";
