import { roleCan } from "@facet/core";
import { type AuditEvent, listAuditEvents } from "@facet/db";
import type { Metadata } from "next";
import { describeAuditEvent } from "@/components/audit/audit-sentence";
import { Time } from "@/components/comments/time";
import { requireWorkspace } from "@/lib/session.server";
import { NotForRole } from "../../not-for-role";

export const metadata: Metadata = { title: "Audit log" };

const SHOWN = 200;

/** What the log recorded of an event, for whoever needs the exact record. */
function raw(e: AuditEvent): string {
  const { action, actorKind, actorEmail, targetTable, targetId, data, createdAt } = e;
  return JSON.stringify(
    {
      action,
      actor: actorEmail,
      actorKind,
      target: targetTable ? { table: targetTable, id: targetId } : null,
      data,
      createdAt,
    },
    null,
    2,
  );
}

/** The workspace's latest events, each in a sentence, the recorded data a click away. */
export default async function AuditPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { workspace, run } = await requireWorkspace(slug);
  if (!roleCan(workspace.role, "audit.read")) return <NotForRole role={workspace.role} what="the audit log" />;
  const events = await run((c) => listAuditEvents(c, workspace.id, SHOWN));
  return (
    <>
      <h1>Audit log</h1>
      <p className="muted">
        {events.length === SHOWN ? `The latest ${SHOWN} events` : "Everything recorded"} in this workspace, newest
        first.
      </p>
      {events.length === 0 ? (
        <p className="muted">Nothing recorded yet.</p>
      ) : (
        <table data-testid="audit" className="audit-log">
          <thead>
            <tr>
              <th className="audit-when">When</th>
              <th>What happened</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.id} data-action={e.action}>
                <td className="audit-when muted">
                  <Time iso={e.createdAt} />
                </td>
                <td>
                  <span className="audit-sentence">{describeAuditEvent(e)}</span>
                  <details className="audit-raw">
                    <summary>Raw data</summary>
                    <pre>{raw(e)}</pre>
                  </details>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
