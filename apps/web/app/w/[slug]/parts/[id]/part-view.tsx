"use client";

import type { FeatureType } from "@facet/core";
import dynamic from "next/dynamic";
import { useState } from "react";
import { LabelledPart, useFacesFile, usePartStage } from "@/features/part-stage";
import { faceFacts } from "@/lib/workbench/faces-file";

const PartViewer = dynamic(() => import("@facet/viewer").then((m) => m.PartViewer), {
  ssr: false,
  loading: () => <div className="part-viewer" style={{ height: 480 }} />,
});

/**
 * The processed part in 3D: with its labels (each face in its feature's colour, a legend; a click
 * on a feature selects its faces) once it has some, or a colour per face; the face under the
 * pointer described from the faces file.
 */
export function PartView(p: {
  meshUrl: string;
  meshKey: string;
  facesUrl: string;
  facesKey: string;
  faceCount: number;
  labelled: { labels: ReadonlyArray<string | null>; features: readonly FeatureType[] } | null;
}) {
  const [show, setShow] = useState<"labels" | "faces">("labels");
  if (!p.labelled) return <Faces {...p} />;
  return (
    <div className="stack">
      <fieldset className="wb-group" aria-label="Colour the faces by">
        {(["labels", "faces"] as const).map((m) => (
          <button
            key={m}
            type="button"
            aria-pressed={show === m}
            className={show === m ? "on" : ""}
            onClick={() => setShow(m)}
          >
            {m === "labels" ? "Labels" : "Faces"}
          </button>
        ))}
      </fieldset>
      {show === "labels" ? <Labelled {...p} labelled={p.labelled} /> : <Faces {...p} />}
    </div>
  );
}

function Labelled(
  p: Parameters<typeof PartView>[0] & { labelled: NonNullable<Parameters<typeof PartView>[0]["labelled"]> },
) {
  const stage = usePartStage({ faceCount: p.faceCount });
  const { file } = useFacesFile(p.facesUrl, p.facesKey);
  return (
    <LabelledPart
      stage={stage}
      meshUrl={p.meshUrl}
      meshKey={p.meshKey}
      labels={p.labelled.labels}
      features={p.labelled.features}
      faceText={(i) => {
        const f = file?.faces[i];
        return f ? faceFacts(i, f).join(" · ") : `face ${i}`;
      }}
      selectByLegend
    />
  );
}

function Faces({ meshUrl, facesUrl, facesKey }: { meshUrl: string; facesUrl: string; facesKey: string }) {
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
