export {
  descriptorDistance,
  faceMeshFromGlb,
  NEAR_DUPLICATE_DISTANCE,
  SHAPE_DESCRIPTOR_VERSION,
  shapeDescriptor,
  surfaceTypes,
} from "./fingerprint";
export { meshToGlb, readGlb } from "./glb";
export type { FacetOcctFactory, FacetOcctModule, GeometryKernel, Occt, OcctFactory } from "./kernel";
export { loadKernel, TESSELLATOR_VERSION } from "./kernel";
export { tessellateWithOpencascadeJs } from "./opencascade-js";
export { fingerprint, GeometryError, KernelError, tessellateStep } from "./tessellate";
export type {
  Convexity,
  EdgeRecord,
  FaceMesh,
  FaceRecord,
  FacesDocument,
  SurfaceType,
  TessellationParams,
} from "./types";
export { DEFAULT_PARAMS } from "./types";
