import type { SimilarParts as Similar } from "@facet/db";
import Link from "next/link";

const THUMB = 96;

/**
 * "Similar parts": the workspace's parts nearest in shape by the geometry fingerprint, nearest first,
 * each with its thumbnail (rendered by the worker), dataset and distance; near-duplicates marked.
 */
export function SimilarParts({
  workspace,
  similar,
  nearDuplicateDistance,
}: {
  workspace: string;
  similar: Similar | null;
  nearDuplicateDistance: number;
}) {
  return (
    <section aria-labelledby="similar-title" data-testid="similar-parts">
      <h2 id="similar-title">Similar parts</h2>
      {!similar?.fingerprinted ? (
        <p className="muted">Similar parts are found once this part has been processed.</p>
      ) : similar.parts.length === 0 ? (
        <p className="muted">No other part of this workspace has been processed yet.</p>
      ) : (
        <>
          <p className="muted">
            Nearest in shape first (distance between geometry fingerprints; below {nearDuplicateDistance} the parts are
            near-duplicates).
          </p>
          <ul style={{ listStyle: "none", padding: 0, display: "flex", flexWrap: "wrap", gap: 12 }}>
            {similar.parts.map((p) => (
              <li
                key={p.id}
                data-testid="similar-part"
                className="card"
                style={{ width: 200, display: "grid", gap: 4, justifyItems: "start" }}
              >
                {p.hasThumbnail ? (
                  // biome-ignore lint/performance/noImgElement: a PNG the API streams (private, cached for good by its key)
                  <img
                    src={`/api/workspaces/${workspace}/parts/${p.id}/thumbnail`}
                    alt={`${p.name}, as drawn from its mesh`}
                    width={THUMB}
                    height={THUMB}
                    loading="lazy"
                  />
                ) : (
                  <span className="muted" style={{ height: THUMB, display: "grid", alignItems: "center" }}>
                    no picture yet
                  </span>
                )}
                <Link href={`/w/${workspace}/parts/${p.id}`}>{p.name}</Link>
                <span className="muted">{p.datasetName}</span>
                <span className="muted" data-testid="similar-distance">
                  distance {p.distance.toFixed(3)}
                </span>
                {p.nearDuplicate && (
                  <span
                    className="badge warn"
                    title={`closer than ${nearDuplicateDistance}: the same shape, or nearly`}
                  >
                    near-duplicate
                  </span>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
