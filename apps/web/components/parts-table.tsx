import { STATUS_LABELS } from "@facet/core";
import type { PartRow } from "@facet/db";
import Link from "next/link";

export function PartsTable({ parts, empty, workspace }: { parts: PartRow[]; empty: string; workspace: string }) {
  if (parts.length === 0) return <p className="muted">{empty}</p>;
  return (
    <table>
      <thead>
        <tr>
          <th>Part</th>
          <th>Dataset</th>
          <th>Status</th>
          <th>Annotator</th>
          <th>Since</th>
        </tr>
      </thead>
      <tbody>
        {parts.map((p) => (
          <tr key={p.id}>
            <td>
              <Link href={`/w/${workspace}/parts/${p.id}`}>{p.name}</Link>
            </td>
            <td>{p.datasetName}</td>
            <td>
              <span className="badge">{STATUS_LABELS[p.status]}</span>
            </td>
            <td>{p.annotatorEmail ?? "—"}</td>
            <td>{new Date(p.statusChangedAt).toLocaleString()}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
