import { STATUS_LABELS, uuidSchema } from "@facet/core";
import { getLabellingContext, listReviewNotes, listReviews } from "@facet/db";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { stagedPart } from "@/features/part-stage/staged-part.server";
import { requireWorkspace } from "@/lib/session.server";
import { Workbench } from "./workbench";

export const metadata: Metadata = { title: "Label" };

/** The annotation workbench for one part: labelling for the annotator holding it, read-only for everyone else. */
export default async function LabelPage({ params }: { params: Promise<{ slug: string; id: string }> }) {
  const { slug, id } = await params;
  if (!uuidSchema.safeParse(id).success) notFound();
  const { viewer, workspace, run } = await requireWorkspace(slug);
  const loaded = await run(async (c) => {
    const ctx = await getLabellingContext(c, workspace.id, id);
    // a part sent back by a reviewer: the rejection and its notes, shown while it is being fixed
    const rejection = ctx.part.returnedAt
      ? (await listReviews(c, id)).findLast((r) => r.decision === "rejected")
      : null;
    return { ctx, rejection, notes: rejection ? await listReviewNotes(c, rejection.id) : [] };
  }).catch(() => null);
  if (!loaded) notFound();
  const { ctx, rejection, notes } = loaded;
  const back = (
    <p className="muted">
      <Link href={`/w/${workspace.slug}/datasets/${ctx.part.datasetId}`}>{ctx.part.datasetName}</Link> /{" "}
      <Link href={`/w/${workspace.slug}/parts/${ctx.part.id}`}>{ctx.part.name}</Link>
    </p>
  );
  if (!ctx.geometry || !ctx.taxonomy) {
    return (
      <>
        {back}
        <h1>{ctx.part.name}</h1>
        <p className="notice" role="status">
          {!ctx.geometry
            ? `This part cannot be labelled yet: it is ${STATUS_LABELS[ctx.part.status].toLowerCase()} and has no mesh.`
            : "This part's dataset has no label schema: an admin must give it one before it can be labelled."}
        </p>
      </>
    );
  }
  const userId = viewer.claims.sub;
  const staged = await stagedPart(workspace.slug, userId, { ...ctx, geometry: ctx.geometry, taxonomy: ctx.taxonomy });
  return (
    <Workbench
      {...staged}
      holds={ctx.part.status === "in_progress" && ctx.part.annotatorId === userId}
      review={
        rejection
          ? {
              reviewerEmail: rejection.reviewerEmail,
              summary: rejection.summary,
              revisionNo: rejection.revisionNo,
              createdAt: rejection.createdAt,
              notes,
            }
          : null
      }
      prelabel={
        ctx.prelabel
          ? {
              faceSignature: ctx.prelabel.faceSignature,
              labels: ctx.prelabel.labels,
              summary: ctx.prelabel.summary,
              error: ctx.prelabel.error,
            }
          : null
      }
      revision={
        ctx.revision
          ? {
              revisionNo: ctx.revision.revisionNo,
              document: ctx.revision.document,
              authorEmail: ctx.revision.authorEmail,
              source: ctx.revision.source,
              faceChecks: ctx.revision.faceChecks,
            }
          : null
      }
      confirmBelow={ctx.confirmBelow}
    />
  );
}
