import { FACE_CHECKS } from "@facet/core";
import {
  type FaceCheckStats,
  faceCheckStats,
  featureNames,
  getLearningSettings,
  listConsensusParts,
  listDatasets,
  listPrelabelModels,
  type PrelabelAcceptanceRow,
  prelabelAcceptance,
} from "@facet/db";
import { type AgreementReport, agreementReport } from "@facet/prelabel";
import type { Metadata } from "next";
import Link from "next/link";
import { modelView } from "@/lib/learning/models.server";
import { CHECK_NAMES } from "@/lib/review/checks";
import { uuidParam } from "@/lib/search-params";
import { requireWorkspace } from "@/lib/session.server";
import { DatasetFilter } from "./dataset-filter";
import { ModelsSection } from "./models";

export const metadata: Metadata = { title: "Label quality" };

/** Acceptance rates below this are highlighted: reviewers changed most of what the model proposed. */
const LOW_RATE = 0.5;

const percent = new Intl.NumberFormat("en", { style: "percent", maximumFractionDigits: 1 });

interface ModelGroup {
  model: string;
  modelVersion: string;
  faces: number;
  accepted: number;
  rows: PrelabelAcceptanceRow[];
}

function byModel(rows: PrelabelAcceptanceRow[]): ModelGroup[] {
  const groups = new Map<string, ModelGroup>();
  for (const r of rows) {
    const key = `${r.model}\u0000${r.modelVersion}`;
    let g = groups.get(key);
    if (!g) {
      g = { model: r.model, modelVersion: r.modelVersion, faces: 0, accepted: 0, rows: [] };
      groups.set(key, g);
    }
    g.faces += r.faces;
    g.accepted += r.accepted;
    g.rows.push(r);
  }
  return [...groups.values()];
}

function Rate({ rate }: { rate: number }) {
  const low = rate < LOW_RATE;
  return (
    <span style={{ display: "inline-flex", alignItems: "center", gap: 8 }}>
      <span
        aria-hidden="true"
        style={{
          display: "inline-block",
          width: 80,
          height: 8,
          borderRadius: 4,
          background: "var(--line)",
          overflow: "hidden",
        }}
      >
        <span
          style={{
            display: "block",
            height: "100%",
            width: `${Math.round(rate * 100)}%`,
            background: low ? "var(--danger)" : "var(--ok)",
          }}
        />
      </span>
      <span className={low ? "error" : undefined} style={low ? { fontWeight: 600 } : undefined}>
        {percent.format(rate)}
      </span>
    </span>
  );
}

