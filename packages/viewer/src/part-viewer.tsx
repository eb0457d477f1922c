"use client";

import { type ReactNode, useCallback, useMemo, useState } from "react";
import type { FaceModel } from "./face-model";
import { FaceViewer } from "./face-viewer";

/** A pleasant, stable colour per face (sRGB bytes): neighbours differ, the same face keeps its colour. */
export function faceColour(face: number): [number, number, number] {
  const hue = (face * 0.618033988749895) % 1;
  // HSL(hue, 0.35, 0.62) to RGB
  const s = 0.35;
  const l = 0.62;
  const k = (n: number) => (n + hue * 12) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
  return [Math.round(f(0) * 255), Math.round(f(8) * 255), Math.round(f(4) * 255)];
}

const NONE: ReadonlySet<number> = new Set();

/**
 * A part's B-rep faces in 3D (read-only): orbit, zoom and pan with the mouse; each face has its own
 * colour; the face under the pointer is highlighted and described.
 */
export function PartViewer({
  meshUrl,
  cacheKey,
  describeFace,
  height = 480,
}: {
  meshUrl: string;
  cacheKey?: string;
  describeFace?: (face: number) => ReactNode;
  height?: number;
}) {
  const [hovered, setHovered] = useState<number | null>(null);
  const [faces, setFaces] = useState<number | null>(null);
  const colours = useMemo(() => {
    const out = new Uint8Array((faces ?? 0) * 3);
    for (let f = 0; f < (faces ?? 0); f++) out.set(faceColour(f), f * 3);
    return out;
  }, [faces]);
  const onReady = useCallback((m: FaceModel) => setFaces(m.faceCount), []);
  return (
    <div className="part-viewer" style={{ position: "relative", height, borderRadius: 6, overflow: "hidden" }}>
      <FaceViewer
        meshUrl={meshUrl}
        {...(cacheKey ? { cacheKey } : {})}
        colours={colours}
        selected={NONE}
        hidden={NONE}
        onReady={onReady}
        onHover={setHovered}
        style={{ position: "absolute", inset: 0 }}
      >
        <div
          style={{
            position: "absolute",
            left: 10,
            bottom: 8,
            color: "#e6e9ee",
            font: "12px system-ui",
            pointerEvents: "none",
          }}
        >
          {faces === null
            ? ""
            : hovered === null
              ? `${faces} faces · drag to orbit, scroll to zoom`
              : (describeFace?.(hovered) ?? `face ${hovered}`)}
        </div>
      </FaceViewer>
    </div>
  );
}
