import { AppError } from "@facet/core";
import { afterEach, describe, expect, it, vi } from "vitest";

vi.mock("server-only", () => ({})); // (hoisted above the imports) a plain Node test may load server modules

import { errorResponse } from "./api.server";

describe("errorResponse", () => {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  afterEach(() => {
    lines.length = 0;
  });

  it("answers an unexpected error with a plain 500 and logs it as one JSON line with the request id", async () => {
    const res = errorResponse(new Error("disk on fire"), { method: "POST", requestId: "req-123" });
    expect(res.status).toBe(500);
    const body = await res.json();
    expect(body.error.code).toBe("INTERNAL");
    expect(JSON.stringify(body)).not.toContain("disk on fire");
    const logged = lines.map((l) => JSON.parse(l));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: "error", process: "web", method: "POST", request_id: "req-123" });
    expect(logged[0].error).toContain("disk on fire");
  });

  it("logs server-side failures of known kinds, never the caller's own mistakes", async () => {
    const mine = errorResponse(new AppError("VALIDATION_FAILED", "bad name"), { method: "GET", requestId: null });
    expect(mine.status).toBe(400);
    expect(lines).toEqual([]);
    errorResponse(new AppError("INTERNAL", "the store is unreachable"), { method: "GET", requestId: "r2" });
    expect(JSON.parse(lines[0] as string)).toMatchObject({ code: "INTERNAL", request_id: "r2" });
    spy.mockClear();
  });
});
