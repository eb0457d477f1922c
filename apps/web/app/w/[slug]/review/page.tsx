import { roleCan, uuidSchema } from "@facet/core";
import { listDatasets, listMembers, listReviewQueue } from "@facet/db";
import type { Metadata } from "next";
import { annotatorOptions, reviewedMessage } from "@/lib/review/queue";
import { asUser, requireWorkspace } from "@/lib/session.server";
import { NotForRole } from "../not-for-role";
import { ReviewQueue } from "./review-queue";

export const metadata: Metadata = { title: "Review" };

function one(v: string | string[] | undefined): string | null {
  return typeof v === "string" && v.length > 0 ? v : null;
}

function uuidOrNull(v: string | string[] | undefined): string | null {
  const s = one(v);
  return s !== null && uuidSchema.safeParse(s).success ? s : null;
}

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
  const { viewer, workspace } = await requireWorkspace(slug);
  if (!roleCan(workspace.role, "parts.review")) return <NotForRole role={workspace.role} what="the review queue" />;
  const filters = { annotator: uuidOrNull(query.annotator), dataset: uuidOrNull(query.dataset) };
  const [items, datasets, members] = await Promise.all([
    asUser(viewer, (c) =>
      listReviewQueue(c, { workspaceId: workspace.id, annotatorId: filters.annotator, datasetId: filters.dataset }),
    ),
    asUser(viewer, (c) => listDatasets(c, workspace.id)),
    // the filter still works from the queue's own annotators when members cannot be read
    asUser(viewer, (c) => listMembers(c, workspace.id)).catch(() => []),
  ]);
  const reviewed = one(query.reviewed);
  return (
    <>
      <h1>Review queue</h1>
      <ReviewQueue
        workspace={workspace.slug}
        userId={viewer.claims.sub}
        initialItems={items}
        initialFilters={filters}
        datasets={datasets.map((d) => ({ id: d.id, name: d.name }))}
        annotators={annotatorOptions(members, items)}
        reviewed={reviewed ? reviewedMessage(reviewed.slice(0, 255), one(query.decision)) : null}
        renderedAt={Date.now()}
      />
    </>
  );
}
