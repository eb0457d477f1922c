"use client";

import dynamic from "next/dynamic";

/** [surface type, area, radius] per face, in face order. */
export type FaceSummary = [string, number, number | null];

const PartViewer = dynamic(() => import("@facet/viewer").then((m) => m.PartViewer), {
  ssr: false,
  loading: () => <div className="part-viewer" style={{ height: 480 }} />,
});

export function PartView({ meshUrl, faces }: { meshUrl: string; faces: FaceSummary[] }) {
  return (
    <PartViewer
      meshUrl={meshUrl}
      describeFace={(i) => {
        const f = faces[i];
        if (!f) return `face ${i}`;
        const [surface, area, radius] = f;
        return `face ${i} · ${surface} · area ${area.toPrecision(4)} mm²${radius ? ` · radius ${radius.toPrecision(4)} mm` : ""}`;
      }}
    />
  );
}
