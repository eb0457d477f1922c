import { listApiKeys } from "@facet/auth";
import { roleCan } from "@facet/core";
import type { Metadata } from "next";
import Link from "next/link";
import { requireWorkspace } from "@/lib/session.server";
import { NotForRole } from "../../not-for-role";
import { ApiKeys } from "./api-keys";

export const metadata: Metadata = { title: "API keys" };

/** The workspace's API keys (and the admin's own personal keys): make one, see who made each and when it was last used, revoke. */
export default async function ApiKeysPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { workspace, run } = await requireWorkspace(slug);
  if (!roleCan(workspace.role, "members.manage")) return <NotForRole role={workspace.role} what="API keys" />;
  const keys = await run((c) => listApiKeys(c, workspace.id));
  return (
    <>
      <h1>API keys</h1>
      <p className="muted">
        Keys let scripts and the <code>facet</code> command act in this workspace with the scopes you give them. A key
        is shown once, when it is made; revoking it stops it at once.{" "}
        <Link href={`/w/${workspace.slug}/admin`}>Members</Link>
      </p>
      <ApiKeys workspace={workspace.slug} workspaceId={workspace.id} keys={keys} />
    </>
  );
}
