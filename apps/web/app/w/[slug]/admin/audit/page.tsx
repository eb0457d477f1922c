import { type AuditFilter, auditFilterQuery, isAppError, parseAuditFilter, roleCan } from "@facet/core";
import { type AuditEvent, listDatasets, listMembers, queryAuditLog } from "@facet/db";
import type { Metadata } from "next";
import { AuditFilters } from "@/components/audit/audit-filters";
import { describeAuditEvent } from "@/components/audit/audit-sentence";
import { Time } from "@/components/comments/time";
import { pageSearch } from "@/lib/search-params";
import { requireWorkspace } from "@/lib/session.server";
import { NotForRole } from "../../not-for-role";

export const metadata: Metadata = { title: "Audit log" };

const PAGE = 100;

/** What the log recorded of an event, for whoever needs the exact record. */
function recorded(e: AuditEvent): string {
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

type Search = Record<string, string | string[] | undefined>;

/** The workspace's events, newest first, filtered and paged, each in a sentence, the recorded data a click away. */
export default async function AuditPage({
  params,
  searchParams,
}: {
  params: Promise<{ slug: string }>;
  searchParams: Promise<Search>;
}) {
  const { slug } = await params;
  const raw = await searchParams;
  const { workspace, run } = await requireWorkspace(slug);
  if (!roleCan(workspace.role, "audit.read")) return <NotForRole role={workspace.role} what="the audit log" />;
  const base = `/w/${workspace.slug}/admin/audit`;
  const search = pageSearch(raw);
  let filter: AuditFilter = {};
  let problem: string | null = null;
  try {
    filter = parseAuditFilter(search, { ignore: ["cursor"] });
  } catch (e) {
    if (!isAppError(e)) throw e;
    problem = e.message;
  }
  const cursor = typeof raw.cursor === "string" ? raw.cursor : null;
  const [members, datasets] = await run(
    async (c) => [await listMembers(c, workspace.id), await listDatasets(c, workspace.id)] as const,
  );
  let page: { events: AuditEvent[]; nextCursor: string | null } = { events: [], nextCursor: null };
  if (!problem) {
    try {
      page = await run((c) => queryAuditLog(c, workspace.id, { filter, cursor, limit: PAGE }));
    } catch (e) {
      if (!isAppError(e)) throw e;
      problem = e.message;
    }
  }
  const { events } = page;
  const query = auditFilterQuery(filter);
  const csv = `/api/workspaces/${workspace.slug}/audit?${query ? `${query}&` : ""}format=csv`;
  const next = page.nextCursor
    ? `${base}?${new URLSearchParams([...new URLSearchParams(query), ["cursor", page.nextCursor]])}`
    : null;
  return (
    <>
      <h1>Audit log</h1>
      <p className="muted">
        What happened in this workspace, newest first, {PAGE} events a page. Nobody can change or delete an entry.
      </p>
      <AuditFilters
        base={base}
        filter={filter}
        members={members.map((m) => ({
          id: m.userId,
          label: m.displayName ? `${m.displayName} (${m.email})` : m.email,
        }))}
        datasets={datasets.map((d) => ({ id: d.id, name: d.name }))}
      />
      <p className="row">
        <a className="button" href={csv} data-testid="audit-csv" download>
          Download CSV
        </a>
        {cursor && <a href={query ? `${base}?${query}` : base}>Newest first</a>}
      </p>
      {problem && (
        <p role="alert" className="error" data-testid="audit-problem">
          {problem}
        </p>
      )}
      {events.length === 0 ? (
        <p className="muted" data-testid="audit-empty">
          {cursor ? "No older events." : "Nothing recorded matches."}
        </p>
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
                    <pre>{recorded(e)}</pre>
                  </details>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next && (
        <p>
          <a href={next} data-testid="audit-older">
            Older events
          </a>
        </p>
      )}
    </>
  );
}
