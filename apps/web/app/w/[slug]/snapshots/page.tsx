import { roleCan } from "@facet/core";
import { listDatasets, listSnapshots } from "@facet/db";
import type { Metadata } from "next";
import Link from "next/link";
import { compareSplits, firstParam, type SearchParams, shortHash, splitLabel } from "@/components/curation/format";
import { requireWorkspace } from "@/lib/session.server";
import { FreezeSnapshot } from "./freeze-snapshot";

export const metadata: Metadata = { title: "Snapshots" };

/**
 * Frozen snapshots of the workspace's datasets (every member reads them) and, for curators, the
 * form that freezes one. `?dataset=<name|id>` narrows the list to a dataset and chooses it in the
 * form; `?filter=<catalog query>` fills the form's filter (the catalog links here with both).
 */
export default async function SnapshotsPage({
  params,
  searchParams,
}: {
  params: Promise<{ slug: string }>;
  searchParams: SearchParams;
}) {
  const { slug } = await params;
  const q = await searchParams;
  const { workspace, run } = await requireWorkspace(slug);
  const datasets = await run((c) => listDatasets(c, workspace.id));
  const ref = firstParam(q.dataset);
  const dataset = ref ? datasets.find((d) => d.id === ref || d.name === ref) : undefined;
  const snapshots = await run((c) => listSnapshots(c, { workspaceId: workspace.id, datasetId: dataset?.id ?? null }));
  const base = `/w/${workspace.slug}`;
  return (
    <>
      <h1>Snapshots</h1>
      <p className="muted">
        A snapshot pins, for every part it holds, the file, the exact label revision, the face numbering, the label
        schema and the split. It never changes: train on it, export it, compare it with a later one.
      </p>
      {ref && (
        <p className="row">
          {dataset ? (
            <span>
              Snapshots of <strong>{dataset.name}</strong>
            </span>
          ) : (
            <span className="error" role="alert">
              No dataset &quot;{ref}&quot; in this workspace.
            </span>
          )}
          <Link href={`${base}/snapshots`}>All snapshots</Link>
        </p>
      )}
      {snapshots.length === 0 ? (
        <p className="muted" data-testid="snapshots-empty">
          No snapshots yet.
        </p>
      ) : (
        <div className="cur-scroll">
          <table data-testid="snapshots">
            <thead>
              <tr>
                <th>Name</th>
                <th>Dataset</th>
                <th>Parts</th>
                <th>Faces</th>
                <th>Splits</th>
                <th>Created</th>
                <th>Checksum</th>
              </tr>
            </thead>
            <tbody>
              {snapshots.map((s) => (
                <tr key={s.id} data-snapshot={s.name}>
                  <td>
                    <Link href={`${base}/snapshots/${encodeURIComponent(s.name)}`}>{s.name}</Link>
                    {s.description && <div className="muted">{s.description}</div>}
                  </td>
                  <td>
                    <Link href={`${base}/datasets/${s.datasetId}`}>{s.datasetName}</Link>
                  </td>
                  <td>{s.partCount}</td>
                  <td>{s.faceCount}</td>
                  <td>
                    {[...s.splits]
                      .sort((x, y) => compareSplits(x.split, y.split))
                      .map((x) => `${splitLabel(x.split)} ${x.parts}`)
                      .join(" · ") || "—"}
                  </td>
                  <td>
                    {new Date(s.createdAt).toLocaleString()}
                    <div className="muted">{s.createdByEmail ?? "—"}</div>
                  </td>
                  <td>
                    <code title={s.checksum}>{shortHash(s.checksum)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {snapshots.length > 1 && (
        <p>
          <Link href={`${base}/snapshots/diff`}>Compare two snapshots</Link>
        </p>
      )}
      {roleCan(workspace.role, "parts.curate") ? (
        datasets.length > 0 ? (
          <FreezeSnapshot
            workspace={workspace.slug}
            datasets={datasets.map((d) => ({ id: d.id, name: d.name }))}
            initialDataset={dataset?.id ?? datasets[0]?.id ?? ""}
            initialFilter={firstParam(q.filter).replace(/^\?/, "")}
          />
        ) : (
          <p className="muted">Create a dataset in the catalog to freeze a snapshot of it.</p>
        )
      ) : (
        <p className="muted">Admins and ML engineers freeze snapshots and export them.</p>
      )}
    </>
  );
}
