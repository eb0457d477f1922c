import { roleCan } from "@facet/core";
import { listDatasets, listMembers, listReviewQueue } from "@facet/db";
import type { Metadata } from "next";
import { annotatorOptions, reviewedMessage } from "@/lib/review/queue";
import { oneParam, uuidParam } from "@/lib/search-params";
import { requireWorkspace } from "@/lib/session.server";
import { NotForRole } from "../not-for-role";
import { ReviewQueue } from "./review-queue";

export const metadata: Metadata = { title: "Review" };

/** Parts waiting for an engineer's review, oldest submission first, kept live by the workspace's events. */
export default async function ReviewPage({
  params,
  searchParams,
}: {
  params: Promise<{ slug: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { slug } = await params;
  const query = await searchParams;
  const { viewer, workspace, run } = await requireWorkspace(slug);
  if (!roleCan(workspace.role, "parts.review")) return <NotForRole role={workspace.role} what="the review queue" />;
  const filters = { annotator: uuidParam(query.annotator), dataset: uuidParam(query.dataset) };
  const [page, datasets, members] = await Promise.all([
    run((c) =>
      listReviewQueue(c, { workspaceId: workspace.id, annotatorId: filters.annotator, datasetId: filters.dataset }),
    ),
    run((c) => listDatasets(c, workspace.id)),
    // the filter still works from the queue's own annotators when members cannot be read
    run((c) => listMembers(c, workspace.id)).catch(() => []),
  ]);
  const reviewed = oneParam(query.reviewed);
  return (
    <>
      <h1>Review queue</h1>
      <ReviewQueue
        workspace={workspace.slug}
        userId={viewer.claims.sub}
        initialPage={page}
        initialFilters={filters}
        datasets={datasets.map((d) => ({ id: d.id, name: d.name }))}
        annotators={annotatorOptions(members, page.items)}
        reviewed={reviewed ? reviewedMessage(reviewed.slice(0, 255), oneParam(query.decision)) : null}
        renderedAt={Date.now()}
      />
    </>
  );
}
