/**
 * Prometheus text exposition format (version 0.0.4): the metric families a scrape answers, written
 * as text. Pure: no I/O, no clock; the web route gathers the figures and sends what this writes.
 * https://prometheus.io/docs/instrumenting/exposition_formats/
 */

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  labels?: Labels;
  value: number;
}

/** One labelled histogram: `counts[i]` observations at most `bounds[i]` (not cumulative); the rest above the last bound. */
export interface HistogramSeries {
  labels?: Labels;
  /** Upper bounds, strictly increasing, finite. */
  bounds: readonly number[];
  /** Observations per bucket: `bounds.length + 1` numbers, the last one for those above every bound. */
  counts: readonly number[];
  sum: number;
}

export type MetricFamily =
  | { name: string; help: string; type: "gauge" | "counter"; samples: readonly Sample[] }
  | { name: string; help: string; type: "histogram"; series: readonly HistogramSeries[] };

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A label value inside double quotes: backslash, double quote and line feed escaped. */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** HELP text: backslash and line feed escaped (double quotes stay). */
function escapeHelp(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** A sample value: Go's float syntax, with NaN and the infinities spelled as Prometheus reads them. */
export function formatValue(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Number.POSITIVE_INFINITY) return "+Inf";
  if (n === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(n);
}

function labelText(labels: Labels | undefined, extra?: [string, string]): string {
  const pairs = Object.entries(labels ?? {});
  for (const [k] of pairs) {
    if (!LABEL_NAME.test(k) || k.startsWith("__")) throw new Error(`invalid label name: ${JSON.stringify(k)}`);
    if (extra && k === extra[0]) throw new Error(`the label "${k}" is reserved here`);
  }
  if (extra) pairs.push(extra);
  if (pairs.length === 0) return "";
  return `{${pairs.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(",")}}`;
}

function histogramLines(name: string, s: HistogramSeries): string[] {
  if (s.counts.length !== s.bounds.length + 1) {
    throw new Error(`${name}: a histogram needs one count per bound and one above them`);
  }
  s.bounds.forEach((b, i) => {
    if (!Number.isFinite(b) || (i > 0 && b <= (s.bounds[i - 1] as number))) {
      throw new Error(`${name}: bucket bounds must be finite and strictly increasing`);
    }
  });
  const lines: string[] = [];
  let cumulative = 0;
  s.bounds.forEach((b, i) => {
    cumulative += s.counts[i] as number;
    lines.push(`${name}_bucket${labelText(s.labels, ["le", formatValue(b)])} ${formatValue(cumulative)}`);
  });
  cumulative += s.counts[s.bounds.length] as number;
  lines.push(`${name}_bucket${labelText(s.labels, ["le", "+Inf"])} ${formatValue(cumulative)}`);
  lines.push(`${name}_sum${labelText(s.labels)} ${formatValue(s.sum)}`);
  lines.push(`${name}_count${labelText(s.labels)} ${formatValue(cumulative)}`);
  return lines;
}

/**
 * The families as exposition text: each with its HELP and TYPE lines, then its samples (a histogram:
 * cumulative `_bucket` lines up to `le="+Inf"`, `_sum`, `_count`). Names and label names are checked
 * (a bad one is a programming error and throws); label values are escaped. Ends with a line feed.
 */
export function formatPrometheus(families: readonly MetricFamily[]): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const f of families) {
    if (!METRIC_NAME.test(f.name)) throw new Error(`invalid metric name: ${JSON.stringify(f.name)}`);
    if (seen.has(f.name)) throw new Error(`metric ${f.name} is listed twice`);
    seen.add(f.name);
    out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`);
    out.push(`# TYPE ${f.name} ${f.type}`);
    if (f.type === "histogram") for (const s of f.series) out.push(...histogramLines(f.name, s));
    else for (const s of f.samples) out.push(`${f.name}${labelText(s.labels)} ${formatValue(s.value)}`);
  }
  return out.length > 0 ? `${out.join("\n")}\n` : "";
}

/** Label values put in one key (order-independent). */
function seriesKey(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Seconds buckets for request and job latencies: 5 ms to 2 minutes. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120] as const;

/**
 * A histogram kept in memory (one process): observations by label set. At most `maxSeries` label
 * sets are kept; observations of further ones count under the same labels with every value
 * `"_other"`, so a bug that labels by something unbounded cannot grow memory without end.
 */
export class Histogram {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number }>();

  constructor(
    readonly bounds: readonly number[] = LATENCY_BUCKETS,
    private readonly maxSeries = 2000,
  ) {}

  observe(labels: Labels, value: number): void {
    if (!Number.isFinite(value)) return;
    let key = seriesKey(labels);
    let s = this.series.get(key);
    if (!s) {
      if (this.series.size >= this.maxSeries) {
        const other = Object.fromEntries(Object.keys(labels).map((k) => [k, "_other"]));
        key = seriesKey(other);
        s = this.series.get(key);
        labels = other;
      }
      if (!s) {
        s = { labels: { ...labels }, counts: new Array(this.bounds.length + 1).fill(0), sum: 0 };
        this.series.set(key, s);
      }
    }
    let i = this.bounds.findIndex((b) => value <= b);
    if (i < 0) i = this.bounds.length;
    s.counts[i] = (s.counts[i] as number) + 1;
    s.sum += value;
  }

  /** A copy of every series, ready for `formatPrometheus`. */
  snapshot(): HistogramSeries[] {
    return [...this.series.values()].map((s) => ({
      labels: s.labels,
      bounds: this.bounds,
      counts: [...s.counts],
      sum: s.sum,
    }));
  }
}
