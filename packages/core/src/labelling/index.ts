export { assignFeature } from "./assign-feature";
export type { FaceCheck, FaceMark } from "./face-checks";
export {
  checkCounts,
  FACE_CHECK_LABELS,
  FACE_CHECKS,
  faceCheckSchema,
  faceChecks,
  marksFromChecks,
  unconfirmedFaces,
  unsureFaces,
} from "./face-checks";
export type { FaceGraph, LabelEdge, LabelFace } from "./face-graph";
export { buildFaceGraph } from "./face-graph";
export type { GrowMode } from "./grow-selection";
export { growSelection } from "./grow-selection";
export { labelCounts, nextUnlabelled, unlabelledFaces } from "./label-progress";
export type { LabelContext, LabelInstance, LabelState } from "./label-state";
export { emptyLabelState, instanceOfFace, labelStateFromDocument, labelStateToDocument } from "./label-state";
export { measureInstance } from "./measure-instance";
export { mergeInstances } from "./merge-instances";
export { regroupInstances } from "./regroup-instances";
export { setInstanceParam } from "./set-instance-param";
export { splitInstance } from "./split-instance";
export { submissionProblems } from "./submission-problems";
export { toggleBottomFace } from "./toggle-bottom-face";
