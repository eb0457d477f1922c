import { describe, expect, it } from "vitest";
import { escapeLabelValue, formatPrometheus, Histogram, LATENCY_BUCKETS, type MetricFamily } from "./prometheus";

interface Parsed {
  help: Map<string, string>;
  type: Map<string, string>;
  samples: Array<{ name: string; labels: Record<string, string>; value: number }>;
}

/**
 * A reader of the text format written from its grammar (not from the writer): comment lines, then
 * `name{label="value",...} value`, label values read character by character with their escapes.
 */
function parse(text: string): Parsed {
  expect(text.endsWith("\n")).toBe(true);
  const out: Parsed = { help: new Map(), type: new Map(), samples: [] };
  for (const line of text.slice(0, -1).split("\n")) {
    const comment = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (comment) {
      const [, kind, name, rest] = comment as unknown as [string, string, string, string];
      if (kind === "HELP")
        out.help.set(
          name,
          rest.replace(/\\(.)/g, (_m, c: string) => (c === "n" ? "\n" : c)),
        );
      else out.type.set(name, rest);
      continue;
    }
    const head = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
    if (!head) throw new Error(`not a sample line: ${line}`);
    const name = head[1] as string;
    let i = name.length;
    const labels: Record<string, string> = {};
    if (line[i] === "{") {
      i++;
      while (line[i] !== "}") {
        const ln = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(line.slice(i));
        if (!ln) throw new Error(`bad label at ${i}: ${line}`);
        i += ln[0].length;
        let v = "";
        while (line[i] !== '"') {
          if (i >= line.length) throw new Error(`unterminated label value: ${line}`);
          if (line[i] === "\\") {
            const c = line[i + 1];
            if (c === "n") v += "\n";
            else if (c === "\\" || c === '"') v += c;
            else throw new Error(`bad escape \\${c}: ${line}`);
            i += 2;
          } else v += line[i++];
        }
        i++;
        labels[ln[1] as string] = v;
        if (line[i] === ",") i++;
        else if (line[i] !== "}") throw new Error(`expected , or } at ${i}: ${line}`);
      }
      i++;
    }
    const rest = line.slice(i);
    const m = /^ (\S+)$/.exec(rest);
    if (!m) throw new Error(`bad value part ${JSON.stringify(rest)}: ${line}`);
    const raw = m[1] as string;
    const value = raw === "+Inf" ? Infinity : raw === "-Inf" ? -Infinity : raw === "NaN" ? NaN : Number(raw);
    if (raw !== "NaN" && Number.isNaN(value)) throw new Error(`bad number ${raw}`);
    out.samples.push({ name, labels, value });
  }
  return out;
}

