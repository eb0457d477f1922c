import { useId } from "react";
import { percent } from "./format";

/** Okabe–Ito colours (told apart with the common colour-vision deficiencies), with a readable text colour on each. */
const PALETTE: [fill: string, text: string][] = [
  ["#0072B2", "#ffffff"],
  ["#E69F00", "#000000"],
  ["#009E73", "#ffffff"],
  ["#CC79A7", "#000000"],
  ["#56B4E9", "#000000"],
  ["#D55E00", "#ffffff"],
  ["#F0E442", "#000000"],
];
const NONE: [string, string] = ["#9aa4b2", "#000000"];

export interface ChartSplit {
  key: string;
  label: string;
  /** Parts without a split: drawn grey. */
  none?: boolean;
}

export interface ChartRow {
  label: string;
  /** One number per split, in the order of `splits`. */
  counts: number[];
  /** What the numbers count ("parts", "ratio"), for the tooltips and the description. */
  unit: string;
}

export const splitColour = (splits: ChartSplit[], i: number): [string, string] =>
  splits[i]?.none ? NONE : (PALETTE[i % PALETTE.length] as [string, string]);

/**
 * Class balance as 100% stacked bars: one bar per row (the target ratios, all parts, then each
 * feature class), a segment per split as wide as its share. Drawn as SVG with a title, a
 * description and a tooltip per segment; the numbers are in the table beside it.
 */
export function ClassBalanceChart({
  title,
  description,
  splits,
  rows,
}: {
  title: string;
  description: string;
  splits: ChartSplit[];
  rows: ChartRow[];
}) {
  const id = useId();
  const labelW = 190;
  const barW = 480;
  const totalW = 90;
  const rowH = 28;
  const barH = 18;
  const width = labelW + barW + totalW;
  const height = rows.length * rowH + 4;
  return (
    <figure className="cur-chart" data-testid="class-balance-chart">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width="100%"
        role="img"
        aria-labelledby={`${id}-t ${id}-d`}
        preserveAspectRatio="xMinYMin meet"
      >
        <title id={`${id}-t`}>{title}</title>
        <desc id={`${id}-d`}>{description}</desc>
        {rows.map((row, r) => {
          const total = row.counts.reduce((a, b) => a + b, 0);
          const y = r * rowH + 2;
          let x = labelW;
          return (
            <g key={row.label} data-testid="chart-row" data-label={row.label}>
              <text
                x={labelW - 8}
                y={y + barH / 2}
                textAnchor="end"
                dominantBaseline="central"
                className="cur-chart-label"
              >
                {row.label.length > 26 ? `${row.label.slice(0, 25)}…` : row.label}
              </text>
              {total === 0 ? (
                <rect x={labelW} y={y} width={barW} height={barH} className="cur-chart-empty" />
              ) : (
                row.counts.map((n, i) => {
                  if (n === 0) return null;
                  const w = (barW * n) / total;
                  const [fill, ink] = splitColour(splits, i);
                  const sx = x;
                  x += w;
                  const split = splits[i] as ChartSplit;
                  const share = percent(n, total);
                  return (
                    <g key={split.key} data-split={split.key} data-share={share}>
                      <rect x={sx} y={y} width={w} height={barH} fill={fill}>
                        <title>{`${row.label}, ${split.label}: ${row.unit === "ratio" ? "" : `${n} ${row.unit}, `}${share}`}</title>
                      </rect>
                      {w > 36 && (
                        <text
                          x={sx + w / 2}
                          y={y + barH / 2}
                          textAnchor="middle"
                          dominantBaseline="central"
                          fill={ink}
                          className="cur-chart-value"
                        >
                          {share}
                        </text>
                      )}
                    </g>
                  );
                })
              )}
              <text x={labelW + barW + 8} y={y + barH / 2} dominantBaseline="central" className="cur-chart-total">
                {row.unit === "ratio" ? "target" : `${total} ${row.unit}`}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className="row cur-legend">
        {splits.map((s, i) => (
          <span key={s.key} className="row" style={{ gap: 4 }}>
            <svg width="12" height="12" aria-hidden="true">
              <rect width="12" height="12" rx="2" fill={splitColour(splits, i)[0]} />
            </svg>
            {s.label}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
