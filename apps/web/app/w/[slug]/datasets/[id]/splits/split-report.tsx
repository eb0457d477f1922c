import type { SplitConfig } from "@facet/core";
import type { SplitReport } from "@facet/db";
import { type ChartRow, type ChartSplit, ClassBalanceChart } from "@/components/curation/class-balance-chart";
import { NO_SPLIT_KEY, percent, splitLabel } from "@/components/curation/format";

/** The splits to show, in order: the configured ones, any others parts have, then "no split". */
function splitColumns(config: SplitConfig, report: SplitReport): ChartSplit[] {
  const keys = config.splits.map((s) => s.name);
  const others = new Set<string>();
  for (const s of report.splits) if (s.split !== null && !keys.includes(s.split)) others.add(s.split);
  for (const c of report.classes)
    for (const k of Object.keys(c.perSplit)) if (k !== NO_SPLIT_KEY && !keys.includes(k)) others.add(k);
  const columns: ChartSplit[] = [...keys, ...[...others].sort()].map((k) => ({ key: k, label: k }));
  const hasNone =
    report.splits.some((s) => s.split === null && s.parts > 0) ||
    report.classes.some((c) => (c.perSplit[NO_SPLIT_KEY]?.parts ?? 0) > 0);
  if (hasNone) columns.push({ key: NO_SPLIT_KEY, label: splitLabel(null), none: true });
  return columns;
}

/**
 * What a dataset's splits hold: parts, labelled parts and faces per split, and the balance of each
 * feature class over the splits (parts and faces, and the share of the class's parts), in numbers
 * and as a chart.
 */
export function SplitReportView({
  config,
  report,
  featureName,
}: {
  config: SplitConfig;
  report: SplitReport;
  featureName: (key: string) => string;
}) {
  if (report.splits.length === 0) return <p className="muted">No parts in this dataset yet.</p>;
  const columns = splitColumns(config, report);
  const bySplit = new Map(report.splits.map((s) => [s.split ?? NO_SPLIT_KEY, s]));
  const sum = (f: (s: SplitReport["splits"][number]) => number) => report.splits.reduce((a, s) => a + f(s), 0);
  const totalParts = sum((s) => s.parts);
  const ratioTotal = config.splits.reduce((a, s) => a + s.ratio, 0);
  const classes = [...report.classes].sort(
    (a, b) =>
      Object.values(b.perSplit).reduce((n, v) => n + v.parts, 0) -
        Object.values(a.perSplit).reduce((n, v) => n + v.parts, 0) || a.feature.localeCompare(b.feature),
  );
  const chartRows: ChartRow[] = [
    {
      label: "Target",
      unit: "ratio",
      counts: columns.map((c) => config.splits.find((s) => s.name === c.key)?.ratio ?? 0),
    },
    { label: "All parts", unit: "parts", counts: columns.map((c) => bySplit.get(c.key)?.parts ?? 0) },
    ...classes.map((c) => ({
      label: featureName(c.feature),
      unit: "parts",
      counts: columns.map((s) => c.perSplit[s.key]?.parts ?? 0),
    })),
  ];

  return (
    <>
      <h2>Splits</h2>
      <table data-testid="split-summary">
        <thead>
          <tr>
            <th>Split</th>
            <th>Target</th>
            <th>Parts</th>
            <th>Share</th>
            <th>Labelled parts</th>
            <th>Labelled faces</th>
          </tr>
        </thead>
        <tbody>
          {columns.map((c) => {
            const s = bySplit.get(c.key);
            const target = config.splits.find((x) => x.name === c.key);
            return (
              <tr key={c.key} data-split={c.key}>
                <th scope="row">{c.label}</th>
                <td>{target ? percent(target.ratio, ratioTotal) : "—"}</td>
                <td data-testid="split-parts">{s?.parts ?? 0}</td>
                <td>{percent(s?.parts ?? 0, totalParts)}</td>
                <td data-testid="split-labelled-parts">{s?.labelledParts ?? 0}</td>
                <td data-testid="split-faces">{s?.faces ?? 0}</td>
              </tr>
            );
          })}
          <tr data-split="total">
            <th scope="row">All</th>
            <td />
            <td data-testid="split-parts">{totalParts}</td>
            <td>{percent(totalParts, totalParts)}</td>
            <td>{sum((s) => s.labelledParts)}</td>
            <td>{sum((s) => s.faces)}</td>
          </tr>
        </tbody>
      </table>

      <h2>Class balance</h2>
      {classes.length === 0 ? (
        <p className="muted">No labelled faces yet: the balance per class appears once parts have labels.</p>
      ) : (
        <>
          <ClassBalanceChart
            title="Class balance per split"
            description={`For each feature class, the share of the labelled parts holding it that sit in each split (${columns.map((c) => c.label).join(", ")}), under the target ratios and the share of all parts.`}
            splits={columns}
            rows={chartRows}
          />
          <div className="cur-scroll">
            <table data-testid="class-balance">
              <thead>
                <tr>
                  <th rowSpan={2}>Feature class</th>
                  {columns.map((c) => (
                    <th key={c.key} colSpan={3} scope="colgroup" className="cur-group">
                      {c.label}
                    </th>
                  ))}
                </tr>
                <tr>
                  {columns.map((c) => (
                    <SubHeads key={c.key} />
                  ))}
                </tr>
              </thead>
              <tbody>
                {classes.map((cls) => {
                  const classParts = Object.values(cls.perSplit).reduce((n, v) => n + v.parts, 0);
                  return (
                    <tr key={cls.feature} data-feature={cls.feature}>
                      <th scope="row">{featureName(cls.feature)}</th>
                      {columns.map((c) => {
                        const v = cls.perSplit[c.key];
                        return (
                          <Cells
                            key={c.key}
                            split={c.key}
                            parts={v?.parts ?? 0}
                            faces={v?.faces ?? 0}
                            share={percent(v?.parts ?? 0, classParts)}
                          />
                        );
                      })}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <p className="muted">
            Parts: labelled parts with at least one face of the class; faces: faces labelled with it; share: the
            class&apos;s parts in that split.
          </p>
        </>
      )}
    </>
  );
}

function SubHeads() {
  return (
    <>
      <th scope="col" className="cur-group">
        Parts
      </th>
      <th scope="col">Faces</th>
      <th scope="col">Share</th>
    </>
  );
}

function Cells({ split, parts, faces, share }: { split: string; parts: number; faces: number; share: string }) {
  return (
    <>
      <td className="cur-group" data-split={split} data-kind="parts">
        {parts}
      </td>
      <td data-split={split} data-kind="faces">
        {faces}
      </td>
      <td data-split={split} data-kind="share">
        {share}
      </td>
    </>
  );
}
