import { roleCan, uuidSchema } from "@facet/core";
import {
  getDatasetSettings,
  getLearningSettings,
  listDatasets,
  listLabelSchemas,
  listParts,
  listPrelabelModels,
  partCountsByStatus,
} from "@facet/db";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { LiveRefresh } from "@/components/live-refresh";
import { PartsTable } from "@/components/parts-table";
import { DatasetSchemaPicker } from "@/components/schemas/dataset-schema-picker";
import { StatusCountsView } from "@/components/status-counts";
import { Uploader } from "@/components/upload/uploader";
import { requireWorkspace } from "@/lib/session.server";
import { DatasetSettingsPanel } from "./dataset-settings";

export const metadata: Metadata = { title: "Dataset" };

export default async function DatasetPage({ params }: { params: Promise<{ slug: string; id: string }> }) {
  const { slug, id } = await params;
  if (!uuidSchema.safeParse(id).success) notFound();
  const { workspace, run } = await requireWorkspace(slug);
  const data = await run(async (c) => {
    const dataset = (await listDatasets(c, workspace.id)).find((d) => d.id === id);
    if (!dataset) return null;
    return {
      dataset,
      settings: await getDatasetSettings(c, workspace.id, { id }),
      learning: await getLearningSettings(c, workspace.id, id),
      // the training running now (its model version is opened when the worker starts it)
      training: (await listPrelabelModels(c, workspace.id, id)).find((m) => m.status === "training" && m.jobId),
      counts: await partCountsByStatus(c, workspace.id, id),
      schemas: (await listLabelSchemas(c, workspace.id)).map((s) => ({
        id: s.id,
        name: s.name,
        version: s.version,
        current: s.datasets.some((d) => d.id === id),
      })),
      parts: await listParts(c, { workspaceId: workspace.id, datasetId: id, limit: 500, newestFirst: true }),
    };
  });
  if (!data) notFound();
  return (
    <>
      <LiveRefresh />
      <h1>{data.dataset.name}</h1>
      {data.dataset.description && <p className="muted">{data.dataset.description}</p>}
      <StatusCountsView counts={data.counts} />
      <p className="row" data-testid="dataset-curation-links">
        <Link href={`/w/${workspace.slug}/datasets/${id}/splits`}>Splits and class balance</Link>
        <span aria-hidden="true">·</span>
        <Link href={`/w/${workspace.slug}/snapshots?dataset=${encodeURIComponent(data.dataset.name)}`}>Snapshots</Link>
      </p>
      <DatasetSettingsPanel
        workspace={workspace.slug}
        datasetId={id}
        initial={{ ...data.settings, ...data.learning }}
        training={data.training?.jobId ? { jobId: data.training.jobId } : null}
        canEdit={roleCan(workspace.role, "datasets.configure")}
      />
      {roleCan(workspace.role, "parts.upload") && (
        <>
          <h2>Add parts</h2>
          <Uploader workspace={workspace.slug} dataset={{ id, name: data.dataset.name }} />
        </>
      )}
      <h2>Label schema</h2>
      <DatasetSchemaPicker
        workspace={workspace.slug}
        datasetId={id}
        current={data.schemas.find((s) => s.current) ?? null}
        options={data.schemas}
        canEdit={roleCan(workspace.role, "schemas.manage")}
      />
      <h2>Parts ({data.dataset.partCount})</h2>
      <div data-testid="dataset-parts">
        <PartsTable workspace={workspace.slug} parts={data.parts} empty="No parts yet." />
      </div>
    </>
  );
}
