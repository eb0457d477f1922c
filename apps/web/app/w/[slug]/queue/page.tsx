import { roleCan } from "@facet/core";
import { listMyClaims, partCountsByStatus } from "@facet/db";
import type { Metadata } from "next";
import { LiveRefresh } from "@/components/live-refresh";
import { requireWorkspace } from "@/lib/session.server";
import { NotForRole } from "../not-for-role";
import { QueueActions } from "./queue-actions";

export const metadata: Metadata = { title: "My queue" };

export default async function QueuePage({
  params,
  searchParams,
}: {
  params: Promise<{ slug: string }>;
  searchParams: Promise<{ submitted?: string | string[]; recorded?: string | string[] }>;
}) {
  const { slug } = await params;
  const { submitted, recorded } = await searchParams;
  const { workspace, run } = await requireWorkspace(slug);
  if (!roleCan(workspace.role, "parts.claim")) return <NotForRole role={workspace.role} what="the labelling queue" />;
  const [claims, counts] = await run(
    async (c) => [await listMyClaims(c, workspace.id), await partCountsByStatus(c, workspace.id)] as const,
  );
  return (
    <>
      {/* held parts and counts follow claims, submissions and releases, also after browser Back */}
      <LiveRefresh renderedAt={Date.now()} />
      <h1>My queue</h1>
      <p className="muted" data-testid="queue-waiting">
        {counts.pre_labeled + counts.unannotated} part(s) waiting · {counts.in_progress} being labelled
      </p>
      <QueueActions
        workspace={workspace.slug}
        claims={claims}
        submitted={typeof submitted === "string" ? submitted.slice(0, 255) : undefined}
        recorded={typeof recorded === "string" ? recorded.slice(0, 255) : undefined}
      />
    </>
  );
}
