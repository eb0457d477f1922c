import { isAppError, roleCan, STATUS_LABELS, uuidSchema } from "@facet/core";
import { getLabellingContext, getPartConsensus, getReviewBases, listReviewNotes, type Revision } from "@facet/db";
import { partAgreement } from "@facet/prelabel";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { stagedPart } from "@/features/part-stage/staged-part.server";
import { requireWorkspace } from "@/lib/session.server";
import { NotForRole } from "../../../not-for-role";
import type { ConsensusView } from "./consensus-panel";
import type { ReviewHistoryEntry, ReviewLabels } from "./review-workbench";
import { ReviewWorkbench } from "./review-workbench";

export const metadata: Metadata = { title: "Review" };

/** How many past decisions the page lists (with their notes). */
const HISTORY_LIMIT = 20;

function labelsOf(r: Revision): ReviewLabels {
  return {
    revisionNo: r.revisionNo,
    faceSignature: r.document.faceSignature,
    labels: r.document.labels,
    authorEmail: r.authorEmail,
    source: r.source,
    faceChecks: r.faceChecks,
    createdAt: typeof r.createdAt === "string" ? r.createdAt : new Date(r.createdAt).toISOString(),
  };
}

/**
 * How the independent annotations of a consensus dataset compare, face by face (current numbering
 * only). The majority is the database's (the vote the consensus revision was made of, ties to the
 * byte-order first label); the agreement figures are @facet/prelabel's.
 */
function consensusView(
  c: Awaited<ReturnType<typeof getPartConsensus>>,
  signature: string | null,
): ConsensusView | null {
  if (!c || c.required < 2) return null;
  const annotations = c.annotations.filter((a) => a.faceSignature === signature);
  if (annotations.length === 0) return null;
  const { faces, meanAgreement, disagreeingFaces } = partAgreement(annotations.map((a) => a.labels));
  return {
    required: c.required,
    annotators: annotations.map((a) => a.annotatorEmail ?? a.annotatorId),
    labels: faces.map((_, f) => annotations.map((a) => a.labels[f] ?? null)),
    majority: c.majority,
    tiedFaces: c.tiedFaces,
    agreement: faces.map((f) => f.agreement),
    meanAgreement,
    disagreeingFaces,
  };
}

/** An engineer's review of one part: the submitted labels, their changes, notes pinned to faces, the decision. */
export default async function ReviewPartPage({ params }: { params: Promise<{ slug: string; id: string }> }) {
  const { slug, id } = await params;
  if (!uuidSchema.safeParse(id).success) notFound();
  const { viewer, workspace, run } = await requireWorkspace(slug);
  if (!roleCan(workspace.role, "parts.review")) return <NotForRole role={workspace.role} what="reviewing parts" />;
  const loaded = await run(async (c) => {
    const ctx = await getLabellingContext(c, workspace.id, id);
    const bases = await getReviewBases(c, id);
    const reviews = bases.reviews.slice(-HISTORY_LIMIT);
    const history: ReviewHistoryEntry[] = [];
    for (const r of reviews) {
      const notes = await listReviewNotes(c, r.id);
      history.push({
        id: r.id,
        decision: r.decision,
        revisionNo: r.revisionNo,
        reviewerEmail: r.reviewerEmail,
        summary: r.summary,
        createdAt: r.createdAt,
        notes: notes.map((n) => ({ id: n.id, body: n.body, faceIndex: n.faceIndex })),
      });
    }
    return { ctx, bases, history, consensus: await getPartConsensus(c, id) };
  }).catch((e: unknown) => {
    if (isAppError(e) && e.code === "NOT_FOUND") return null;
    throw e;
  });
  if (!loaded) notFound();
  const { ctx, bases, history } = loaded;
  const consensus = consensusView(loaded.consensus, ctx.geometry?.faceSignature ?? null);
  const back = (
    <p className="muted">
      <Link href={`/w/${workspace.slug}/review`}>Review queue</Link> /{" "}
      <Link href={`/w/${workspace.slug}/parts/${ctx.part.id}`}>{ctx.part.name}</Link>
    </p>
  );
  if (!ctx.geometry || !ctx.taxonomy || !ctx.revision) {
    return (
      <>
        {back}
        <h1>{ctx.part.name}</h1>
        <p className="notice" role="status" data-testid="review-unavailable">
          {!ctx.geometry
            ? `This part cannot be reviewed: it is ${STATUS_LABELS[ctx.part.status].toLowerCase()} and has no mesh.`
            : !ctx.taxonomy
              ? "This part's dataset has no label schema: an admin must give it one first."
              : "This part has no labels to review yet."}
        </p>
      </>
    );
  }
  const staged = await stagedPart(workspace.slug, viewer.claims.sub, {
    ...ctx,
    geometry: ctx.geometry,
    taxonomy: ctx.taxonomy,
  });
  return (
    <ReviewWorkbench
      {...staged}
      datasetId={ctx.part.datasetId}
      datasetName={ctx.part.datasetName}
      revision={labelsOf(ctx.revision)}
      prelabel={bases.prelabel ? labelsOf(bases.prelabel) : null}
      previous={bases.previousSubmission ? labelsOf(bases.previousSubmission) : null}
      reviews={history}
      consensus={consensus}
    />
  );
}
