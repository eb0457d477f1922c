import { roleCan } from "@facet/core";
import { listDatasets, listParts } from "@facet/db";
import type { Metadata } from "next";
import { DatasetsTable } from "@/components/datasets-table";
import { PartsTable } from "@/components/parts-table";
import { requireWorkspace } from "@/lib/session.server";
import { CreateDataset } from "./create-dataset";

export const metadata: Metadata = { title: "Catalog" };

export default async function CatalogPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { workspace, run } = await requireWorkspace(slug);
  const [datasets, parts] = await run(
    async (c) =>
      [await listDatasets(c, workspace.id), await listParts(c, { workspaceId: workspace.id, limit: 200 })] as const,
  );
  return (
    <>
      <h1>Catalog</h1>
      <h2>Datasets</h2>
      <DatasetsTable workspace={workspace.slug} datasets={datasets} empty="No datasets yet." />
      {roleCan(workspace.role, "datasets.create") && <CreateDataset workspace={workspace.slug} />}
      <h2>Parts</h2>
      <PartsTable workspace={workspace.slug} parts={parts} empty="No parts yet." />
    </>
  );
}
