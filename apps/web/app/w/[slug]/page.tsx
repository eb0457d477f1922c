import { roleCan, roleInSentence } from "@facet/core";
import { listDatasets, partCountsByStatus } from "@facet/db";
import Link from "next/link";
import { DatasetsTable } from "@/components/datasets-table";
import { StatusCountsView } from "@/components/status-counts";
import { requireWorkspace } from "@/lib/session.server";

export default async function Overview({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { workspace, run } = await requireWorkspace(slug);
  const [counts, datasets] = await run(
    async (c) => [await partCountsByStatus(c, workspace.id), await listDatasets(c, workspace.id)] as const,
  );
  return (
    <>
      <h1>{workspace.name}</h1>
      <p className="muted">You are {roleInSentence(workspace.role)} in this workspace.</p>
      <h2>Parts by status</h2>
      <StatusCountsView counts={counts} />
      <h2>Datasets</h2>
      <DatasetsTable
        workspace={workspace.slug}
        datasets={datasets}
        empty={
          roleCan(workspace.role, "datasets.create") ? (
            <>
              No datasets yet. <Link href={`/w/${workspace.slug}/catalog`}>Create one in the catalog</Link>.
            </>
          ) : (
            "No datasets yet."
          )
        }
      />
    </>
  );
}
