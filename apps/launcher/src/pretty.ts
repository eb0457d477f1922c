import { z } from "zod";

/**
 * How `npm start` shows its children's output. The web app and the worker write JSON lines
 * (@facet/core's logger); `pretty` (the default) turns each into one readable line — time, process,
 * level, message, then the fields — and passes any other line through as `[name] line`. `json`
 * (FACET_LOG_FORMAT=json) keeps the JSON lines as they are and wraps other lines in the same shape,
 * for a log collector.
 */
export const logFormatSchema = z.enum(["pretty", "json"]).default("pretty");
export type LogFormat = z.infer<typeof logFormatSchema>;

/** FACET_LOG_FORMAT (empty: unset); a bad value throws with the variable's name. */
export function parseLogFormat(value: string | undefined): LogFormat {
  const r = logFormatSchema.safeParse(value === "" ? undefined : value);
  if (!r.success) throw new Error(`FACET_LOG_FORMAT: expected "pretty" or "json", got ${JSON.stringify(value)}`);
  return r.data;
}

interface Record {
  time?: unknown;
  level: string;
  msg: string;
  process?: unknown;
  [field: string]: unknown;
}

/** A line of @facet/core's logger (an object with a string `level` and `msg`), or null. */
export function parseLogLine(line: string): Record | null {
  if (!line.startsWith("{")) return null;
  try {
    const v = JSON.parse(line) as unknown;
    if (typeof v !== "object" || v === null || Array.isArray(v)) return null;
    const r = v as Record;
    return typeof r.level === "string" && typeof r.msg === "string" ? r : null;
  } catch {
    return null;
  }
}

/** Shown first, in this order, when a line has them. */
const KEY_FIELDS = ["method", "route", "status", "duration_ms", "kind", "job_id", "facet_job_id", "request_id"];
const COLOURS: { [level: string]: string } = { error: "\x1b[31m", warn: "\x1b[33m", debug: "\x1b[2m" };

function fieldValue(v: unknown): string {
  if (typeof v === "string") return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  if (typeof v === "object" && v !== null && typeof (v as { message?: unknown }).message === "string") {
    return JSON.stringify((v as { message: string }).message); // an error: its message (the stack stays in the log file)
  }
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

/** `12:30:01.234` of an ISO time, else the text as it is. */
function clock(time: unknown): string {
  return typeof time === "string" && /T\d\d:\d\d:\d\d/.test(time) ? (time.split("T")[1] ?? "").replace(/Z$/, "") : "";
}

/**
 * One line of a child's output as `npm start` shows it. `name` is the child (`web`, `worker`);
 * `stream` where the line came from (a non-JSON line on stderr counts as a warning in `json`).
 */
export function formatChildLine(
  name: string,
  line: string,
  o: { format: LogFormat; stream?: "stdout" | "stderr"; colour?: boolean; now?: () => Date },
): string {
  const record = parseLogLine(line);
  if (o.format === "json") {
    if (record) return line;
    const time = (o.now ?? (() => new Date()))().toISOString();
    return JSON.stringify({ time, level: o.stream === "stderr" ? "warn" : "info", msg: line, process: name });
  }
  if (!record) return `[${name}] ${line}`;
  const { time, level, msg, process: proc, ...fields } = record;
  const keys = [
    ...KEY_FIELDS.filter((k) => k in fields),
    ...Object.keys(fields).filter((k) => !KEY_FIELDS.includes(k)),
  ];
  const rest = keys.map((k) => `${k}=${fieldValue(fields[k])}`).join(" ");
  const levelText = level.toUpperCase().padEnd(5);
  const colour = o.colour ? COLOURS[level] : undefined;
  const shownLevel = colour ? `${colour}${levelText}\x1b[0m` : levelText;
  const who = (typeof proc === "string" && proc ? proc : name).padEnd(8);
  const when = clock(time);
  return `${when ? `${when} ` : ""}${who} ${shownLevel} ${msg}${rest ? `  ${rest}` : ""}`;
}
