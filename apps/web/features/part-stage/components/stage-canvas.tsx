"use client";

import type { FaceViewerProps } from "@facet/viewer";
import dynamic from "next/dynamic";
import type { ReactNode } from "react";
import type { PartStage } from "../use-part-stage";

// the viewer is client only (WebGL); each look of the stage keeps its own placeholder while it loads
const WorkbenchFaceViewer = dynamic(() => import("@facet/viewer").then((m) => m.FaceViewer), {
  ssr: false,
  loading: () => <div className="wb-viewer" />,
});
const ShareFaceViewer = dynamic(() => import("@facet/viewer").then((m) => m.FaceViewer), {
  ssr: false,
  loading: () => <div className="share-viewer" />,
});

export interface StageCanvasProps {
  stage: PartStage;
  meshUrl: string;
  /** The mesh's content address: the browser keeps the mesh under it. */
  meshKey?: string;
  /** sRGB bytes per face. */
  colours: Uint8Array;
  /** Replaces the stage's click rule (pinning a note, a single selection). */
  onFaceClick?: FaceViewerProps["onFaceClick"];
  /** The workbench's full-height panel, or the share page's framed view. */
  look?: "workbench" | "share";
  /** Overlays drawn over the part (pins, captions). */
  children?: ReactNode;
}

/** The 3D view of a part stage: the viewer wired to the stage's selection, visibility, view settings and tool. */
export function StageCanvas({
  stage,
  meshUrl,
  meshKey,
  colours,
  onFaceClick,
  look = "workbench",
  children,
}: StageCanvasProps) {
  const Viewer = look === "share" ? ShareFaceViewer : WorkbenchFaceViewer;
  return (
    <Viewer
      ref={stage.viewer}
      meshUrl={meshUrl}
      {...(meshKey ? { cacheKey: meshKey } : {})}
      colours={colours}
      selected={stage.selection}
      hidden={stage.hidden}
      xray={stage.xray}
      projection={stage.projection}
      section={stage.section}
      tool={stage.tool}
      edges={stage.edges}
      // the share page has no toolbar to change it: it keeps the dark background its captions are made for
      background={look === "share" ? "dark" : stage.background}
      onReady={stage.onReady}
      onHover={stage.setHovered}
      onFaceClick={onFaceClick ?? stage.onFaceClick}
      onPaint={stage.onPaint}
      onBoxSelect={stage.onBoxSelect}
      className={look === "share" ? "share-viewer" : "wb-viewer"}
      style={{ position: "absolute", inset: 0 }}
    >
      {children}
    </Viewer>
  );
}
