import { roleCan } from "@facet/core";
import { listAuditEvents } from "@facet/db";
import type { Metadata } from "next";
import { requireWorkspace } from "@/lib/session.server";
import { NotForRole } from "../../not-for-role";

export const metadata: Metadata = { title: "Audit log" };

export default async function AuditPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { workspace, run } = await requireWorkspace(slug);
  if (!roleCan(workspace.role, "audit.read")) return <NotForRole role={workspace.role} what="the audit log" />;
  const events = await run((c) => listAuditEvents(c, workspace.id, 200));
  return (
    <>
      <h1>Audit log</h1>
      <table data-testid="audit">
        <thead>
          <tr>
            <th>When</th>
            <th>Who</th>
            <th>Action</th>
            <th>Details</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr key={e.id}>
              <td>{new Date(e.createdAt).toLocaleString()}</td>
              <td>{e.actorEmail ?? e.actorKind}</td>
              <td>
                <code>{e.action}</code>
              </td>
              <td>
                <code className="muted">{JSON.stringify(e.data).slice(0, 160)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
