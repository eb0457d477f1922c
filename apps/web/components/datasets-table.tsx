import type { DatasetSummary } from "@facet/db";
import Link from "next/link";
import type { ReactNode } from "react";

export function DatasetsTable({
  workspace,
  datasets,
  empty,
}: {
  workspace: string;
  datasets: DatasetSummary[];
  empty: ReactNode;
}) {
  if (datasets.length === 0) return <p className="muted">{empty}</p>;
  return (
    <table data-testid="datasets">
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
              <Link href={`/w/${workspace}/datasets/${d.id}`}>{d.name}</Link>
            </td>
            <td>{d.partCount}</td>
            <td className="muted">{d.description}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
