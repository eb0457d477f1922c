import { roleCan } from "@facet/core";
import { listInvitations, listMembersWithActivity } from "@facet/db";
import type { Metadata } from "next";
import Link from "next/link";
import { requireWorkspace } from "@/lib/session.server";
import { NotForRole } from "../not-for-role";
import { Invitations } from "./invitations";
import { Members } from "./members";
import { OperationRuns } from "./operation-runs";
import { StorageIntegrity } from "./storage-integrity";

export const metadata: Metadata = { title: "Members" };

export default async function AdminPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { viewer, workspace, run } = await requireWorkspace(slug);
  if (!roleCan(workspace.role, "members.manage")) return <NotForRole role={workspace.role} what="administration" />;
  const [members, invitations] = await run(
    async (c) => [await listMembersWithActivity(c, workspace.id), await listInvitations(c, workspace.id)] as const,
  );
  return (
    <>
      <h1>Members</h1>
      <p className="muted">
        Roles: admins manage members and label schemas; engineers upload and review; annotators label; ML engineers
        curate splits and snapshots; viewers read. <Link href={`/w/${workspace.slug}/admin/audit`}>Audit log</Link> ·{" "}
        <Link href={`/w/${workspace.slug}/admin/api-keys`}>API keys</Link> ·{" "}
        <Link href={`/w/${workspace.slug}/admin/schemas`}>Label schemas</Link> ·{" "}
        <Link href={`/w/${workspace.slug}/admin/analytics`}>Analytics</Link> ·{" "}
        <a href={`/api/metrics?workspace=${encodeURIComponent(workspace.slug)}`}>Metrics (Prometheus text)</a>
      </p>
      <StorageIntegrity slug={slug} />
      <OperationRuns slug={slug} />
      <Members workspace={workspace.slug} members={members} me={viewer.claims.sub} />
      <h2>Invite people</h2>
      <Invitations workspace={workspace.slug} invitations={invitations} />
    </>
  );
}
