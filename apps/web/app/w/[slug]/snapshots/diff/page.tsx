import { isAppError } from "@facet/core";
import { diffSnapshots, featureNames, listSnapshots, type SnapshotDiff } from "@facet/db";
import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { firstParam, type SearchParams, splitLabel } from "@/components/curation/format";
import { requireWorkspace } from "@/lib/session.server";

export const metadata: Metadata = { title: "Compare snapshots" };

/** What changed from snapshot A to snapshot B: parts added, removed, relabelled, re-split; faces per class. */
export default async function DiffPage({
  params,
  searchParams,
}: {
  params: Promise<{ slug: string }>;
  searchParams: SearchParams;
}) {
  const { slug } = await params;
  const q = await searchParams;
  const a = firstParam(q.a);
  const b = firstParam(q.b);
  const { workspace, run } = await requireWorkspace(slug);
  const snapshots = await run((c) => listSnapshots(c, { workspaceId: workspace.id }));
  let diff: SnapshotDiff | null = null;
  let error: string | null = null;
  let names = new Map<string, string>();
  if (a && b) {
    try {
      [diff, names] = await run(
        async (c) => [await diffSnapshots(c, workspace.id, a, b), await featureNames(c, workspace.id)] as const,
      );
    } catch (e) {
      if (!isAppError(e)) throw e;
      error = e.message;
    }
  }
  const base = `/w/${workspace.slug}/snapshots`;
  const partLink = (id: string, name: string) => <Link href={`/w/${workspace.slug}/parts/${id}`}>{name}</Link>;
  // A defaults to the snapshot frozen before B (the list is newest first)
  const bIndex = snapshots.findIndex((s) => s.name === b || s.id === b);
  const aDefault = a || (bIndex >= 0 ? (snapshots[bIndex + 1]?.name ?? "") : (snapshots[1]?.name ?? ""));
  const bDefault = b || (snapshots[0]?.name ?? "");
  return (
    <>
      <p className="muted">
        <Link href={base}>Snapshots</Link> ›
      </p>
      <h1>Compare snapshots</h1>
      {snapshots.length < 2 ? (
        <p className="muted">Freeze two snapshots to compare them.</p>
      ) : (
        <form
          className="row"
          method="get"
          action={`${base}/diff`}
          data-testid="diff-form"
          style={{ alignItems: "flex-end" }}
        >
          <Picker name="a" label="From (A)" value={aDefault} snapshots={snapshots} />
          <Picker name="b" label="To (B)" value={bDefault} snapshots={snapshots} />
          <button type="submit" className="primary">
            Compare
          </button>
        </form>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {diff && (
        <div data-testid="diff">
          <h2>
            {diff.a.name} ({diff.a.partCount} parts) → {diff.b.name} ({diff.b.partCount} parts)
          </h2>
          <div className="stats" data-testid="diff-totals">
            {(["added", "removed", "relabelled", "resplit"] as const).map((k) => (
              <div className="stat" key={k} data-kind={k}>
                <div className="n">{diff.totals[k]}</div>
                <div className="l">{k === "resplit" ? "re-split" : k}</div>
              </div>
            ))}
          </div>
          <h2>Faces gained and lost per class</h2>
          {diff.faceChanges.length === 0 ? (
            <p className="muted">No face changed its class (over relabelled parts with the same face numbering).</p>
          ) : (
            <table data-testid="diff-faces">
              <thead>
                <tr>
                  <th>Feature class</th>
                  <th>Faces gained</th>
                  <th>Faces lost</th>
                  <th>Net</th>
                </tr>
              </thead>
              <tbody>
                {diff.faceChanges.map((f) => (
                  <tr key={f.feature} data-feature={f.feature}>
                    <th scope="row">{names.get(f.feature) ?? f.feature}</th>
                    <td>+{f.gained}</td>
                    <td>−{f.lost}</td>
                    <td>{signed(f.gained - f.lost)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <PartList title="Added" total={diff.totals.added} testId="diff-added">
            {diff.added.map((p) => (
              <li key={p.partId}>{partLink(p.partId, p.name)}</li>
            ))}
          </PartList>
          <PartList title="Removed" total={diff.totals.removed} testId="diff-removed">
            {diff.removed.map((p) => (
              <li key={p.partId}>{partLink(p.partId, p.name)}</li>
            ))}
          </PartList>
          <PartList title="Relabelled" total={diff.totals.relabelled} testId="diff-relabelled">
            {diff.relabelled.map((p) => (
              <li key={p.partId}>
                {partLink(p.partId, p.name)}: revision {p.revisionA} → {p.revisionB}
                {p.sameNumbering ? "" : " (faces renumbered: not counted per class)"}
              </li>
            ))}
          </PartList>
          <PartList title="Re-split" total={diff.totals.resplit} testId="diff-resplit">
            {diff.resplit.map((p) => (
              <li key={p.partId}>
                {partLink(p.partId, p.name)}: {splitLabel(p.from)} → {splitLabel(p.to)}
              </li>
            ))}
          </PartList>
        </div>
      )}
    </>
  );
}

/** +3, −2 or 0 (a minus sign, as in the "lost" column). */
const signed = (n: number): string => (n > 0 ? `+${n}` : n < 0 ? `−${-n}` : "0");

function Picker(props: {
  name: string;
  label: string;
  value: string;
  snapshots: { id: string; name: string; datasetName: string; partCount: number }[];
}) {
  return (
    <label>
      {props.label}
      <select name={props.name} defaultValue={props.value} required>
        {props.snapshots.map((s) => (
          <option key={s.id} value={s.name}>
            {s.name} · {s.datasetName} · {s.partCount} parts
          </option>
        ))}
      </select>
    </label>
  );
}

function PartList({
  title,
  total,
  testId,
  children,
}: {
  title: string;
  total: number;
  testId: string;
  children: ReactNode[];
}) {
  return (
    <section data-testid={testId} data-total={total}>
      <h2>
        {title} ({total})
      </h2>
      {total === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <>
          <ul className="cur-parts">{children}</ul>
          {children.length < total && (
            <p className="muted">
              The first {children.length} of {total}.
            </p>
          )}
        </>
      )}
    </section>
  );
}
