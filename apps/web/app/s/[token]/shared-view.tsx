"use client";

import type { FeatureType } from "@facet/core";
import type { FaceModel, FaceViewerHandle, Point3 } from "@facet/viewer";
import { type Pin, Pins } from "@facet/viewer";
import dynamic from "next/dynamic";
import { useCallback, useMemo, useRef, useState } from "react";
import { CommentsPanel, type CommentThread } from "@/components/comments/comments-panel";
import { faceColours } from "@/lib/workbench/colours";

const FaceViewer = dynamic(() => import("@facet/viewer").then((m) => m.FaceViewer), {
  ssr: false,
  loading: () => <div className="share-viewer" />,
});

const NONE: ReadonlySet<number> = new Set();

/** The shared part in 3D with its label colours (read-only), a legend, and the comments. */
export function SharedView({
  token,
  partId,
  meshUrl,
  faceSignature,
  labels,
  features,
  threads: initialThreads,
  canComment,
}: {
  token: string;
  partId: string;
  meshUrl: string | null;
  faceSignature: string | null;
  labels: ReadonlyArray<string | null>;
  features: readonly FeatureType[];
  threads: CommentThread[];
  canComment: boolean;
}) {
  const viewer = useRef<FaceViewerHandle | null>(null);
  const [model, setModel] = useState<FaceModel | null>(null);
  const [hovered, setHovered] = useState<number | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<number>>(NONE);
  const [threads, setThreads] = useState(initialThreads);
  const [active, setActive] = useState<string | null>(null);
  const colours = useMemo(() => faceColours(labels, features), [labels, features]);
  const byKey = useMemo(() => new Map(features.map((f) => [f.key, f])), [features]);

  const legend = useMemo(() => {
    const counts = new Map<string, number>();
    let unlabelled = 0;
    for (const l of labels) {
      if (l) counts.set(l, (counts.get(l) ?? 0) + 1);
      else unlabelled++;
    }
    return {
      rows: features.filter((f) => counts.has(f.key)).map((f) => ({ f, n: counts.get(f.key) ?? 0 })),
      unlabelled,
    };
  }, [labels, features]);

  const onReady = useCallback((m: FaceModel) => setModel(m), []);

  const focusFace = useCallback((face: number) => {
    setSelected(new Set([face]));
    viewer.current?.fit([face]);
  }, []);

  // pins: threads pinned to a point, or to a face of the current numbering (drawn at its centre)
  const pins = useMemo<Pin[]>(() => {
    if (!model) return [];
    const out: Pin[] = [];
    threads.forEach((t, i) => {
      const faceOk = t.faceIndex !== null && (!t.faceSignature || t.faceSignature === faceSignature);
      const point: Point3 | null =
        t.point ?? (faceOk && t.faceIndex !== null ? (viewer.current?.faceCentre(t.faceIndex) ?? null) : null);
      if (!point) return;
      out.push({
        id: t.id,
        point,
        label: String(i + 1),
        title: `${t.authorName}: ${t.body.slice(0, 80)}`,
        active: active === t.id,
        muted: t.resolvedAt !== null,
      });
    });
    return out;
  }, [model, threads, faceSignature, active]);

  const hoverText =
    hovered === null
      ? model
        ? `${model.faceCount} faces · drag to orbit, scroll to zoom`
        : ""
      : `face ${hovered} · ${(() => {
          const key = labels[hovered];
          return key ? (byKey.get(key)?.name ?? key) : "unlabelled";
        })()}`;

  return (
    <div className="share-body">
      <div className="share-3d">
        {meshUrl ? (
          <div className="share-viewer-wrap">
            <FaceViewer
              ref={viewer}
              meshUrl={meshUrl}
              colours={colours}
              selected={selected}
              hidden={NONE}
              onReady={onReady}
              onHover={setHovered}
              onFaceClick={(face) => setSelected(face === null ? NONE : new Set([face]))}
              className="share-viewer"
              style={{ position: "absolute", inset: 0 }}
            >
              <Pins
                viewer={viewer}
                pins={pins}
                onSelect={(id) => {
                  setActive(id);
                  document.getElementById(`comment-${id}`)?.scrollIntoView({ behavior: "smooth", block: "center" });
                }}
              />
              <div className="share-hover" aria-live="polite">
                {hoverText}
              </div>
            </FaceViewer>
          </div>
        ) : (
          <p className="muted">The 3D view is not available: the part has not been processed yet.</p>
        )}
        <aside className="share-legend card" data-testid="share-legend" aria-label="Legend">
          <strong>Legend</strong>
          {legend.rows.length === 0 ? (
            <p className="muted">No labels yet.</p>
          ) : (
            <ul>
              {legend.rows.map(({ f, n }) => (
                <li key={f.key} data-feature={f.key}>
                  <span className="share-swatch" style={{ background: f.colour }} aria-hidden="true" />
                  <span className="share-grow">{f.name}</span>
                  <span className="muted">{n}</span>
                </li>
              ))}
            </ul>
          )}
          {legend.unlabelled > 0 && (
            <p className="muted">
              {legend.unlabelled} face{legend.unlabelled === 1 ? "" : "s"} unlabelled
            </p>
          )}
        </aside>
      </div>
      <section aria-labelledby="share-comments-title" id="comments">
        <h2 id="share-comments-title">Comments</h2>
        <CommentsPanel
          partId={partId}
          url={`/api/share/${encodeURIComponent(token)}/comments`}
          initialThreads={initialThreads}
          canComment={canComment}
          canResolve={false}
          guest
          onFocusFace={meshUrl ? focusFace : undefined}
          faceSignature={faceSignature}
          activeId={active}
          onThreadsChange={setThreads}
          refreshOnFocus
          readOnlyText="This link lets you read the comments, not add to them."
        />
      </section>
    </div>
  );
}
