export type { Projection, Tool, ViewName } from "./camera-rig";
export type { FaceModel } from "./face-model";
export { facePoints } from "./face-model";
export type {
  FaceViewerHandle,
  FaceViewerProps,
  PointerModifiers,
  SectionPlane,
  ViewerBackground,
  ViewerMetrics,
} from "./face-viewer";
export { FaceViewer } from "./face-viewer";
export { loadCachedBytes } from "./load-mesh";
export { faceColour, PartViewer } from "./part-viewer";
export type { Pin } from "./pins";
export { Pins } from "./pins";