describe("formatPrometheus", () => {
  it("writes HELP and TYPE lines and samples that a reader of the format reads back, awkward label values included", () => {
    const awkward = 'a "quoted" back\\slash\nnew line, {braces}=';
    const text = formatPrometheus([
      {
        name: "facet_parts",
        help: "Parts by status.\nSecond line with a \\ backslash",
        type: "gauge",
        samples: [
          { labels: { workspace: "acme", status: "pre_labeled" }, value: 3 },
          { labels: { workspace: awkward, status: "failed" }, value: 0 },
        ],
      },
      { name: "facet_up", help: "1", type: "gauge", samples: [{ value: 1 }] },
      { name: "facet_jobs_failed_total", help: "f", type: "counter", samples: [{ labels: { kind: "x" }, value: 2.5 }] },
    ]);
    const p = parse(text);
    expect(p.help.get("facet_parts")).toBe("Parts by status.\nSecond line with a \\ backslash");
    expect(p.type.get("facet_parts")).toBe("gauge");
    expect(p.type.get("facet_jobs_failed_total")).toBe("counter");
    expect(p.samples).toEqual([
      { name: "facet_parts", labels: { workspace: "acme", status: "pre_labeled" }, value: 3 },
      { name: "facet_parts", labels: { workspace: awkward, status: "failed" }, value: 0 },
      { name: "facet_up", labels: {}, value: 1 },
      { name: "facet_jobs_failed_total", labels: { kind: "x" }, value: 2.5 },
    ]);
    // one sample a line: the escaped new line did not break the line
    expect(text.split("\n").filter((l) => l.startsWith("facet_parts{"))).toHaveLength(2);
  });

  it('writes a histogram as cumulative buckets up to le="+Inf", then _sum and _count', () => {
    const text = formatPrometheus([
      {
        name: "facet_ingest_lag_seconds",
        help: "Upload to pre-labelled.",
        type: "histogram",
        series: [{ labels: { workspace: "acme" }, bounds: [1, 5, 30], counts: [2, 0, 3, 1], sum: 70.5 }],
      },
    ]);
    const p = parse(text);
    expect(p.type.get("facet_ingest_lag_seconds")).toBe("histogram");
    const buckets = p.samples.filter((s) => s.name === "facet_ingest_lag_seconds_bucket");
    expect(buckets.map((b) => [b.labels.le, b.value])).toEqual([
      ["1", 2],
      ["5", 2],
      ["30", 5],
      ["+Inf", 6],
    ]);
    expect(buckets.every((b) => b.labels.workspace === "acme")).toBe(true);
    expect(p.samples.find((s) => s.name === "facet_ingest_lag_seconds_sum")).toEqual({
      name: "facet_ingest_lag_seconds_sum",
      labels: { workspace: "acme" },
      value: 70.5,
    });
    expect(p.samples.find((s) => s.name === "facet_ingest_lag_seconds_count")?.value).toBe(6);
  });

  it("spells NaN and the infinities as Prometheus reads them", () => {
    const p = parse(
      formatPrometheus([
        {
          name: "g",
          help: "h",
          type: "gauge",
          samples: [{ value: NaN }, { value: Infinity }, { value: -Infinity }, { value: 1e-7 }],
        },
      ]),
    );
    expect(p.samples.map((s) => s.value)).toEqual([NaN, Infinity, -Infinity, 1e-7]);
  });

  it("refuses bad metric and label names, a reserved le, repeated families and inconsistent histograms", () => {
    const g = (over: Partial<MetricFamily>): MetricFamily =>
      ({ name: "ok", help: "h", type: "gauge", samples: [], ...over }) as MetricFamily;
    expect(() => formatPrometheus([g({ name: "1bad" })])).toThrow(/metric name/);
    expect(() => formatPrometheus([g({ name: "a-b" })])).toThrow(/metric name/);
    expect(() => formatPrometheus([g({ samples: [{ labels: { "bad-name": "x" }, value: 1 }] } as never)])).toThrow(
      /label name/,
    );
    expect(() => formatPrometheus([g({ samples: [{ labels: { __name__: "x" }, value: 1 }] } as never)])).toThrow(
      /label name/,
    );
    expect(() => formatPrometheus([g({}), g({})])).toThrow(/twice/);
    const h = (bounds: number[], counts: number[], labels = {}): MetricFamily => ({
      name: "h",
      help: "h",
      type: "histogram",
      series: [{ labels, bounds, counts, sum: 0 }],
    });
    expect(() => formatPrometheus([h([1, 2], [0, 0])])).toThrow(/one count per bound/);
    expect(() => formatPrometheus([h([2, 1], [0, 0, 0])])).toThrow(/increasing/);
    expect(() => formatPrometheus([h([1], [0, 0], { le: "1" })])).toThrow(/reserved/);
  });

  it("escapes a label value's backslash, quote and line feed only", () => {
    expect(escapeLabelValue('a\\b"c\nd\te')).toBe('a\\\\b\\"c\\nd\te');
  });

  it("writes nothing for no families", () => {
    expect(formatPrometheus([])).toBe("");
  });
});

describe("Histogram", () => {
  it("counts observations into the first bucket whose bound they do not exceed, by label set", () => {
    const h = new Histogram([0.1, 1]);
    h.observe({ route: "/a", method: "GET" }, 0.1);
    h.observe({ method: "GET", route: "/a" }, 0.5); // same series, labels in another order
    h.observe({ route: "/a", method: "GET" }, 7);
    h.observe({ route: "/b", method: "GET" }, 0.01);
    h.observe({ route: "/b", method: "GET" }, Number.NaN); // ignored
    const p = parse(formatPrometheus([{ name: "d", help: "h", type: "histogram", series: h.snapshot() }]));
    const of = (route: string, le: string) =>
      p.samples.find((s) => s.name === "d_bucket" && s.labels.route === route && s.labels.le === le)?.value;
    expect([of("/a", "0.1"), of("/a", "1"), of("/a", "+Inf")]).toEqual([1, 2, 3]);
    expect([of("/b", "0.1"), of("/b", "+Inf")]).toEqual([1, 1]);
    expect(p.samples.find((s) => s.name === "d_sum" && s.labels.route === "/a")?.value).toBeCloseTo(7.6);
  });

  it("keeps at most maxSeries label sets: the rest count under _other", () => {
    const h = new Histogram(LATENCY_BUCKETS, 3);
    for (let i = 0; i < 50; i++) h.observe({ route: `/r${i}` }, 0.001);
    const series = h.snapshot();
    expect(series).toHaveLength(4);
    const other = series.find((s) => s.labels?.route === "_other");
    expect(other?.counts.reduce((a, b) => a + b, 0)).toBe(47);
  });
});
