import type { FeatureType } from "@facet/core";

/** The features on the shared part with their face counts, and how many faces are unlabelled. */
export function ShareLegend({
  labels,
  features,
}: {
  labels: ReadonlyArray<string | null>;
  features: readonly FeatureType[];
}) {
  const counts = new Map<string, number>();
  let unlabelled = 0;
  for (const l of labels) {
    if (l) counts.set(l, (counts.get(l) ?? 0) + 1);
    else unlabelled++;
  }
  const rows = features.filter((f) => counts.has(f.key)).map((f) => ({ f, n: counts.get(f.key) ?? 0 }));
  return (
    <aside className="share-legend card" data-testid="share-legend" aria-label="Legend">
      <strong>Legend</strong>
      {rows.length === 0 ? (
        <p className="muted">No labels yet.</p>
      ) : (
        <ul>
          {rows.map(({ f, n }) => (
            <li key={f.key} data-feature={f.key}>
              <span className="share-swatch" style={{ background: f.colour }} aria-hidden="true" />
              <span className="share-grow">{f.name}</span>
              <span className="muted">{n}</span>
            </li>
          ))}
        </ul>
      )}
      {unlabelled > 0 && (
        <p className="muted">
          {unlabelled} face{unlabelled === 1 ? "" : "s"} unlabelled
        </p>
      )}
    </aside>
  );
}
