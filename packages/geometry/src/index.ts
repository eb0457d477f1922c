export { meshToGlb, readGlb } from "./glb";
export type { Occt, OcctFactory } from "./kernel";
export { loadKernel, TESSELLATOR_VERSION } from "./kernel";
export { fingerprint, GeometryError, tessellateStep } from "./tessellate";
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
