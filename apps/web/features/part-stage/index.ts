/**
 * # Part stage
 *
 * One stage for every page that shows a part in 3D: the labelling workbench
 * (`/w/<ws>/parts/<id>/label`), the review page (`…/review`), the share page (`/s/<token>`) and the
 * part page (`/w/<ws>/parts/<id>`). A page composes the stage and keeps only what is its own
 * (painting and saving labels; the diff, notes and decision; a guest's comments; the part's record).
 *
 * - `usePartStage({ faceCount, exposeViewer })`: the viewer handle, the drawn model, the selection
 *   (click, paint and box rules), hidden faces (hide, isolate, show all), the face under the pointer,
 *   the tool, projection, x-ray, section plane, edges and background (remembered by the browser),
 *   `focusFace` (show, select, frame with its neighbours), and the viewer's key map (`keys`: Esc, F,
 *   H, Shift+H, I, X, O, E, V, P, R).
 * - `useStageKeys(stage, own, marker)`: a page's keys first, then the stage's, before the workspace's
 *   shortcuts; `body[data-<marker>=ready]` while listening.
 * - `useFacesFile(url, key)`: the faces file (surface types, sizes, adjacency), kept by the browser
 *   under its content address and checked (`lib/workbench/faces-file` has the schema and `faceFacts`).
 * - `usePartEvents(url, initial)`: the part live (status, holder, who is here, newer revisions).
 * - `StagedPart`: the props a workspace page passes down (part, caller, geometry URLs and keys, schema).
 * - Components: `PartStageView` (the workbench's main column: toolbar, view, hover line, faces-file
 *   error), `StageCanvas` (the view alone, for pages with their own frame), `ViewerToolbar`,
 *   `PresenceList`, `StatusBadge`, `LegendPanel` and `Chip`; `LabelledPart` (a part with its labels,
 *   read-only, and `LabelsLegend`: the share page and the part page).
 *
 * The stage holds view state only; what the faces mean (labels, diffs, comments) is the page's.
 */

export { LabelledPart, LabelsLegend } from "./components/labelled-part";
export { Chip, LegendPanel } from "./components/legend-panel";
export { PartStageView } from "./components/part-stage-view";
export { PresenceList } from "./components/presence-list";
export { StageCanvas } from "./components/stage-canvas";
export { StatusBadge } from "./components/status-badge";
export { ViewerToolbar } from "./components/viewer-toolbar";
export type { StagedPart } from "./staged-part";
export { type FacesFileState, useFacesFile } from "./use-faces-file";
export { type PartLive, usePartEvents } from "./use-part-events";
export { type PartStage, type PartStageOptions, usePartStage, useStageKeys } from "./use-part-stage";
