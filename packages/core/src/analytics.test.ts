import { describe, expect, it } from "vitest";
import {
  ActiveTimeMeter,
  ANALYTICS_CSV_COLUMNS,
  type AnalyticsReport,
  analyticsCsvRows,
  analyticsFilterQuery,
  bucketByDay,
  daysOf,
  decisionRates,
  median,
  parseAnalyticsFilter,
  quantile,
  queueAges,
  throughputByAnnotator,
} from "./analytics";
import { csvLine } from "./csv";
import { isAppError } from "./errors";

const params = (q: string) => new URLSearchParams(q);
const refused = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(isAppError(e) && e.code).toBe("VALIDATION_FAILED");
    return (e as Error).message;
  }
  throw new Error("not refused");
};

describe("parseAnalyticsFilter", () => {
  it("defaults to the 30 days up to today, and reads dataset, from and to", () => {
    expect(parseAnalyticsFilter(params(""), "2026-12-05")).toEqual({
      datasetId: null,
      from: "2026-11-06",
      to: "2026-12-05",
    });
    const ds = "0B7F7A3C-1C2D-4E5F-8A9B-0C1D2E3F4A5B";
    const f = parseAnalyticsFilter(params(`dataset=${ds}&from=2026-11-01&to=2026-11-03`), "2026-12-05");
    expect(f).toEqual({ datasetId: ds.toLowerCase(), from: "2026-11-01", to: "2026-11-03" });
    expect(parseAnalyticsFilter(params(analyticsFilterQuery(f)), "2027-01-01")).toEqual(f);
    // one bound: 30 days from it; empty form fields: no condition
    expect(parseAnalyticsFilter(params("from=2026-01-01&dataset="), "2026-12-05")).toMatchObject({
      datasetId: null,
      to: "2026-01-30",
    });
    expect(parseAnalyticsFilter(params("format=csv"), "2026-12-05", { ignore: ["format"] }).to).toBe("2026-12-05");
  });

  it("refuses unknown parameters, bad days and ids, reversed or too long periods", () => {
    expect(refused(() => parseAnalyticsFilter(params("colour=red"), "2026-12-05"))).toMatch(/unknown parameter/);
    expect(refused(() => parseAnalyticsFilter(params("from=2026-02-30"), "2026-12-05"))).toMatch(/from/);
    expect(refused(() => parseAnalyticsFilter(params("dataset=x"), "2026-12-05"))).toMatch(/dataset/);
    expect(refused(() => parseAnalyticsFilter(params("from=2026-12-02&to=2026-12-01"), "2026-12-05"))).toMatch(/after/);
    expect(refused(() => parseAnalyticsFilter(params("from=2025-01-01&to=2026-12-01"), "2026-12-05"))).toMatch(/366/);
    expect(refused(() => parseAnalyticsFilter(params("to=2026-12-01&to=2026-12-02"), "2026-12-05"))).toMatch(/twice/);
  });
});

describe("ActiveTimeMeter", () => {
  it("counts visible, focused time up to the idle cut after the last input", () => {
    const m = new ActiveTimeMeter(0, true, true, 60_000);
    m.input(10_000);
    // 100 s later with no input: counted up to 70 s (the last input + 60 s)
    expect(m.peek(100_000)).toBe(70_000);
    m.input(100_000); // back: counting again from here
    expect(m.take(130_000)).toBe(100_000);
    expect(m.take(130_000)).toBe(0);
  });

  it("stops while hidden or unfocused, and resumes", () => {
    const m = new ActiveTimeMeter(0, true, true, 60_000);
    m.setVisible(5_000, false);
    m.input(20_000); // input while hidden (a key in another window reaching the page) counts nothing while hidden
    m.setVisible(30_000, true);
    m.setFocused(40_000, false);
    m.setFocused(50_000, true);
    expect(m.take(55_000)).toBe(5_000 + 10_000 + 5_000);
  });

  it("hands out at most max per take, keeps the rest, and takes back a failed report", () => {
    const m = new ActiveTimeMeter(0, true, true, 60_000);
    for (let t = 0; t <= 3_600_000; t += 30_000) m.input(t);
    expect(m.take(3_600_000, 600_000)).toBe(600_000);
    expect(m.peek(3_600_000)).toBe(3_000_000);
    const sent = m.take(3_600_000, 1_000);
    m.giveBack(sent);
    expect(m.peek(3_600_000)).toBe(3_000_000);
  });

  it("ignores a clock going backwards", () => {
    const m = new ActiveTimeMeter(10_000, true, true);
    m.input(5_000);
    expect(m.peek(12_000)).toBe(2_000);
  });
});

