import type { ClassScores, Evaluation } from "@facet/prelabel";
import Link from "next/link";
import type { ModelView } from "@/lib/learning/model-view";
import { formatUtc } from "@/lib/time-format";

const percent = new Intl.NumberFormat("en", { style: "percent", maximumFractionDigits: 1 });
const kilobytes = new Intl.NumberFormat("en", { style: "unit", unit: "kilobyte", maximumFractionDigits: 1 });
const score = (x: number | null | undefined) => (x === null || x === undefined ? "–" : percent.format(x));

/** "1.8 s", "2 min 5 s". */
export function durationText(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

function StatusText({ m }: { m: ModelView }) {
  switch (m.status) {
    case "promoted":
      return <span className="badge">in use</span>;
    case "retired":
      return <span className="muted">was in use; replaced by a better version</span>;
    case "evaluated":
      return <span className="muted">evaluated, not better than the one in use</span>;
    case "failed":
      return <span className="error">failed: {m.error ?? "no reason given"}</span>;
    default:
      return (
        <span className="muted">
          training{m.progress !== null ? ` ${Math.round(m.progress * 100)}%` : ""}
          {m.progressMessage ? ` · ${m.progressMessage}` : ""}
        </span>
      );
  }
}

/** The models section of the quality page: every version of each dataset's learned pre-labeler. */
export function ModelsSection(props: {
  workspace: string;
  datasets: Array<{ id: string; name: string; learned: boolean }>;
  models: ModelView[];
  names: Map<string, string>;
}) {
  const shown = props.datasets.filter((d) => d.learned || props.models.some((m) => m.datasetId === d.id));
  return (
    <>
      <h2 id="models">Models</h2>
      <p className="muted">
        Learned pre-labelers, trained on each dataset&apos;s approved labels. Every version is tested on approved parts
        it did not train on and replaces the one in use only when it labels those same parts better. Turn learning on,
        and train, on the dataset&apos;s page.
      </p>
      {shown.length === 0 ? (
        <p className="muted" data-testid="models-empty">
          No dataset learns from its approved labels yet.
        </p>
      ) : (
        shown.map((d) => {
          const models = props.models.filter((m) => m.datasetId === d.id);
          return (
            <section key={d.id} className="stack" data-testid="models-dataset" data-dataset={d.name}>
              <h3 style={{ margin: "8px 0 0" }}>
                <Link href={`/w/${props.workspace}/datasets/${d.id}`}>{d.name}</Link>
                {!d.learned && <span className="muted"> (learning is off)</span>}
              </h3>
              {models.length === 0 ? (
                <p className="muted" data-testid="models-none">
                  No version yet: one is trained after the set number of approvals, or when someone presses Train now.
                </p>
              ) : (
                models.map((m) => <ModelCard key={m.id} m={m} workspace={props.workspace} names={props.names} />)
              )}
            </section>
          );
        })
      )}
    </>
  );
}

function ModelCard({ m, workspace, names }: { m: ModelView; workspace: string; names: Map<string, string> }) {
  const trained = m.revisions.filter((r) => !r.heldOut);
  const heldOut = m.revisions.filter((r) => r.heldOut);
  const name = (c: string) => names.get(c) ?? c;
  return (
    <div
      className="card stack"
      data-testid="model"
      data-version={m.version}
      data-label={m.label ?? ""}
      data-status={m.status}
      style={{ gap: 6 }}
    >
      <div className="row" style={{ justifyContent: "space-between" }}>
        <strong data-testid="model-name">facet-learned {m.label ?? `v${m.version}`}</strong>
        <span data-testid="model-status">
          <StatusText m={m} />
        </span>
      </div>
      <p className="muted" style={{ margin: 0 }}>
        {m.reason === "manual" ? "Trained on request" : "Trained after new approvals"}, {formatUtc(m.createdAt)}
        {m.trainingMs !== null && <> · training took {durationText(m.trainingMs)}</>}
        {m.sizeBytes !== null && <> · file {kilobytes.format(m.sizeBytes / 1000)}</>}
      </p>
      {m.decision && m.status !== "failed" && (
        <p style={{ margin: 0 }} data-testid="model-decision">
          {m.decision}
        </p>
      )}
      {(trained.length > 0 || m.trainParts !== null) && (
        <details data-testid="model-training-set">
          <summary>
            Trained on {trained.length || m.trainParts} approved revision(s)
            {m.trainFaces !== null ? `, ${m.trainFaces} faces` : ""}; tested on {heldOut.length} held-back part(s)
          </summary>
          <PartList workspace={workspace} title="Trained on" items={trained} testId="model-trained-on" />
          <PartList workspace={workspace} title="Held back (tested on)" items={heldOut} testId="model-held-out" />
        </details>
      )}
      {m.evaluation && <EvaluationView m={m} evaluation={m.evaluation} name={name} />}
    </div>
  );
}

function PartList(p: { workspace: string; title: string; items: ModelView["revisions"]; testId: string }) {
  if (p.items.length === 0) return null;
  return (
    <p data-testid={p.testId}>
      {p.title}:{" "}
      {p.items.map((r, i) => (
        <span key={r.partId}>
          {i > 0 && ", "}
          <Link href={`/w/${p.workspace}/parts/${r.partId}`}>{r.partName}</Link>{" "}
          <span className="muted">rev {r.revisionNo}</span>
        </span>
      ))}
    </p>
  );
}

function EvaluationView({
  m,
  evaluation,
  name,
}: {
  m: ModelView;
  evaluation: Evaluation;
  name: (c: string) => string;
}) {
  const base = m.baseline?.evaluation ?? null;
  const classes = evaluation.confusion.classes;
  const perClass = Object.entries(evaluation.perClass).sort((a, b) => b[1].support - a[1].support);
  return (
    <div className="stack" style={{ gap: 6 }}>
      <p style={{ margin: 0 }} data-testid="model-accuracy" data-accuracy={evaluation.faceAccuracy}>
        On {evaluation.parts} held-back part(s), {evaluation.faces} faces: per-face accuracy{" "}
        <strong>{percent.format(evaluation.faceAccuracy)}</strong>
        {base ? (
          <>
            {" "}
            against <strong data-testid="baseline-accuracy">{percent.format(base.faceAccuracy)}</strong> for the model
            in use{m.baseline?.label ? ` (${m.baseline.label})` : ""} on the same parts
          </>
        ) : (
          " (no model was in use to compare with)"
        )}
        ; mean IoU {score(evaluation.meanIoU)}.
      </p>
      <details>
        <summary>Per class and confusion</summary>
        <table data-testid="model-classes">
          <thead>
            <tr>
              <th>Class</th>
              <th>Faces</th>
              <th>Precision</th>
              <th>Recall</th>
              <th>IoU</th>
              {base && <th>IoU of the model in use</th>}
            </tr>
          </thead>
          <tbody>
            {perClass.map(([c, s]: [string, ClassScores]) => (
              <tr key={c} data-feature={c}>
                <td>
                  {name(c)} <span className="muted">{c}</span>
                </td>
                <td>{s.support}</td>
                <td>{score(s.precision)}</td>
                <td>{score(s.recall)}</td>
                <td data-testid="iou">{score(s.iou)}</td>
                {base && <td>{score(base.perClass[c]?.iou)}</td>}
              </tr>
            ))}
          </tbody>
        </table>
        <table data-testid="model-confusion" style={{ marginTop: 8 }}>
          <caption className="muted" style={{ textAlign: "left" }}>
            Faces by true class (rows) and predicted class (columns)
          </caption>
          <thead>
            <tr>
              <th>True \ predicted</th>
              {classes.map((c) => (
                <th key={c} title={name(c)}>
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {evaluation.confusion.matrix.map((row, i) => (
              <tr key={classes[i]}>
                <th title={name(classes[i] as string)}>{classes[i]}</th>
                {row.map((n, j) => (
                  <td
                    key={classes[j]}
                    style={
                      n > 0 && i !== j
                        ? { background: "color-mix(in srgb, var(--danger) 12%, transparent)" }
                        : i === j && n > 0
                          ? { fontWeight: 600 }
                          : undefined
                    }
                  >
                    {n || ""}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </div>
  );
}
