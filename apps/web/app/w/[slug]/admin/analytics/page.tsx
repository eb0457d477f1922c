import {
  type AnalyticsFilter,
  type AnalyticsReport,
  analyticsFilterQuery,
  type DecisionRow,
  dayOf,
  isAppError,
  type PartStatus,
  parseAnalyticsFilter,
  QUEUE_AGE_BUCKETS,
  roleCan,
  STATUS_LABELS,
} from "@facet/core";
import { analyticsReport, listDatasets } from "@facet/db";
import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { CategoryBars, DayLines } from "@/components/analytics/charts";
import { pageSearch } from "@/lib/search-params";
import { requireWorkspace } from "@/lib/session.server";
import { NotForRole } from "../../not-for-role";

export const metadata: Metadata = { title: "Analytics" };

type Search = Record<string, string | string[] | undefined>;

const num = (v: number | null | undefined, digits = 0) =>
  v === null || v === undefined ? "–" : v.toLocaleString("en", { maximumFractionDigits: digits });
const pct = (v: number | null | undefined) => (v === null || v === undefined ? "–" : `${Math.round(v * 1000) / 10}%`);
const secs = (v: number | null | undefined) => (v === null || v === undefined ? "–" : `${num(v, 1)} s`);

function Section(props: { id: string; title: string; note: string; chart: ReactNode; table: ReactNode }) {
  return (
    <section data-testid={`analytics-${props.id}`} style={{ marginBottom: "2rem" }}>
      <h2>{props.title}</h2>
      <p className="muted">{props.note}</p>
      <div style={{ display: "flex", flexWrap: "wrap", gap: "1.5rem", alignItems: "flex-start" }}>
        {props.chart}
        <div style={{ overflowX: "auto", maxWidth: "100%" }}>{props.table}</div>
      </div>
    </section>
  );
}