describe("median, quantile, bucketByDay", () => {
  it("interpolates like percentile_cont", () => {
    expect(median([])).toBeNull();
    expect(median([3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBeCloseTo(9.1);
  });

  it("puts every day of the period in order, zeros where nothing happened", () => {
    const days = daysOf("2026-11-29", "2026-12-02");
    expect(days).toEqual(["2026-11-29", "2026-11-30", "2026-12-01", "2026-12-02"]);
    const b = bucketByDay(
      [
        { day: "2026-12-01", series: "a", value: 2 },
        { day: "2026-12-01", series: "a", value: 1 },
        { day: "2026-11-29", series: "b", value: 5 },
        { day: "2026-11-28", series: "a", value: 9 }, // outside the period
      ],
      days,
      ["a", "b"] as const,
    );
    expect(b).toEqual([
      { day: "2026-11-29", a: 0, b: 5 },
      { day: "2026-11-30", a: 0, b: 0 },
      { day: "2026-12-01", a: 3, b: 0 },
      { day: "2026-12-02", a: 0, b: 0 },
    ]);
  });
});

describe("throughput, decisions, queue ages", () => {
  it("gives medians per part and per face, with and without pre-labels, untimed parts left out of medians", () => {
    const rows = throughputByAnnotator({
      submissions: [
        { annotatorId: "u1", parts: 3 },
        { annotatorId: "u1", parts: 1 },
      ],
      worked: [
        { annotatorId: "u1", partId: "p1", activeMs: 60_000, faces: 10, prelabelled: true },
        { annotatorId: "u1", partId: "p2", activeMs: 120_000, faces: 60, prelabelled: true },
        { annotatorId: "u1", partId: "p3", activeMs: 300_000, faces: 30, prelabelled: false },
        { annotatorId: "u1", partId: "p4", activeMs: null, faces: 30, prelabelled: false },
      ],
      days: 2,
      nameOf: (id) => `name-${id}`,
    });
    expect(rows).toEqual([
      {
        annotatorId: "u1",
        annotator: "name-u1",
        submitted: 4,
        perDay: 2,
        timedParts: 3,
        medianSecondsPerPart: 120,
        medianSecondsPerFace: 6,
        prelabelled: { parts: 2, medianSecondsPerPart: 90, medianSecondsPerFace: 4 },
        fromScratch: { parts: 2, medianSecondsPerPart: 300, medianSecondsPerFace: 10 },
      },
    ]);
  });

  it("rates decisions, none where nothing was decided", () => {
    expect(decisionRates([{ key: "hole", approved: 3, rejected: 1 }])[0]).toMatchObject({
      approvalRate: 0.75,
      rejectionRate: 0.25,
    });
    expect(decisionRates([{ key: "x", approved: 0, rejected: 0 }])[0]?.approvalRate).toBeNull();
  });

  it("summarises the queues' waits in hours with buckets", () => {
    const [annotation, review] = queueAges([
      { queue: "annotation", seconds: 1800 },
      { queue: "annotation", seconds: 7200 },
      { queue: "annotation", seconds: 10 * 86400 },
    ]);
    expect(annotation).toMatchObject({ parts: 3, medianHours: 2, maxHours: 240 });
    expect(annotation?.buckets).toEqual({ "under 1 h": 1, "1–24 h": 1, "1–7 days": 0, "over 7 days": 1 });
    expect(review).toMatchObject({ parts: 0, medianHours: null });
  });
});

describe("analyticsCsvRows", () => {
  it("writes one row per figure, names defused by csvLine", () => {
    const report: AnalyticsReport = {
      filter: { datasetId: null, from: "2026-12-01", to: "2026-12-01" },
      generatedAt: "2026-12-01T12:00:00.000Z",
      statuses: ["in_review"],
      statusByDay: [{ day: "2026-12-01", in_review: 2 }],
      submissionsByDay: [{ day: "2026-12-01", annotatorId: "u", annotator: "=HYPERLINK(1)", parts: 2 }],
      throughput: [],
      reviewsByAnnotator: [],
      reviewsByClass: [{ key: "hole", label: "hole", approved: 1, rejected: 0, approvalRate: 1, rejectionRate: 0 }],
      prelabelByDay: [],
      prelabelByModel: [],
      classBalance: [{ feature: "hole", faces: 4, parts: 1, share: 1 }],
      queueAge: queueAges([]),
    };
    const rows = analyticsCsvRows(report);
    expect(rows[0]).toEqual(["status_by_day", "2026-12-01", "in_review", "parts", 2]);
    expect(csvLine(rows[1] ?? [])).toBe("submissions_by_day,2026-12-01,'=HYPERLINK(1),parts,2\r\n");
    expect(rows).toContainEqual(["reviews_by_class", null, "hole", "approval_rate", 1]);
    expect(rows).toContainEqual(["queue_age", null, "review", "median_hours", null]);
    expect(rows.every((r) => r.length === ANALYTICS_CSV_COLUMNS.length)).toBe(true);
  });
});
