"use client";

import dynamic from "next/dynamic";
import { useFacesFile } from "@/features/part-stage";
import { faceFacts } from "@/lib/workbench/faces-file";

const PartViewer = dynamic(() => import("@facet/viewer").then((m) => m.PartViewer), {
  ssr: false,
  loading: () => <div className="part-viewer" style={{ height: 480 }} />,
});

/** The processed part in 3D, a colour per face; the face under the pointer is described from the faces file. */
export function PartView({ meshUrl, facesUrl, facesKey }: { meshUrl: string; facesUrl: string; facesKey: string }) {
  const { file } = useFacesFile(facesUrl, facesKey);
  return (
    <PartViewer
      meshUrl={meshUrl}
      describeFace={(i) => {
        const f = file?.faces[i];
        return f ? faceFacts(i, f).join(" · ") : `face ${i}`;
      }}
    />
  );
}
