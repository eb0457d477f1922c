import { describe, expect, it } from "vitest";
import { createLogger, isWellFormedRequestId } from "./log";

const at = new Date("2026-12-05T12:00:00.123Z");

function capture(level?: "debug" | "info" | "warn" | "error") {
  const lines: string[] = [];
  const log = createLogger({ process: "web", write: (l) => lines.push(l), now: () => at, level });
  return { lines, log, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe("createLogger", () => {
  it("writes one JSON object per line: time, level, msg, process, then the fields", () => {
    const { lines, log, records } = capture();
    log.info("request", { method: "GET", status: 200, duration_ms: 3.5, nothing: undefined });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(
      '{"time":"2026-12-05T12:00:00.123Z","level":"info","msg":"request","process":"web","method":"GET","status":200,"duration_ms":3.5}',
    );
    expect(records()[0]).not.toHaveProperty("nothing");
  });

  it("keeps a line on one line whatever the message holds", () => {
    const { lines, log } = capture();
    log.warn("two\nlines", { body: "a\r\nb" });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/[\r\n]/);
    expect(JSON.parse(lines[0] as string).msg).toBe("two\nlines");
  });

  it("drops lines below its level", () => {
    const { log, records } = capture("warn");
    log.debug("d");
    log.info("i");
    log.warn("w");
    log.error("e");
    expect(records().map((r) => r.level)).toEqual(["warn", "error"]);
  });

  it("child loggers add their fields; a field never overwrites time, level, msg or process", () => {
    const { log, records } = capture();
    log.child({ job_id: "7", kind: "tessellate" }).error("job failed", { level: "fake", process: "other", kind: "x" });
    expect(records()[0]).toEqual({
      time: at.toISOString(),
      level: "error",
      msg: "job failed",
      process: "web",
      job_id: "7",
      kind: "x",
      field_level: "fake",
      field_process: "other",
    });
  });

  it("writes errors as data, bigints as strings, and cuts cycles instead of throwing", () => {
    const { log, records } = capture();
    const e = Object.assign(new Error("boom"), { code: "E_BOOM" });
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    log.error("failed", { error: e, big: 10n, cyclic });
    const r = records()[0] as { error: Record<string, unknown>; big: string; cyclic: Record<string, unknown> };
    expect(r.error).toMatchObject({ name: "Error", message: "boom", code: "E_BOOM" });
    expect(String(r.error.stack)).toContain("boom");
    expect(r.big).toBe("10");
    expect(r.cyclic).toEqual({ a: 1, self: "[circular]" });
  });
});

describe("isWellFormedRequestId", () => {
  it("accepts short plain ids and refuses anything else", () => {
    expect(isWellFormedRequestId("3f1c0a9e-0000-4000-8000-000000000001")).toBe(true);
    expect(isWellFormedRequestId("req_abc.123:4")).toBe(true);
    expect(isWellFormedRequestId("")).toBe(false);
    expect(isWellFormedRequestId("a".repeat(129))).toBe(false);
    expect(isWellFormedRequestId("has space")).toBe(false);
    expect(isWellFormedRequestId('x"}\n{"level":"error"')).toBe(false);
    expect(isWellFormedRequestId(["a"])).toBe(false);
  });
});
