import { z } from "zod";
import { day } from "./curation/catalog-filter";
import { AppError } from "./errors";
import { uuidSchema } from "./validation";

/**
 * Workspace analytics (issue 19, item 2): the filter the page, the API and the CSV share, the
 * workbench's active-time meter, and the pure arithmetic over what packages/db reads (medians, days,
 * rates). Days are UTC calendar days, written YYYY-MM-DD.
 */

// --- filter ----------------------------------------------------------------------------------------

/** The longest period a report covers (one row per day and status). */
export const ANALYTICS_MAX_DAYS = 366;
/** The period when none is given: the 30 days up to today. */
export const ANALYTICS_DEFAULT_DAYS = 30;

const daySchema = z.string().refine((v) => day(v) !== undefined, { message: "not a day (YYYY-MM-DD)" });

const querySchema = z
  .object({
    dataset: z.union([uuidSchema, z.literal("")]).optional(),
    from: z.union([daySchema, z.literal("")]).optional(),
    to: z.union([daySchema, z.literal("")]).optional(),
  })
  .strict();

export interface AnalyticsFilter {
  datasetId: string | null;
  /** First and last day, inclusive. */
  from: string;
  to: string;
}

const DAY_MS = 86_400_000;

/** The day `n` days after `d` (negative: before). */
export function addDays(d: string, n: number): string {
  return new Date(Date.parse(`${d}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** Every day from `from` to `to`, inclusive. */
export function daysOf(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to && out.length <= ANALYTICS_MAX_DAYS; d = addDays(d, 1)) out.push(d);
  return out;
}

/** The UTC day of an instant. */
export function dayOf(at: string | Date | number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/**
 * Read `dataset`, `from`, `to` from a query string (`ignore` lists the caller's own parameters, such
 * as `format`). Empty fields are no condition; the period defaults to the 30 days up to `today`, a
 * missing bound to 30 days from the other. VALIDATION_FAILED for anything else.
 */
export function parseAnalyticsFilter(
  params: URLSearchParams,
  today: string,
  options: { ignore?: readonly string[] } = {},
): AnalyticsFilter {
  const ignore = new Set(options.ignore ?? []);
  const raw: Record<string, string> = {};
  for (const [k, v] of params) {
    if (ignore.has(k)) continue;
    if (k in raw) throw new AppError("VALIDATION_FAILED", `analytics filter: ${k} is given twice`);
    raw[k] = v.trim();
  }
  const parsed = querySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join(".") || "query";
    const message =
      issue?.code === "unrecognized_keys"
        ? `unknown parameter "${issue.keys.join(", ")}" (known: dataset, from, to)`
        : `${where}: ${issue?.message ?? "invalid"}`;
    throw new AppError("VALIDATION_FAILED", `analytics filter: ${message}`);
  }
  const { dataset, from, to } = parsed.data;
  const last = to || (from ? addDays(from, ANALYTICS_DEFAULT_DAYS - 1) : today);
  const first = from || addDays(last, -(ANALYTICS_DEFAULT_DAYS - 1));
  if (first > last) throw new AppError("VALIDATION_FAILED", `analytics filter: from (${first}) is after to (${last})`);
  if (daysOf(first, last).length > ANALYTICS_MAX_DAYS) {
    throw new AppError("VALIDATION_FAILED", `analytics filter: a period of at most ${ANALYTICS_MAX_DAYS} days`);
  }
  return { datasetId: dataset ? dataset.toLowerCase() : null, from: first, to: last };
}

/** The filter as a query string (no `?`): parse(query(f)) = f. */
export function analyticsFilterQuery(f: AnalyticsFilter): string {
  const p = new URLSearchParams();
  if (f.datasetId) p.set("dataset", f.datasetId);
  p.set("from", f.from);
  p.set("to", f.to);
  return p.toString();
}

// --- active time -----------------------------------------------------------------------------------

/** Without input for this long, the person is taken to be away: time stops counting. */
export const IDLE_CUT_MS = 60_000;
/** The most one report may add (the server refuses more; see supabase/migrations/*_active_time.sql). */
export const MAX_ACTIVE_REPORT_MS = 600_000;

/**
 * Active time of one workbench session. Time counts while the page is visible and focused, up to
 * `idleMs` after the person's last input (a click, a key, the wheel, a pointer move): reading the
 * part for half a minute counts, leaving it open over lunch does not. Each event is given its time
 * (ms, a monotonic clock); `take` hands over what was counted since the last take.
 */
export class ActiveTimeMeter {
  private at: number;
  private lastInput: number;
  private pending = 0;

  constructor(
    now: number,
    private visible: boolean,
    private focused: boolean,
    private readonly idleMs = IDLE_CUT_MS,
  ) {
    this.at = now;
    // opening the part is an input
    this.lastInput = now;
  }

  private accrue(now: number): void {
    if (now <= this.at) return;
    if (this.visible && this.focused) {
      const end = Math.min(now, this.lastInput + this.idleMs);
      if (end > this.at) this.pending += end - this.at;
    }
    this.at = now;
  }

  input(now: number): void {
    this.accrue(now);
    this.lastInput = Math.max(this.lastInput, now);
  }

  setVisible(now: number, visible: boolean): void {
    this.accrue(now);
    this.visible = visible;
  }

  setFocused(now: number, focused: boolean): void {
    this.accrue(now);
    this.focused = focused;
  }

  /** What was counted and not yet taken, up to `now`. */
  peek(now: number): number {
    this.accrue(now);
    return this.pending;
  }

  /** Take up to `max` ms of what was counted (the rest stays for the next take). */
  take(now: number, max = MAX_ACTIVE_REPORT_MS): number {
    this.accrue(now);
    const out = Math.min(Math.floor(this.pending), max);
    this.pending -= out;
    return out;
  }

  /** Give back what a failed report took, to send it again. */
  giveBack(ms: number): void {
    this.pending += ms;
  }
}

// --- arithmetic --------------------------------------------------------------------------------------

/** The q-quantile (0..1) by linear interpolation between order statistics (PostgreSQL's percentile_cont); null for none. */
export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const xs = [...values].sort((a, b) => a - b);
  const pos = (xs.length - 1) * Math.min(Math.max(q, 0), 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = xs[lo] as number;
  const b = xs[hi] as number;
  return a + (b - a) * (pos - lo);
}

export function median(values: readonly number[]): number | null {
  return quantile(values, 0.5);
}

/** part / whole, or null when there is no whole. */
export function rate(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}

/**
 * Counts per day and series, every day of the period present (0 where nothing happened), in day
 * order: what a chart with one line or bar per series reads.
 */
export function bucketByDay<S extends string>(
  rows: ReadonlyArray<{ day: string; series: S; value: number }>,
  days: readonly string[],
  series: readonly S[],
): Array<{ day: string } & Record<S, number>> {
  const index = new Map(days.map((d, i) => [d, i]));
  const out = days.map((d) => {
    const row = { day: d } as { day: string } & Record<S, number>;
    for (const s of series) (row as Record<string, number | string>)[s] = 0;
    return row;
  });
  for (const r of rows) {
    const i = index.get(r.day);
    if (i === undefined || !series.includes(r.series)) continue;
    const row = out[i] as Record<string, number | string>;
    row[r.series] = (row[r.series] as number) + r.value;
  }
  return out;
}

// --- the report --------------------------------------------------------------------------------------

/** One annotator's submitted part in the period: their active time on it, its faces, whether it had pre-labels. */
export interface WorkedPart {
  annotatorId: string;
  partId: string;
  /** Null when the workbench never reported time (labels sent through the API). */
  activeMs: number | null;
  faces: number | null;
  prelabelled: boolean;
}

export interface ThroughputRow {
  annotatorId: string;
  annotator: string;
  /** Submissions in the period (a part submitted again after a rejection counts again). */
  submitted: number;
  perDay: number;
  /** Parts with active time recorded. */
  timedParts: number;
  medianSecondsPerPart: number | null;
  medianSecondsPerFace: number | null;
  prelabelled: { parts: number; medianSecondsPerPart: number | null; medianSecondsPerFace: number | null };
  fromScratch: { parts: number; medianSecondsPerPart: number | null; medianSecondsPerFace: number | null };
}

function timing(parts: readonly WorkedPart[]) {
  const timed = parts.filter((p) => p.activeMs !== null);
  const perFace = timed
    .filter((p) => (p.faces ?? 0) > 0)
    .map((p) => (p.activeMs as number) / 1000 / (p.faces as number));
  return {
    parts: parts.length,
    timed: timed.length,
    medianSecondsPerPart: median(timed.map((p) => (p.activeMs as number) / 1000)),
    medianSecondsPerFace: median(perFace),
  };
}

/** Throughput per annotator from their submissions and worked parts (every annotator seen in either). */
export function throughputByAnnotator(input: {
  submissions: ReadonlyArray<{ annotatorId: string; parts: number }>;
  worked: readonly WorkedPart[];
  days: number;
  nameOf: (id: string) => string;
}): ThroughputRow[] {
  const ids = [...new Set([...input.submissions.map((s) => s.annotatorId), ...input.worked.map((w) => w.annotatorId)])];
  return ids
    .map((id) => {
      const submitted = input.submissions.filter((s) => s.annotatorId === id).reduce((n, s) => n + s.parts, 0);
      const mine = input.worked.filter((w) => w.annotatorId === id);
      const all = timing(mine);
      const pre = timing(mine.filter((w) => w.prelabelled));
      const scratch = timing(mine.filter((w) => !w.prelabelled));
      return {
        annotatorId: id,
        annotator: input.nameOf(id),
        submitted,
        perDay: input.days > 0 ? submitted / input.days : 0,
        timedParts: all.timed,
        medianSecondsPerPart: all.medianSecondsPerPart,
        medianSecondsPerFace: all.medianSecondsPerFace,
        prelabelled: {
          parts: pre.parts,
          medianSecondsPerPart: pre.medianSecondsPerPart,
          medianSecondsPerFace: pre.medianSecondsPerFace,
        },
        fromScratch: {
          parts: scratch.parts,
          medianSecondsPerPart: scratch.medianSecondsPerPart,
          medianSecondsPerFace: scratch.medianSecondsPerFace,
        },
      };
    })
    .sort((a, b) => b.submitted - a.submitted || a.annotator.localeCompare(b.annotator));
}

/** Approved and rejected decisions of a group (an annotator, a class) and the rates. */
export interface DecisionRow {
  key: string;
  label: string;
  approved: number;
  rejected: number;
  approvalRate: number | null;
  rejectionRate: number | null;
}

export function decisionRates(
  rows: ReadonlyArray<{ key: string; label?: string; approved: number; rejected: number }>,
): DecisionRow[] {
  return rows
    .map((r) => ({
      key: r.key,
      label: r.label ?? r.key,
      approved: r.approved,
      rejected: r.rejected,
      approvalRate: rate(r.approved, r.approved + r.rejected),
      rejectionRate: rate(r.rejected, r.approved + r.rejected),
    }))
    .sort((a, b) => b.approved + b.rejected - (a.approved + a.rejected) || a.label.localeCompare(b.label));
}

/** Where a part waits: claimable in the annotation queue, or submitted and waiting for a reviewer. */
export type QueueName = "annotation" | "review";

export interface QueueAgeRow {
  queue: QueueName;
  parts: number;
  medianHours: number | null;
  p90Hours: number | null;
  maxHours: number | null;
  /** Parts by how long they have waited. */
  buckets: Record<QueueAgeBucket, number>;
}

export const QUEUE_AGE_BUCKETS = ["under 1 h", "1–24 h", "1–7 days", "over 7 days"] as const;
export type QueueAgeBucket = (typeof QUEUE_AGE_BUCKETS)[number];

export function queueAgeBucket(hours: number): QueueAgeBucket {
  if (hours < 1) return "under 1 h";
  if (hours < 24) return "1–24 h";
  if (hours < 24 * 7) return "1–7 days";
  return "over 7 days";
}

/** How long the parts of each queue have waited, from each part's wait in seconds. */
export function queueAges(waits: ReadonlyArray<{ queue: QueueName; seconds: number }>): QueueAgeRow[] {
  return (["annotation", "review"] as const).map((queue) => {
    const hours = waits.filter((w) => w.queue === queue).map((w) => w.seconds / 3600);
    const buckets = Object.fromEntries(QUEUE_AGE_BUCKETS.map((b) => [b, 0])) as Record<QueueAgeBucket, number>;
    for (const h of hours) buckets[queueAgeBucket(h)] += 1;
    return {
      queue,
      parts: hours.length,
      medianHours: median(hours),
      p90Hours: quantile(hours, 0.9),
      maxHours: hours.length ? Math.max(...hours) : null,
      buckets,
    };
  });
}

/** Every figure of the page, as the API returns it and the CSV lists it. */
/** Per model and class: faces a model labelled on approved parts, and how many the approved labels kept. */
export interface PrelabelAcceptanceRow {
  model: string;
  modelVersion: string;
  feature: string;
  /** Faces the model labelled with this feature, on approved parts. */
  faces: number;
  /** Of those, faces the approved labels kept. */
  accepted: number;
  /** accepted / faces */
  rate: number;
  parts: number;
}

export interface AnalyticsReport {
  filter: AnalyticsFilter;
  generatedAt: string;
  statuses: string[];
  /** Parts in each status at the end of each day. */
  statusByDay: Array<{ day: string } & Record<string, number | string>>;
  submissionsByDay: Array<{ day: string; annotatorId: string; annotator: string; parts: number }>;
  throughput: ThroughputRow[];
  reviewsByAnnotator: DecisionRow[];
  reviewsByClass: DecisionRow[];
  prelabelByDay: Array<{ day: string; faces: number; accepted: number; rate: number | null; parts: number }>;
  prelabelByModel: PrelabelAcceptanceRow[];
  classBalance: Array<{ feature: string; faces: number; parts: number; share: number | null }>;
  queueAge: QueueAgeRow[];
}

type Cell = string | number | null;

const round = (v: number | null, digits = 3): number | null =>
  v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits;

/**
 * The report as CSV rows: section, day (where the figure is one day's), subject (a status, an
 * annotator, a class, a model, a queue), measure, value. One long table, so that every figure has
 * the same columns and a spreadsheet's pivot reads it.
 */
export const ANALYTICS_CSV_COLUMNS = ["section", "day", "subject", "measure", "value"] as const;

export function analyticsCsvRows(r: AnalyticsReport): Cell[][] {
  const out: Cell[][] = [];
  const add = (section: string, dayCell: string | null, subject: string, measure: string, value: number | null) =>
    out.push([section, dayCell, subject, measure, value]);
  for (const row of r.statusByDay) {
    for (const s of r.statuses) add("status_by_day", row.day, s, "parts", Number(row[s] ?? 0));
  }
  for (const s of r.submissionsByDay) add("submissions_by_day", s.day, s.annotator, "parts", s.parts);
  for (const t of r.throughput) {
    add("throughput", null, t.annotator, "submitted", t.submitted);
    add("throughput", null, t.annotator, "parts_per_day", round(t.perDay));
    add("throughput", null, t.annotator, "timed_parts", t.timedParts);
    add("throughput", null, t.annotator, "median_active_s_per_part", round(t.medianSecondsPerPart, 1));
    add("throughput", null, t.annotator, "median_active_s_per_face", round(t.medianSecondsPerFace, 2));
    for (const [k, v] of [
      ["prelabelled", t.prelabelled],
      ["from_scratch", t.fromScratch],
    ] as const) {
      add("throughput", null, t.annotator, `${k}_parts`, v.parts);
      add("throughput", null, t.annotator, `${k}_median_active_s_per_part`, round(v.medianSecondsPerPart, 1));
      add("throughput", null, t.annotator, `${k}_median_active_s_per_face`, round(v.medianSecondsPerFace, 2));
    }
  }
  for (const [section, rows] of [
    ["reviews_by_annotator", r.reviewsByAnnotator],
    ["reviews_by_class", r.reviewsByClass],
  ] as const) {
    for (const d of rows) {
      add(section, null, d.label, "approved", d.approved);
      add(section, null, d.label, "rejected", d.rejected);
      add(section, null, d.label, "approval_rate", round(d.approvalRate));
      add(section, null, d.label, "rejection_rate", round(d.rejectionRate));
    }
  }
  for (const p of r.prelabelByDay) {
    add("prelabel_acceptance_by_day", p.day, "all models", "faces", p.faces);
    add("prelabel_acceptance_by_day", p.day, "all models", "accepted", p.accepted);
    add("prelabel_acceptance_by_day", p.day, "all models", "rate", round(p.rate));
  }
  for (const m of r.prelabelByModel) {
    const subject = `${m.model}${m.modelVersion ? `@${m.modelVersion}` : ""} ${m.feature}`;
    add("prelabel_acceptance_by_model", null, subject, "faces", m.faces);
    add("prelabel_acceptance_by_model", null, subject, "accepted", m.accepted);
    add("prelabel_acceptance_by_model", null, subject, "rate", round(m.rate));
  }
  for (const c of r.classBalance) {
    add("class_balance", null, c.feature, "faces", c.faces);
    add("class_balance", null, c.feature, "parts", c.parts);
    add("class_balance", null, c.feature, "share", round(c.share));
  }
  for (const q of r.queueAge) {
    add("queue_age", null, q.queue, "parts", q.parts);
    add("queue_age", null, q.queue, "median_hours", round(q.medianHours, 2));
    add("queue_age", null, q.queue, "p90_hours", round(q.p90Hours, 2));
    add("queue_age", null, q.queue, "max_hours", round(q.maxHours, 2));
    for (const b of QUEUE_AGE_BUCKETS) add("queue_age", null, q.queue, `waiting ${b}`, q.buckets[b]);
  }
  return out;
}
