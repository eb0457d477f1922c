import { ROLE_LABELS } from "@facet/core";
import { listDatasets, partCountsByStatus } from "@facet/db";
import Link from "next/link";
import { StatusCountsView } from "@/components/status-counts";
import { asUser, requireWorkspace } from "@/lib/session.server";

export default async function Overview({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { viewer, workspace } = await requireWorkspace(slug);
  const [counts, datasets] = await asUser(
    viewer,
    async (c) => [await partCountsByStatus(c, workspace.id), await listDatasets(c, workspace.id)] as const,
  );
  return (
    <>
      <h1>{workspace.name}</h1>
      <p className="muted">You are {ROLE_LABELS[workspace.role].toLowerCase()} in this workspace.</p>
      <h2>Parts by status</h2>
      <StatusCountsView counts={counts} />
      <h2>Datasets</h2>
      {datasets.length === 0 ? (
        <p className="muted">
          No datasets yet. <Link href={`/w/${workspace.slug}/catalog`}>Create one in the catalog</Link>.
        </p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Parts</th>
              <th>Description</th>
            </tr>
          </thead>
          <tbody>
            {datasets.map((d) => (
              <tr key={d.id}>
                <td>
                  <Link href={`/w/${workspace.slug}/datasets/${d.id}`}>{d.name}</Link>
                </td>
                <td>{d.partCount}</td>
                <td className="muted">{d.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
