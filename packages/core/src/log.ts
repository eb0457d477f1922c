/**
 * A tiny structured logger: one JSON object per line (`time`, `level`, `msg`, `process`, then the
 * fields). It writes through the function it is given (a process passes one that writes to its
 * stdout), so this module does no I/O and reads no configuration.
 */

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds these fields to every line. */
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  /** Which process writes (`web`, `worker`, `launcher`). */
  process: string;
  /** Receives each line, without its line feed. */
  write: (line: string) => void;
  /** Lines below this level are dropped. Default `info`. */
  level?: LogLevel;
  now?: () => Date;
  fields?: LogFields;
}

const RESERVED = new Set(["time", "level", "msg", "process"]);

/** An error as plain data (its name, message, code and stack); anything else unchanged. */
function plain(value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return {
      name: value.name,
      message: value.message,
      ...(typeof code === "string" || typeof code === "number" ? { code } : {}),
      ...(value.stack ? { stack: value.stack } : {}),
    };
  }
  return value;
}

/** JSON of anything: errors as data, bigints as strings, cycles cut, never throws. */
function toJson(record: Record<string, unknown>): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(record, (_key, v: unknown) => {
    const value = plain(v);
    if (typeof value === "bigint") return value.toString();
    if (typeof value === "object" && value !== null) {
      if (seen.has(value)) return "[circular]";
      seen.add(value);
    }
    return value;
  });
}

export function createLogger(o: LoggerOptions): Logger {
  const min = LOG_LEVELS.indexOf(o.level ?? "info");
  const now = o.now ?? (() => new Date());
  const make = (base: LogFields): Logger => {
    const line = (level: LogLevel, msg: string, fields?: LogFields) => {
      if (LOG_LEVELS.indexOf(level) < min) return;
      const record: Record<string, unknown> = { time: now().toISOString(), level, msg, process: o.process };
      for (const [k, v] of Object.entries({ ...base, ...fields })) {
        if (v === undefined) continue;
        // a field never overwrites the line's own keys
        record[RESERVED.has(k) ? `field_${k}` : k] = v;
      }
      o.write(toJson(record));
    };
    return {
      debug: (m, f) => line("debug", m, f),
      info: (m, f) => line("info", m, f),
      warn: (m, f) => line("warn", m, f),
      error: (m, f) => line("error", m, f),
      child: (fields) => make({ ...base, ...fields }),
    };
  };
  return make(o.fields ?? {});
}

/** A request id from outside is used only if it is short and plain (letters, digits, `-._:`). */
const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function isWellFormedRequestId(value: unknown): value is string {
  return typeof value === "string" && REQUEST_ID.test(value);
}
