"use client";

import type { FeatureType, Vec3 } from "@facet/core";
import type { CommentThread } from "@facet/db";
import { type Pin, Pins } from "@facet/viewer";
import { useCallback, useMemo, useState } from "react";
import { CommentsPanel } from "@/components/comments/comments-panel";
import { LabelledPart, LabelsLegend, usePartStage } from "@/features/part-stage";
import { NO_FACES } from "@/lib/workbench/selection";

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
  const stage = usePartStage({ faceCount: labels.length });
  const { viewer, model, setSelection } = stage;
  const [threads, setThreads] = useState(initialThreads);
  const [active, setActive] = useState<string | null>(null);

  // a guest selects one face at a time
  const onFaceClick = useCallback(
    (face: number | null) => setSelection(face === null ? NO_FACES : new Set([face])),
    [setSelection],
  );

  // pins: threads pinned to a point, or to a face of the current numbering (drawn at its centre)
  const pins = useMemo<Pin[]>(() => {
    if (!model) return [];
    const out: Pin[] = [];
    threads.forEach((t, i) => {
      const faceOk = t.faceIndex !== null && (!t.faceSignature || t.faceSignature === faceSignature);
      const point: Vec3 | null =
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
  }, [model, threads, faceSignature, active, viewer]);

  return (
    <div className="share-body">
      {meshUrl ? (
        <LabelledPart stage={stage} meshUrl={meshUrl} labels={labels} features={features} onFaceClick={onFaceClick}>
          <Pins
            viewer={viewer}
            pins={pins}
            onSelect={(id) => {
              setActive(id);
              document.getElementById(`comment-${id}`)?.scrollIntoView({ behavior: "smooth", block: "center" });
            }}
          />
        </LabelledPart>
      ) : (
        <div className="share-3d">
          <p className="muted">The 3D view is not available: the part has not been processed yet.</p>
          <LabelsLegend labels={labels} features={features} />
        </div>
      )}
      <section aria-labelledby="share-comments-title" id="comments">
        <h2 id="share-comments-title">Comments</h2>
        <CommentsPanel
          partId={partId}
          url={`/api/share/${encodeURIComponent(token)}/comments`}
          initialThreads={initialThreads}
          canComment={canComment}
          canResolve={false}
          guest
          onFocusFace={meshUrl ? stage.focusFace : undefined}
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
