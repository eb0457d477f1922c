"use client";

import type { ReactNode } from "react";
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from "recharts";

/**
 * The analytics page's charts (recharts, SVG drawn in the browser). Each is given its data already
 * shaped by the server page; the numbers are in a table beside it (the page draws that), so a chart
 * is a picture of the table, never the only place a figure is.
 */

const WIDTH = 560;
const HEIGHT = 260;
const PALETTE = [
  "#4e79a7",
  "#f28e2b",
  "#59a14f",
  "#e15759",
  "#76b7b2",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ac",
];
const colour = (i: number) => PALETTE[i % PALETTE.length] as string;
/** Day labels without the year: 2026-11-03 -> 11-03. */
const shortDay = (d: unknown) => String(d).slice(5);

export interface Series {
  key: string;
  label: string;
}

type Row = Record<string, string | number | null>;

function Frame(props: { id: string; title: string; children: ReactNode }) {
  return (
    <div data-testid={`chart-${props.id}`} role="img" aria-label={props.title} style={{ maxWidth: "100%" }}>
      {props.children}
    </div>
  );
}

/** One line per series over the days of the period. */
export function DayLines(props: { id: string; title: string; data: Row[]; series: Series[]; percent?: boolean }) {
  return (
    <Frame id={props.id} title={props.title}>
      <LineChart width={WIDTH} height={HEIGHT} data={props.data} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="day" tickFormatter={shortDay} />
        <YAxis
          allowDecimals={!!props.percent}
          domain={props.percent ? [0, 1] : undefined}
          tickFormatter={props.percent ? (v: number) => `${Math.round(v * 100)}%` : undefined}
        />
        <Tooltip />
        <Legend />
        {props.series.map((s, i) => (
          <Line
            key={s.key}
            type="monotone"
            dataKey={s.key}
            name={s.label}
            stroke={colour(i)}
            dot={props.data.length <= 31}
            isAnimationActive={false}
            connectNulls
          />
        ))}
      </LineChart>
    </Frame>
  );
}

/** Bars per category (`category` is the key of the row's label), one bar per series, stacked or side by side. */
export function CategoryBars(props: {
  id: string;
  title: string;
  data: Row[];
  category: string;
  series: Series[];
  stacked?: boolean;
  /** Bars across the x axis by day. */
  days?: boolean;
}) {
  return (
    <Frame id={props.id} title={props.title}>
      <BarChart width={WIDTH} height={HEIGHT} data={props.data} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey={props.category} tickFormatter={props.days ? shortDay : undefined} />
        <YAxis />
        <Tooltip />
        <Legend />
        {props.series.map((s, i) => (
          <Bar
            key={s.key}
            dataKey={s.key}
            name={s.label}
            fill={colour(i)}
            stackId={props.stacked ? "one" : undefined}
            isAnimationActive={false}
          />
        ))}
      </BarChart>
    </Frame>
  );
}
