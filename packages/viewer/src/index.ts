export { faceColour, PartViewer } from "./part-viewer";
