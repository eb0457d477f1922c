import { roleCan } from "@facet/core";
import { listParts } from "@facet/db";
import type { Metadata } from "next";
import { PartsTable } from "@/components/parts-table";
import { asUser, requireWorkspace } from "@/lib/session.server";
import { NotForRole } from "../not-for-role";

export const metadata: Metadata = { title: "Review" };

export default async function ReviewPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { viewer, workspace } = await requireWorkspace(slug);
  if (!roleCan(workspace.role, "parts.review")) return <NotForRole role={workspace.role} what="the review queue" />;
  const parts = await asUser(viewer, (c) => listParts(c, { workspaceId: workspace.id, statuses: ["in_review"] }));
  return (
    <>
      <h1>Review queue</h1>
      <p className="muted">Parts submitted for review, oldest first.</p>
      <PartsTable workspace={workspace.slug} parts={parts} empty="Nothing waits for review." />
    </>
  );
}