/** Label quality: how much of each model's pre-labels survived review, per class, over approved parts. */
export default async function QualityPage({
  params,
  searchParams,
}: {
  params: Promise<{ slug: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { slug } = await params;
  const query = await searchParams;
  const { workspace, run } = await requireWorkspace(slug);
  const datasetId = uuidParam(query.dataset);
  const { datasets, rows, names, consensus, checks, learning, models } = await run(async (c) => {
    const datasets = await listDatasets(c, workspace.id);
    // the models section: each dataset's learned pre-labeler (of the chosen dataset only, when one is)
    const learning = [];
    const models = [];
    for (const d of datasets.filter((x) => !datasetId || x.id === datasetId)) {
      const settings = await getLearningSettings(c, workspace.id, d.id);
      learning.push({ id: d.id, name: d.name, learned: settings.learnedPrelabel });
      for (const m of await listPrelabelModels(c, workspace.id, d.id)) models.push(await modelView(c, workspace.id, m));
    }
    return {
      datasets,
      learning,
      models,
      rows: await prelabelAcceptance(c, workspace.id, datasetId),
      checks: await faceCheckStats(c, workspace.id, datasetId),
      consensus: await listConsensusParts(c, workspace.id, datasetId),
      names: await featureNames(c, workspace.id),
    };
  });
  const current = datasetId && datasets.some((d) => d.id === datasetId) ? datasetId : null;
  const currentName = datasets.find((d) => d.id === current)?.name ?? null;
  const groups = byModel(rows);
  const agreement = consensus.length > 0 ? agreementReport(consensus) : null;
  const partNames = new Map(consensus.map((p) => [p.partId, p.partName]));

  return (
    <>
      <h1>Label quality</h1>
      <h2>Pre-label acceptance</h2>
      <p className="muted">
        How much of each model&apos;s pre-labels survived review: low rates mean annotators fix that class often; check
        that reviewers are not anchored on bad pre-labels. Counted over approved parts, comparing the model&apos;s
        labels with the approved ones face by face; rates below {percent.format(LOW_RATE)} are highlighted.
      </p>
      <DatasetFilter
        workspace={workspace.slug}
        datasets={datasets.map((d) => ({ id: d.id, name: d.name }))}
        current={current}
      />
      {groups.length === 0 ? (
        <p className="muted" data-testid="acceptance-empty">
          No approved part with a pre-label {currentName ? `in “${currentName}” ` : ""}yet. Figures appear here once
          reviewers approve parts that the models pre-labelled.
        </p>
      ) : (
        <table data-testid="acceptance-table" style={{ marginTop: 12 }}>
          <thead>
            <tr>
              <th>Model</th>
              <th>Class</th>
              <th>Faces proposed</th>
              <th>Faces kept</th>
              <th>Acceptance</th>
              <th>Parts</th>
            </tr>
          </thead>
          {groups.map((g) => {
            const label = g.model === "(combined)" ? "Combined (several models)" : g.model;
            const overall = g.faces > 0 ? g.accepted / g.faces : 0;
            return (
              <tbody key={`${g.model}@${g.modelVersion}`} data-testid="acceptance-model" data-model={g.model}>
                <tr data-testid="acceptance-model-total" style={{ borderTop: "2px solid var(--line)" }}>
                  <td>
                    <strong>{label}</strong> {g.modelVersion && <span className="muted">{g.modelVersion}</span>}
                  </td>
                  <td className="muted">All classes</td>
                  <td>
                    <strong>{g.faces}</strong>
                  </td>
                  <td>
                    <strong>{g.accepted}</strong>
                  </td>
                  <td>
                    <Rate rate={overall} />
                  </td>
                  <td />
                </tr>
                {g.rows.map((r) => {
                  const low = r.rate < LOW_RATE;
                  return (
                    <tr
                      key={r.feature}
                      data-testid="acceptance-row"
                      data-model={r.model}
                      data-feature={r.feature}
                      data-low={low ? "yes" : "no"}
                      style={low ? { background: "color-mix(in srgb, var(--danger) 8%, transparent)" } : undefined}
                    >
                      <td />
                      <td>
                        {names.get(r.feature) ?? r.feature} <span className="muted">{r.feature}</span>
                      </td>
                      <td data-testid="faces">{r.faces}</td>
                      <td data-testid="kept">{r.accepted}</td>
                      <td data-testid="rate">
                        <Rate rate={r.rate} />
                      </td>
                      <td data-testid="parts">{r.parts}</td>
                    </tr>
                  );
                })}
              </tbody>
            );
          })}
        </table>
      )}
      <h2>How annotators check pre-labels</h2>
      <p className="muted">
        What annotators did with the pre-labelled faces of the revisions reviewers decided on: changed, confirmed, kept
        after looking at them, or accepted without a look. Many faces accepted unseen is the anchoring a reviewer should
        watch for (unsure faces cannot be: they must be confirmed or changed before a part is submitted).
      </p>
      {checks.length === 0 ? (
        <p className="muted" data-testid="checks-empty">
          No reviewed revision of a pre-labelled part {currentName ? `in “${currentName}” ` : ""}yet.
        </p>
      ) : (
        <FaceChecksTable stats={checks} />
      )}
      <h2>Agreement between annotators</h2>
      <p className="muted">
        Over parts of datasets that need several independent annotations (set on the dataset page): how often annotators
        gave a face the same label, and Cohen&apos;s and Fleiss&apos; kappa (1 = perfect agreement, 0 = what chance
        alone would give).
      </p>
      {agreement ? (
        <Agreement report={agreement} names={names} partNames={partNames} workspace={workspace.slug} />
      ) : (
        <p className="muted" data-testid="agreement-empty">
          No part {currentName ? `in “${currentName}” ` : ""}has two independent annotations yet.
        </p>
      )}
      <ModelsSection workspace={workspace.slug} datasets={learning} models={models} names={names} />
    </>
  );
}

function FaceChecksTable({ stats }: { stats: FaceCheckStats[] }) {
  return (
    <table data-testid="checks-table">
      <thead>
        <tr>
          <th>Annotator</th>
          <th>Revisions</th>
          {FACE_CHECKS.map((c) => (
            <th key={c}>{CHECK_NAMES[c]}</th>
          ))}
          <th>Share accepted unseen</th>
        </tr>
      </thead>
      <tbody>
        {stats.map((s) => {
          const total = FACE_CHECKS.reduce((n, c) => n + s.faces[c], 0);
          return (
            <tr key={s.authorId ?? "gone"} data-testid="checks-row" data-annotator={s.annotator ?? ""}>
              <td>{s.annotator ?? "a former member"}</td>
              <td>{s.revisions}</td>
              {FACE_CHECKS.map((c) => (
                <td key={c} data-check={c}>
                  {s.faces[c]}
                </td>
              ))}
              <td data-testid="unseen-share">{total > 0 ? percent.format(s.faces.unseen / total) : "–"}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

const kappa = (k: number | null) => (k === null ? "–" : k.toFixed(2));

function Agreement(p: {
  report: AgreementReport;
  names: Map<string, string>;
  partNames: Map<string, string>;
  workspace: string;
}) {
  const { report } = p;
  const classes = Object.entries(report.fleiss.perClass).sort((a, b) => a[1] - b[1]);
  return (
    <div className="stack" data-testid="agreement">
      <p data-testid="agreement-summary">
        {report.parts} part(s), {report.faces} faces: annotators agree on{" "}
        {report.meanFaceAgreement === null ? "–" : percent.format(report.meanFaceAgreement)} of a face&apos;s labels on
        average; Fleiss&apos; kappa {kappa(report.fleiss.overall)}.
      </p>
      <table data-testid="agreement-classes">
        <thead>
          <tr>
            <th>Class</th>
            <th>Fleiss&apos; kappa</th>
          </tr>
        </thead>
        <tbody>
          {classes.map(([c, k]) => (
            <tr key={c} data-feature={c}>
              <td>
                {p.names.get(c) ?? c} <span className="muted">{c}</span>
              </td>
              <td className={k < 0.6 ? "error" : undefined}>{kappa(k)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table data-testid="agreement-pairs">
        <thead>
          <tr>
            <th>Annotators</th>
            <th>Faces both labelled</th>
            <th>Cohen&apos;s kappa</th>
          </tr>
        </thead>
        <tbody>
          {report.pairs.map((pair) => (
            <tr key={`${pair.a}|${pair.b}`} data-pair={`${pair.a}|${pair.b}`}>
              <td>
                {pair.a} · {pair.b}
              </td>
              <td>{pair.items}</td>
              <td>{kappa(pair.kappa)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {report.disagreeingParts.length > 0 && (
        <p data-testid="agreement-disputed">
          Parts with disputed faces:{" "}
          {report.disagreeingParts.map((id, i) => (
            <span key={id}>
              {i > 0 && ", "}
              <Link href={`/w/${p.workspace}/parts/${id}`}>{p.partNames.get(id) ?? id}</Link>
            </span>
          ))}
        </p>
      )}
    </div>
  );
}
