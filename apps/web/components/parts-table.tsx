import { STATUS_LABELS } from "@facet/core";
import type { PartRow } from "@facet/db";

export function PartsTable({ parts, empty }: { parts: PartRow[]; empty: string }) {
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
            <td>{p.name}</td>
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
