import { roleCan, uuidSchema } from "@facet/core";
import {
  getLabellingContext,
  getPart,
  listComments,
  listMentionable,
  listShareLinks,
  partHistory,
  similarParts,
} from "@facet/db";
import { NEAR_DUPLICATE_DISTANCE } from "@facet/geometry";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { CommentsPanel } from "@/components/comments/comments-panel";
import { StatusBadge } from "@/features/part-stage";
import { geometryUrls } from "@/lib/context.server";
import { requireWorkspace } from "@/lib/session.server";
import { PartHistory } from "./history";
import { PartActions } from "./part-actions";
import { PartView } from "./part-view";
import { ShareLinks } from "./share-links";
import { SimilarParts } from "./similar-parts";

export const metadata: Metadata = { title: "Part" };

export default async function PartPage({ params }: { params: Promise<{ slug: string; id: string }> }) {
  const { slug, id } = await params;
  if (!uuidSchema.safeParse(id).success) notFound();
  const { viewer, workspace, run } = await requireWorkspace(slug);
  const part = await run((c) => getPart(c, workspace.id, id)).catch(() => null);
  if (!part) notFound();
  const canShare = roleCan(workspace.role, "parts.share");
  const { threads, mentionable, history, links, labelling, similar } = await run(async (c) => ({
    threads: await listComments(c, part.id),
    mentionable: await listMentionable(c, workspace.id),
    history: await partHistory(c, part.id),
    links: canShare ? await listShareLinks(c, part.id) : [],
    // the current labels and the dataset's schema, to show the part labelled
    labelling: part.geometry ? await getLabellingContext(c, workspace.id, part.id) : null,
    similar: await similarParts(c, {
      workspaceId: workspace.id,
      partId: part.id,
      limit: 8,
      nearDuplicateDistance: NEAR_DUPLICATE_DISTANCE,
    }),
  }));
  const doc = labelling?.revision?.document;
  const labels =
    doc && labelling?.geometry && labelling.taxonomy && doc.faceSignature === labelling.geometry.faceSignature
      ? { labels: doc.labels, features: labelling.taxonomy.featureTypes, revision: labelling.revision }
      : null;
  const urls = part.geometry ? await geometryUrls(part.geometry) : null;
  return (
    <>
      <p className="muted">
        <Link href={`/w/${workspace.slug}/datasets/${part.datasetId}`}>{part.datasetName}</Link> /
      </p>
      <h1>{part.name}</h1>
      <div className="row">
        <StatusBadge status={part.status} />
        {part.geometry && (
          <span className="muted">
            {part.geometry.faceCount} faces · {part.geometry.triangleCount} triangles · {(part.size / 1e6).toFixed(2)}{" "}
            MB
          </span>
        )}
        {part.geometry && (
          <Link className="button" href={`/w/${workspace.slug}/parts/${part.id}/label`}>
            {part.status === "in_progress" && part.annotatorEmail === viewer.email
              ? "Continue labelling"
              : "Open workbench"}
          </Link>
        )}
        {part.status === "in_review" && roleCan(workspace.role, "parts.review") && (
          <Link className="button primary" href={`/w/${workspace.slug}/parts/${part.id}/review`}>
            Review
          </Link>
        )}
        {roleCan(workspace.role, "parts.upload") && (
          <PartActions
            workspace={workspace.slug}
            partId={part.id}
            failed={part.status === "failed"}
            datasetId={part.datasetId}
            canPrelabel={part.status === "unannotated" && part.geometry !== null}
          />
        )}
      </div>
      {part.failureReason && (
        <p className="error" role="alert" data-testid="failure-reason">
          Processing failed: {part.failureReason}
        </p>
      )}
      {part.prelabelConfidence !== null && (
        <p className="muted" data-testid="prelabel-status">
          Pre-labelled: {Math.round(part.prelabelConfidence * 100)}% confident on average
          {part.prelabelDisagreements ? `; the models disagree on ${part.prelabelDisagreements} face(s)` : ""}.
        </p>
      )}
      {part.prelabelError && (
        <p className="notice" role="status" data-testid="prelabel-status">
          Pre-labelling gave no answer: {part.prelabelError}
        </p>
      )}
      {urls && part.geometry ? (
        <>
          {labels?.revision && (
            <p className="muted" data-testid="labels-of">
              {labels.revision.source === "model"
                ? "The models' pre-labels"
                : part.status === "approved"
                  ? "Approved labels"
                  : "Labels"}{" "}
              of revision {labels.revision.revisionNo}
              {labels.revision.authorEmail ? ` by ${labels.revision.authorEmail}` : ""}.
            </p>
          )}
          <PartView
            meshUrl={urls.meshUrl}
            meshKey={part.geometry.meshKey}
            facesUrl={urls.facesUrl}
            facesKey={part.geometry.facesKey}
            faceCount={part.geometry.faceCount}
            labelled={labels ? { labels: labels.labels, features: labels.features } : null}
          />
        </>
      ) : (
        !part.failureReason && <p className="muted">The mesh appears here once the part has been processed.</p>
      )}
      <SimilarParts workspace={workspace.slug} similar={similar} nearDuplicateDistance={NEAR_DUPLICATE_DISTANCE} />
      <section id="comments" aria-labelledby="comments-title">
        <h2 id="comments-title">Comments</h2>
        <CommentsPanel
          workspace={workspace.slug}
          partId={part.id}
          initialThreads={threads}
          canComment={roleCan(workspace.role, "parts.comment")}
          mentionable={mentionable}
          faceSignature={part.geometry?.signature ?? null}
        />
      </section>
      {canShare && (
        <section aria-labelledby="share-title">
          <h2 id="share-title">Share links</h2>
          <p className="muted">
            A link shows this part, its labels and its comments to someone outside the workspace, without signing in.
          </p>
          <ShareLinks workspace={workspace.slug} partId={part.id} initialLinks={links} />
        </section>
      )}
      <section aria-labelledby="history-title">
        <h2 id="history-title">History</h2>
        <PartHistory workspace={workspace.slug} partId={part.id} initialEvents={history} />
      </section>
      <h2>Jobs</h2>
      {part.jobs.length === 0 ? (
        <p className="muted">No jobs.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Job</th>
              <th>Status</th>
              <th>Attempts</th>
              <th>Started</th>
              <th>Error</th>
            </tr>
          </thead>
          <tbody>
            {part.jobs.map((j) => (
              <tr key={j.id}>
                <td>
                  <code>{j.kind}</code>
                </td>
                <td>
                  {j.status}
                  {j.status === "running" ? ` (${Math.round(j.progress * 100)}%)` : ""}
                </td>
                <td>{j.attempts}</td>
                <td>{new Date(j.createdAt).toLocaleString()}</td>
                <td className="error">{j.error ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="muted">
        Content SHA-256 <code>{part.blobSha256}</code>
        {part.geometry ? (
          <>
            {" "}
            · tessellator <code>{part.geometry.tessellator}</code> · face signature{" "}
            <code>{part.geometry.signature}</code>
          </>
        ) : null}
      </p>
    </>
  );
}
