export type { HistogramSeries, Labels, MetricFamily, Sample } from "./prometheus";
export {
  escapeLabelValue,
  formatPrometheus,
  formatValue,
  Histogram,
  LATENCY_BUCKETS,
  PROMETHEUS_CONTENT_TYPE,
} from "./prometheus";
export { routeLabel, routeMatcher, routePatternsFromFiles } from "./routes";
