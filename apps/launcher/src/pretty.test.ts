import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createLogger } from "@facet/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { formatChildLine, parseLogFormat, parseLogLine } from "./pretty";
import { Supervised } from "./supervisor";

/** A line exactly as the web process's logger writes it. */
function webLine(msg: string, fields: Record<string, unknown>, level: "info" | "warn" | "error" = "info"): string {
  let line = "";
  const log = createLogger({
    process: "web",
    write: (l) => {
      line = l;
    },
    now: () => new Date("2026-12-05T12:30:01.234Z"),
  });
  log[level](msg, fields);
  return line;
}

describe("formatChildLine (pretty)", () => {
  it("shows a request line as time, process, level, message, then the key fields first", () => {
    const line = webLine("request", {
      request_id: "r-1",
      method: "GET",
      route: "/api/workspaces/[ws]",
      status: 200,
      duration_ms: 3.25,
      extra: "two words",
    });
    expect(formatChildLine("web", line, { format: "pretty" })).toBe(
      '12:30:01.234 web      INFO  request  method=GET route=/api/workspaces/[ws] status=200 duration_ms=3.25 request_id=r-1 extra="two words"',
    );
  });

  it("shows an error by its message, and colours warnings and errors only when asked", () => {
    const line = webLine("job failed", { kind: "tessellate", job_id: "7", error: new Error("no shape") }, "error");
    expect(formatChildLine("worker", line, { format: "pretty" })).toBe(
      '12:30:01.234 web      ERROR job failed  kind=tessellate job_id=7 error="no shape"',
    );
    expect(formatChildLine("worker", line, { format: "pretty", colour: true })).toContain("\x1b[31mERROR\x1b[0m");
    expect(formatChildLine("worker", webLine("ok", {}), { format: "pretty", colour: true })).not.toContain("\x1b[");
  });

  it("passes any other line through with the child's name, as before", () => {
    for (const line of ["> Facet web app ready", "{not json", '{"a":1}', "[1,2]", ""]) {
      expect(formatChildLine("web", line, { format: "pretty" })).toBe(`[web] ${line}`);
    }
  });
});

describe("formatChildLine (json)", () => {
  it("keeps JSON log lines as they are and wraps other lines in the same shape", () => {
    const line = webLine("request", { status: 200 });
    expect(formatChildLine("web", line, { format: "json" })).toBe(line);
    const now = () => new Date("2026-12-05T12:00:00.000Z");
    const wrapped = formatChildLine("web", "plain text", { format: "json", stream: "stderr", now });
    expect(JSON.parse(wrapped)).toEqual({
      time: "2026-12-05T12:00:00.000Z",
      level: "warn",
      msg: "plain text",
      process: "web",
    });
    expect(parseLogLine(wrapped)).not.toBeNull();
  });
});

describe("parseLogFormat", () => {
  it("defaults to pretty, takes json, refuses anything else by name", () => {
    expect(parseLogFormat(undefined)).toBe("pretty");
    expect(parseLogFormat("")).toBe("pretty");
    expect(parseLogFormat("json")).toBe("json");
    expect(() => parseLogFormat("yaml")).toThrow(/FACET_LOG_FORMAT/);
  });
});

describe("Supervised shows a real child's lines", () => {
  let dir = "";
  afterEach(async () => {
    vi.restoreAllMocks();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function run(format: "pretty" | "json") {
    dir = await mkdtemp(path.join(os.tmpdir(), "facet-supervised-"));
    const shown: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      shown.push(String(chunk));
      return true;
    });
    const script = [
      `console.log(${JSON.stringify(webLine("request", { method: "GET", status: 204, request_id: "abc" }))});`,
      'console.log("plain line");',
      'console.error("on stderr");',
      "setInterval(() => {}, 1000);", // runs until stopped: no restart in the middle of the test
    ].join("");
    const logFile = path.join(dir, "child.log");
    const child = new Supervised(
      {
        name: "web",
        command: process.execPath,
        args: ["-e", script],
        cwd: dir,
        env: {},
        logFile,
        stopTimeoutMs: 1000,
        logFormat: format,
      },
      () => undefined,
      () => undefined,
    );
    child.start();
    for (let i = 0; i < 200 && shown.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    await child.stop();
    vi.restoreAllMocks();
    return { shown, file: await readFile(logFile, "utf8") };
  }

  it("pretty: JSON lines made readable, other lines prefixed; the log file keeps the lines as they came", async () => {
    const { shown, file } = await run("pretty");
    expect(shown).toContain("12:30:01.234 web      INFO  request  method=GET status=204 request_id=abc\n");
    expect(shown).toContain("[web] plain line\n");
    expect(shown).toContain("[web] on stderr\n");
    expect(file).toContain('"request_id":"abc"');
    expect(file).toMatch(/^\d{4}-\d\d-\d\dT[^ ]+ plain line$/m);
  });

  it("json: every console line is a JSON object", async () => {
    const { shown } = await run("json");
    const records = shown.map((l) => JSON.parse(l) as { msg: string; level: string; process: string });
    expect(records.map((r) => [r.msg, r.level, r.process]).sort()).toEqual([
      ["on stderr", "warn", "web"],
      ["plain line", "info", "web"],
      ["request", "info", "web"],
    ]);
  });
});
