import { roleCan, uuidSchema } from "@facet/core";
import { listMembersWithActivity, listOwnedItems } from "@facet/db";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireWorkspace } from "@/lib/session.server";
import { formatUtc } from "@/lib/time-format";
import { NotForRole } from "../../../not-for-role";
import { memberName } from "../member-name";
import { Person } from "./person";

export const metadata: Metadata = { title: "Member" };

/**
 * One member, for admins: state, last activity, what they own (datasets) and hold (parts); deactivate
 * or reactivate, transfer what they own to another member, erase their personal data.
 */
export default async function PersonPage({ params }: { params: Promise<{ slug: string; user: string }> }) {
  const { slug, user } = await params;
  const { viewer, workspace, run } = await requireWorkspace(slug);
  if (!roleCan(workspace.role, "members.manage")) return <NotForRole role={workspace.role} what="administration" />;
  if (!uuidSchema.safeParse(user).success) notFound();
  const [members, owned] = await run(
    async (c) => [await listMembersWithActivity(c, workspace.id), await listOwnedItems(c, workspace.id, user)] as const,
  );
  const member = members.find((m) => m.userId === user);
  if (!member) notFound();
  const others = members
    .filter((m) => m.userId !== user && !m.deactivatedAt)
    .map((m) => ({ userId: m.userId, name: memberName(m) }));
  return (
    <>
      <h1 data-testid="person-name">{memberName(member)}</h1>
      <p className="muted">
        <Link href={`/w/${workspace.slug}/admin`}>Members</Link> ·{" "}
        <Link href={`/w/${workspace.slug}/admin/audit`}>Audit log</Link>
      </p>
      <dl className="card">
        <dt>State</dt>
        <dd data-testid="person-state">
          {member.erasedAt
            ? `Erased on ${formatUtc(member.erasedAt)}`
            : member.deactivatedAt
              ? `Deactivated on ${formatUtc(member.deactivatedAt)}`
              : "Active"}
        </dd>
        <dt>Role</dt>
        <dd>{member.role}</dd>
        <dt>Last activity in this workspace</dt>
        <dd data-testid="person-last-activity">
          {member.lastActiveAt ? formatUtc(member.lastActiveAt) : "none recorded"}
        </dd>
        <dt>Last signed in or seen</dt>
        <dd>{member.lastSeenAt ? formatUtc(member.lastSeenAt) : "never"}</dd>
        <dt>Datasets they own</dt>
        <dd data-testid="person-datasets">
          {owned.datasets.length === 0 ? "none" : owned.datasets.map((d) => d.name).join(", ")}
        </dd>
        <dt>Parts they hold</dt>
        <dd>{owned.heldParts}</dd>
      </dl>
      <Person
        workspace={workspace.slug}
        person={{
          userId: member.userId,
          name: memberName(member),
          active: !member.deactivatedAt,
          erased: Boolean(member.erasedAt),
          isMe: member.userId === viewer.claims.sub,
        }}
        others={others}
      />
    </>
  );
}
