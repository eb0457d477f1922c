import { isAppError, type PartStatus, roleCan, STATUS_LABELS } from "@facet/core";
import { findSnapshot, listExports, snapshotComposition } from "@facet/db";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { CopyField } from "@/components/copy-field";
import { compareSplits, NO_SPLIT_KEY, splitLabel } from "@/components/curation/format";
import { requireWorkspace } from "@/lib/session.server";
import { SnapshotExports } from "./snapshot-exports";
import { VerifySnapshot } from "./verify-snapshot";

export const metadata: Metadata = { title: "Snapshot" };

/** A frozen snapshot: what it pins, checking it, its manifest and its exports. */
export default async function SnapshotPage({ params }: { params: Promise<{ slug: string; name: string }> }) {
  const { slug, name } = await params;
  const ref = decodeURIComponent(name);
  const { workspace, run } = await requireWorkspace(slug);
  const data = await run(async (c) => {
    try {
      const snapshot = await findSnapshot(c, workspace.id, ref);
      const [composition, exports] = await Promise.all([
        snapshotComposition(c, workspace.id, snapshot.id),
        listExports(c, workspace.id, snapshot.id),
      ]);
      return { snapshot, composition, exports };
    } catch (e) {
      if (isAppError(e) && e.code === "NOT_FOUND") return null;
      throw e;
    }
  });
  if (!data) notFound();
  const { snapshot: s, composition, exports } = data;
  const base = `/w/${workspace.slug}`;
  const api = `/api/workspaces/${workspace.slug}/snapshots/${encodeURIComponent(s.name)}`;

  // parts per split and status
  const counts = new Map<string, Map<PartStatus, number>>();
  const faces = new Map<string, number>();
  const statuses = new Set<PartStatus>();
  for (const g of composition) {
    const split = g.split ?? NO_SPLIT_KEY;
    const row = counts.get(split) ?? new Map<PartStatus, number>();
    row.set(g.status, (row.get(g.status) ?? 0) + g.parts);
    counts.set(split, row);
    faces.set(split, (faces.get(split) ?? 0) + g.faces);
    statuses.add(g.status);
  }
  const splitKeys = [...counts.keys()].sort(compareSplits);
  const statusList = (Object.keys(STATUS_LABELS) as PartStatus[]).filter((x) => statuses.has(x));
  const facesOf = (split: string) => faces.get(split) ?? 0;

  return (
    <>
      <p className="muted">
        <Link href={`${base}/snapshots`}>Snapshots</Link> ›
      </p>
      <h1>Snapshot {s.name}</h1>
      {s.description && <p>{s.description}</p>}
      <div className="stats" data-testid="snapshot-stats">
        <Stat n={s.partCount} label="parts" testId="snapshot-parts" />
        <Stat n={s.faceCount} label="faces" testId="snapshot-faces" />
        <Stat
          n={s.labelSchema ? `v${s.labelSchema.version}` : "—"}
          label={`label schema${s.labelSchema ? `: ${s.labelSchema.name}` : ""}`}
          testId="snapshot-schema"
        />
      </div>
      <dl className="cur-facts">
        <dt>Dataset</dt>
        <dd>
          <Link href={`${base}/datasets/${s.datasetId}`}>{s.datasetName}</Link>
        </dd>
        <dt>Frozen</dt>
        <dd>
          {new Date(s.createdAt).toLocaleString()} by {s.createdByEmail ?? "—"}
        </dd>
        <dt>Parts taken</dt>
        <dd>
          {s.statuses?.length
            ? `${s.statuses.map((x) => STATUS_LABELS[x].toLowerCase()).join(", ")} parts`
            : "every part with a label revision, at its latest revision"}
        </dd>
        <dt>Filter</dt>
        <dd>{s.filter ? <code data-testid="snapshot-filter">{s.filter}</code> : "none (the whole dataset)"}</dd>
        <dt>Checksum</dt>
        <dd>
          <CopyField value={s.checksum} label="Checksum (sha256)" testId="snapshot-checksum" />
        </dd>
      </dl>

      <h2>Pinned parts per split and status</h2>
      {splitKeys.length === 0 ? (
        <p className="muted">This snapshot holds no parts.</p>
      ) : (
        <div className="cur-scroll">
          <table data-testid="snapshot-counts">
            <thead>
              <tr>
                <th>Split</th>
                {statusList.map((x) => (
                  <th key={x}>{STATUS_LABELS[x]}</th>
                ))}
                <th>Parts</th>
                <th>Faces</th>
              </tr>
            </thead>
            <tbody>
              {splitKeys.map((k) => {
                const row = counts.get(k) as Map<PartStatus, number>;
                return (
                  <tr key={k} data-split={k}>
                    <th scope="row">{splitLabel(k)}</th>
                    {statusList.map((x) => (
                      <td key={x} data-status={x}>
                        {row.get(x) ?? 0}
                      </td>
                    ))}
                    <td data-kind="parts">{[...row.values()].reduce((a, b) => a + b, 0)}</td>
                    <td data-kind="faces">{facesOf(k)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}

      <VerifySnapshot workspace={workspace.slug} snapshot={s.name} />
      <p className="row">
        <a className="button" href={`${api}/manifest`} download data-testid="download-manifest">
          Download manifest
        </a>
        <Link href={`${base}/snapshots/diff?b=${encodeURIComponent(s.name)}`}>Compare with another snapshot</Link>
      </p>
      <p className="muted">
        From a terminal: <code>facet pull --snapshot {s.name} --out DIR</code> or{" "}
        <code>facet export --snapshot {s.name} --format parquet --out DIR</code>.
      </p>
      <SnapshotExports
        workspace={workspace.slug}
        snapshot={s.name}
        initial={exports}
        canExport={roleCan(workspace.role, "parts.curate")}
      />
    </>
  );
}

function Stat({ n, label, testId }: { n: number | string; label: string; testId: string }) {
  return (
    <div className="stat">
      <div className="n" data-testid={testId}>
        {n}
      </div>
      <div className="l">{label}</div>
    </div>
  );
}
