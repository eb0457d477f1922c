import { day, type Range, range } from "./curation/catalog-filter";
import { AppError } from "./errors";

/**
 * The audit log's filter, one syntax for the Admin page's address, the API and the CSV download.
 * Every parameter narrows the result:
 *
 *   actor=<user id>                 who did it
 *   action=part.status_changed      the action; a prefix ending in "." takes all its actions (part.)
 *   part=<part id>                  events about the part
 *   dataset=<dataset id>            events about the dataset or about one of its parts
 *   period=2026-11-01..2026-11-30   the day it happened (inclusive, UTC; either bound may be left out)
 */
export interface AuditFilter {
  actor?: string;
  action?: string;
  part?: string;
  dataset?: string;
  period?: Range<string>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** An action (`part.status_changed`) or a prefix of actions ending in a dot (`part.`). */
const ACTION = /^[a-z_]+(\.[a-z_]+)*\.?$/;
const KNOWN = ["actor", "action", "part", "dataset", "period"] as const;

function bad(message: string): never {
  throw new AppError("VALIDATION_FAILED", `audit filter: ${message}`);
}

/** Read the filter from a query string or URLSearchParams; `ignore` lists the caller's own parameters. */
export function parseAuditFilter(
  input: string | URLSearchParams,
  options: { ignore?: readonly string[] } = {},
): AuditFilter {
  const params = typeof input === "string" ? new URLSearchParams(input.replace(/^\?/, "")) : input;
  const ignore = new Set(options.ignore ?? []);
  const f: AuditFilter = {};
  const seen = new Set<string>();
  for (const [name, rawValue] of params) {
    if (ignore.has(name)) continue;
    if (!(KNOWN as readonly string[]).includes(name)) bad(`unknown parameter "${name}" (known: ${KNOWN.join(", ")})`);
    if (seen.has(name)) bad(`${name} is given twice`);
    seen.add(name);
    const raw = rawValue.trim();
    if (!raw) continue; // an empty field of the page's form: no condition
    if (raw.length > 200) bad(`${name} is too long`);
    switch (name) {
      case "actor":
      case "part":
      case "dataset":
        if (!UUID.test(raw)) bad(`${name}: "${raw}" is not an id`);
        f[name] = raw.toLowerCase();
        break;
      case "action":
        if (!ACTION.test(raw)) bad(`action: "${raw}" is not an action (part.status_changed) or a prefix (part.)`);
        f.action = raw;
        break;
      case "period":
        f.period = range(name, raw, day, "a day (YYYY-MM-DD)", bad);
        break;
    }
  }
  return f;
}

/** The filter as a query string (no `?`), in a fixed order: parse(stringify(f)) = f. */
export function auditFilterQuery(f: AuditFilter): string {
  const p = new URLSearchParams();
  for (const key of ["actor", "action", "part", "dataset"] as const) {
    const v = f[key];
    if (v) p.set(key, v);
  }
  if (f.period) {
    const { min, max } = f.period;
    p.set("period", min !== undefined && min === max ? min : `${min ?? ""}..${max ?? ""}`);
  }
  return p.toString();
}
