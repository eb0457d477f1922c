import { isAppError, roleCan, uuidSchema } from "@facet/core";
import { featureNames, findDataset, getSplitConfig, splitReport } from "@facet/db";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireWorkspace } from "@/lib/session.server";
import { SplitReportView } from "./split-report";
import { SplitSettings } from "./split-settings";

export const metadata: Metadata = { title: "Splits" };

/** A dataset's splits: how they are made (and making them), and what each holds per feature class. */
export default async function SplitsPage({ params }: { params: Promise<{ slug: string; id: string }> }) {
  const { slug, id } = await params;
  if (!uuidSchema.safeParse(id).success) notFound();
  const { workspace, run } = await requireWorkspace(slug);
  const data = await run(async (c) => {
    try {
      const dataset = await findDataset(c, workspace.id, id);
      const [config, report, names] = await Promise.all([
        getSplitConfig(c, workspace.id, id),
        splitReport(c, workspace.id, id),
        featureNames(c, workspace.id),
      ]);
      return { dataset, ...config, report, names };
    } catch (e) {
      if (isAppError(e) && e.code === "NOT_FOUND") return null;
      throw e;
    }
  });
  if (!data) notFound();
  const base = `/w/${workspace.slug}`;
  return (
    <>
      <p className="muted">
        <Link href={`${base}/datasets/${id}`}>{data.dataset.name}</Link> ›
      </p>
      <h1>Splits of {data.dataset.name}</h1>
      <SplitSettings
        workspace={workspace.slug}
        datasetId={id}
        initial={data.config}
        isDefault={data.isDefault}
        canEdit={roleCan(workspace.role, "parts.curate")}
      />
      <SplitReportView config={data.config} report={data.report} featureName={(k) => data.names.get(k) ?? k} />
      <p>
        <Link href={`${base}/snapshots?dataset=${encodeURIComponent(data.dataset.name)}`}>
          Snapshots of this dataset
        </Link>
      </p>
    </>
  );
}
