"use client";

import type { Tool } from "@facet/viewer";
import type { PartStage } from "../use-part-stage";
import { StageCanvas, type StageCanvasProps } from "./stage-canvas";
import { ViewerToolbar } from "./viewer-toolbar";

/**
 * The workbench's main column (labelling and review pages): the toolbar, the part in 3D with a hover
 * line under the pointer, and why the faces file could not be read when it could not.
 */
export function PartStageView({
  stage,
  hoverText,
  facesError,
  onTool,
  pinning,
  ...canvas
}: Omit<StageCanvasProps, "look"> & {
  stage: PartStage;
  /** What the line over the bottom of the view says. */
  hoverText: string;
  facesError: string | null;
  /** Replaces the stage's tool setter for the toolbar's buttons. */
  onTool?: (t: Tool) => void;
  /** Pin mode (review notes): marked on the view's frame. */
  pinning?: boolean;
}) {
  return (
    <div className="wb-main">
      <ViewerToolbar stage={stage} onTool={onTool} />
      <div className="wb-viewer-wrap" data-pinning={pinning === undefined ? undefined : pinning ? "yes" : "no"}>
        <StageCanvas stage={stage} {...canvas} />
        <div
          className="wb-hover"
          data-testid="hover-info"
          aria-live="polite"
          style={stage.background === "light" ? { color: "#1d2127", textShadow: "0 1px 2px #fff" } : undefined}
        >
          {hoverText}
        </div>
      </div>
      {facesError && (
        <p className="error" role="alert">
          The faces file could not be loaded: {facesError}
        </p>
      )}
    </div>
  );
}
