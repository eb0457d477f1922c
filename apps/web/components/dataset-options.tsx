/** The datasets of a workspace as a select's options (first, "all datasets" when `all` names it). */
export function DatasetOptions({ datasets, all }: { datasets: { id: string; name: string }[]; all?: string }) {
  return (
    <>
      {all !== undefined && <option value="">{all}</option>}
      {datasets.map((d) => (
        <option key={d.id} value={d.id}>
          {d.name}
        </option>
      ))}
    </>
  );
}
