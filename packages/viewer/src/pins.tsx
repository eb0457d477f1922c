"use client";

import type { Vec3 } from "@facet/core";
import { type CSSProperties, type RefObject, useEffect, useRef } from "react";
import type { FaceViewerHandle } from "./face-viewer";

export interface Pin {
  id: string;
  /** Where the pin points, in model coordinates. */
  point: Vec3;
  /** Short text in the marker (a number). */
  label: string;
  /** Longer text shown on hover. */
  title?: string;
  active?: boolean;
  /** Drawn dimmer (e.g. a resolved note). */
  muted?: boolean;
}

/**
 * Markers that stay on points of the part while the camera moves: buttons over the viewer,
 * repositioned on animation frames when the camera, the pins or the viewer's size changed. Place it
 * as a child of FaceViewer (its overlays share the viewer's box).
 */
export function Pins({
  viewer,
  pins,
  onSelect,
}: {
  viewer: RefObject<FaceViewerHandle | null>;
  pins: readonly Pin[];
  onSelect?: (id: string) => void;
}) {
  const layer = useRef<HTMLDivElement | null>(null);
  useEffect(() => {
    let frame = 0;
    let last = "";
    const tick = () => {
      frame = requestAnimationFrame(tick);
      const v = viewer.current;
      const el = layer.current;
      if (!v || !el) return;
      const box = el.getBoundingClientRect();
      const key = `${v.cameraVersion()}:${box.left},${box.top},${box.width},${box.height}:${pins.length}`;
      if (key === last) return;
      last = key;
      el.querySelectorAll<HTMLElement>("[data-pin]").forEach((node) => {
        const pin = pins.find((p) => p.id === node.dataset.pin);
        const at = pin ? v.project(pin.point) : null;
        if (!at) {
          node.style.display = "none";
          return;
        }
        node.style.display = "";
        node.style.transform = `translate(${at.x - box.left}px, ${at.y - box.top}px)`;
      });
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [viewer, pins]);
  return (
    <div ref={layer} style={layerStyle} data-testid="pins">
      {pins.map((p) => (
        <button
          key={p.id}
          type="button"
          data-pin={p.id}
          data-active={p.active ? "yes" : "no"}
          className={`viewer-pin${p.active ? " active" : ""}${p.muted ? " muted" : ""}`}
          title={p.title ?? p.label}
          style={{ ...pinStyle, display: "none" }}
          onClick={(e) => {
            e.stopPropagation();
            onSelect?.(p.id);
          }}
          onPointerDown={(e) => e.stopPropagation()}
        >
          {p.label}
        </button>
      ))}
    </div>
  );
}

const layerStyle: CSSProperties = { position: "absolute", inset: 0, pointerEvents: "none", overflow: "hidden" };
const pinStyle: CSSProperties = {
  position: "absolute",
  left: 0,
  top: 0,
  pointerEvents: "auto",
  marginLeft: -11,
  marginTop: -26,
};