function Table(props: { id: string; head: string[]; rows: Array<Array<string | number>>; empty: string }) {
  if (props.rows.length === 0) return <p className="muted">{props.empty}</p>;
  return (
    <table data-testid={`table-${props.id}`}>
      <thead>
        <tr>
          {props.head.map((h) => (
            <th key={h}>{h}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r) => (
          <tr key={r.join("|")}>
            {r.map((c, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the columns of a row are fixed
              <td key={i}>{c}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const DECISIONS = [
  { key: "approved", label: "Approved" },
  { key: "rejected", label: "Rejected" },
];

function DecisionBars(props: { id: string; title: string; rows: DecisionRow[] }) {
  return (
    <CategoryBars
      id={props.id}
      title={props.title}
      data={props.rows.map((d) => ({ who: d.label, approved: d.approved, rejected: d.rejected }))}
      category="who"
      stacked
      series={DECISIONS}
    />
  );
}

function DecisionTable(props: { id: string; who: string; rows: DecisionRow[] }) {
  return (
    <Table
      id={props.id}
      head={[props.who, "Approved", "Rejected", "Approval rate", "Rejection rate"]}
      rows={props.rows.map((d) => [d.label, d.approved, d.rejected, pct(d.approvalRate), pct(d.rejectionRate)])}
      empty="No decisions in this period."
    />
  );
}

function Filters(props: { base: string; filter: AnalyticsFilter; datasets: Array<{ id: string; name: string }> }) {
  return (
    <form className="row" method="get" action={props.base} aria-label="Filter the analytics">
      <label>
        Dataset{" "}
        <select name="dataset" aria-label="Dataset" defaultValue={props.filter.datasetId ?? ""}>
          <option value="">All datasets</option>
          {props.datasets.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        From <input name="from" aria-label="From" type="date" defaultValue={props.filter.from} />
      </label>
      <label>
        To <input name="to" aria-label="To" type="date" defaultValue={props.filter.to} />
      </label>
      <button type="submit">Apply</button>
    </form>
  );
}

function Report({ r }: { r: AnalyticsReport }) {
  const seen = r.statuses.filter((s) => r.statusByDay.some((d) => Number(d[s]) > 0));
  const statusSeries = seen.map((s) => ({ key: s, label: STATUS_LABELS[s as PartStatus] ?? s }));
  const annotators = [...new Map(r.submissionsByDay.map((s) => [s.annotatorId, s.annotator])).entries()];
  const submissionsByDay = r.statusByDay.map(({ day }) => {
    const row: Record<string, string | number> = { day };
    for (const [id] of annotators) row[id] = 0;
    for (const s of r.submissionsByDay) if (s.day === day) row[s.annotatorId] = s.parts;
    return row;
  });
  const rates = new Map(r.prelabelByDay.map((p) => [p.day, p.rate]));
  return (
    <>
      <Section
        id="status"
        title="Parts per status"
        note="Parts of each status at the end of each day, replayed from the status changes in the audit log."
        chart={<DayLines id="status" title="Parts per status per day" data={r.statusByDay} series={statusSeries} />}
        table={
          <Table
            id="status"
            head={["Day", ...statusSeries.map((s) => s.label)]}
            rows={r.statusByDay.map((d) => [d.day, ...statusSeries.map((s) => num(Number(d[s.key])))])}
            empty="No parts."
          />
        }
      />
      <Section
        id="throughput"
        title="Throughput per annotator"
        note="Parts submitted for review in the period and the active time the workbench measured on them (time counts only while the tab is visible and focused and the person did something in the last minute), with and without pre-labels."
        chart={
          <>
            <CategoryBars
              id="submissions"
              title="Parts submitted per day"
              data={submissionsByDay}
              category="day"
              days
              stacked
              series={annotators.map(([id, name]) => ({ key: id, label: name }))}
            />
            <CategoryBars
              id="active-time"
              title="Median active seconds per part"
              data={r.throughput.map((t) => ({
                annotator: t.annotator,
                prelabelled: t.prelabelled.medianSecondsPerPart,
                scratch: t.fromScratch.medianSecondsPerPart,
              }))}
              category="annotator"
              series={[
                { key: "prelabelled", label: "Pre-labelled (s/part)" },
                { key: "scratch", label: "From scratch (s/part)" },
              ]}
            />
          </>
        }
        table={
          <Table
            id="throughput"
            head={[
              "Annotator",
              "Submitted",
              "Per day",
              "Timed parts",
              "Median s/part",
              "Median s/face",
              "Pre-labelled: parts, s/part, s/face",
              "From scratch: parts, s/part, s/face",
            ]}
            rows={r.throughput.map((t) => [
              t.annotator,
              t.submitted,
              num(t.perDay, 2),
              t.timedParts,
              secs(t.medianSecondsPerPart),
              secs(t.medianSecondsPerFace),
              `${t.prelabelled.parts}, ${secs(t.prelabelled.medianSecondsPerPart)}, ${secs(t.prelabelled.medianSecondsPerFace)}`,
              `${t.fromScratch.parts}, ${secs(t.fromScratch.medianSecondsPerPart)}, ${secs(t.fromScratch.medianSecondsPerFace)}`,
            ])}
            empty="Nothing was submitted in this period."
          />
        }
      />
      <Section
        id="reviews"
        title="Review decisions"
        note="Approvals and rejections in the period, per annotator whose work was decided on, and per class present in the revision decided on."
        chart={
          <>
            <DecisionBars id="reviews-annotator" title="Decisions per annotator" rows={r.reviewsByAnnotator} />
            <DecisionBars id="reviews-class" title="Decisions per class" rows={r.reviewsByClass} />
          </>
        }
        table={
          <>
            <DecisionTable id="reviews-annotator" who="Annotator" rows={r.reviewsByAnnotator} />
            <DecisionTable id="reviews-class" who="Class" rows={r.reviewsByClass} />
          </>
        }
      />
      <Section
        id="prelabel"
        title="Pre-label acceptance"
        note="Of the faces the newest pre-label named, the share whose label the approved revision kept, by day of approval; and per model and class over every approved part."
        chart={
          <DayLines
            id="prelabel"
            title="Pre-label acceptance per day"
            data={r.statusByDay.map(({ day }) => ({ day, rate: rates.get(day) ?? null }))}
            series={[{ key: "rate", label: "Accepted faces" }]}
            percent
          />
        }
        table={
          <>
            <Table
              id="prelabel-day"
              head={["Approved on", "Pre-labelled faces", "Accepted", "Rate", "Parts"]}
              rows={r.prelabelByDay.map((p) => [p.day, p.faces, p.accepted, pct(p.rate), p.parts])}
              empty="No pre-labelled part was approved in this period."
            />
            <Table
              id="prelabel-model"
              head={["Model", "Class", "Faces", "Accepted", "Rate", "Parts"]}
              rows={r.prelabelByModel.map((m) => [
                `${m.model}${m.modelVersion ? ` ${m.modelVersion}` : ""}`,
                m.feature,
                m.faces,
                m.accepted,
                pct(m.rate),
                m.parts,
              ])}
              empty=""
            />
          </>
        }
      />
      <Section
        id="classes"
        title="Class balance"
        note="Faces per class in each part's latest revision (now, whatever the period)."
        chart={
          <CategoryBars
            id="classes"
            title="Faces per class"
            data={r.classBalance.map((c) => ({ feature: c.feature, faces: c.faces }))}
            category="feature"
            series={[{ key: "faces", label: "Faces" }]}
          />
        }
        table={
          <Table
            id="classes"
            head={["Class", "Faces", "Share", "Parts"]}
            rows={r.classBalance.map((c) => [c.feature, c.faces, pct(c.share), c.parts])}
            empty="No labels yet."
          />
        }
      />
      <Section
        id="queues"
        title="Queue age"
        note="How long the parts waiting now have waited: claimable parts in the annotation queue, submitted parts in the review queue (since their last status change)."
        chart={
          <CategoryBars
            id="queues"
            title="Waiting parts by age"
            data={QUEUE_AGE_BUCKETS.map((b) => ({
              age: b,
              annotation: r.queueAge[0]?.buckets[b] ?? 0,
              review: r.queueAge[1]?.buckets[b] ?? 0,
            }))}
            category="age"
            series={[
              { key: "annotation", label: "Annotation queue" },
              { key: "review", label: "Review queue" },
            ]}
          />
        }
        table={
          <Table
            id="queues"
            head={["Queue", "Parts", "Median h", "90th percentile h", "Longest h"]}
            rows={r.queueAge.map((q) => [
              q.queue,
              q.parts,
              num(q.medianHours, 1),
              num(q.p90Hours, 1),
              num(q.maxHours, 1),
            ])}
            empty=""
          />
        }
      />
    </>
  );
}

/** Analytics for admins: charts with their numbers, filtered by dataset and period, downloadable as CSV. */
export default async function AnalyticsPage({
  params,
  searchParams,
}: {
  params: Promise<{ slug: string }>;
  searchParams: Promise<Search>;
}) {
  const { slug } = await params;
  const raw = await searchParams;
  const { workspace, run } = await requireWorkspace(slug);
  if (!roleCan(workspace.role, "audit.read")) return <NotForRole role={workspace.role} what="analytics" />;
  const base = `/w/${workspace.slug}/admin/analytics`;
  const search = pageSearch(raw);
  const now = new Date();
  let filter: AnalyticsFilter = parseAnalyticsFilter(new URLSearchParams(), dayOf(now));
  let problem: string | null = null;
  try {
    filter = parseAnalyticsFilter(search, dayOf(now));
  } catch (e) {
    if (!isAppError(e)) throw e;
    problem = e.message;
  }
  const datasets = await run((c) => listDatasets(c, workspace.id));
  const report = problem ? null : await run((c) => analyticsReport(c, workspace.id, filter, now));
  const csv = `/api/workspaces/${workspace.slug}/analytics?${analyticsFilterQuery(filter)}&format=csv`;
  return (
    <>
      <p className="muted">
        <Link href={`/w/${workspace.slug}/admin`}>Members</Link> · Analytics
      </p>
      <h1>Analytics</h1>
      <p className="muted">
        How labelling goes: statuses over time, throughput and active time per annotator, review decisions, pre-label
        acceptance, class balance and queue age. Days are UTC.
      </p>
      <Filters base={base} filter={filter} datasets={datasets.map((d) => ({ id: d.id, name: d.name }))} />
      <p className="row">
        <a className="button" href={csv} data-testid="analytics-csv" download>
          Download CSV
        </a>
        <span className="muted" data-testid="analytics-period">
          {filter.from} to {filter.to}
          {filter.datasetId ? ` · ${datasets.find((d) => d.id === filter.datasetId)?.name ?? "unknown dataset"}` : ""}
        </span>
      </p>
      {problem && (
        <p role="alert" className="error" data-testid="analytics-problem">
          {problem}
        </p>
      )}
      {report && <Report r={report} />}
    </>
  );
}
