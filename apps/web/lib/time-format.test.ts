import { describe, expect, it } from "vitest";
import { formatDay, formatRelative, formatUtc } from "./time-format";

const NOW = Date.parse("2026-11-30T12:00:00Z");

describe("formatRelative", () => {
  it("reads recent times relatively and older ones as a day", () => {
    expect(formatRelative("2026-11-30T11:59:30Z", NOW)).toBe("just now");
    expect(formatRelative("2026-11-30T11:55:00Z", NOW)).toBe("5 min ago");
    expect(formatRelative("2026-11-30T09:00:00Z", NOW)).toBe("3 h ago");
    expect(formatRelative("2026-11-29T10:00:00Z", NOW)).toBe("1 d ago");
    expect(formatRelative("2026-11-28T12:00:00Z", NOW)).toBe("2 d ago");
    expect(formatRelative("2026-11-25T12:00:00Z", NOW)).toBe("5 d ago");
    expect(formatRelative("2026-10-01T12:00:00Z", NOW)).toBe("1 Oct 2026");
  });

  it("treats the future (clock skew) as now and leaves nonsense as it is", () => {
    expect(formatRelative("2026-11-30T12:00:30Z", NOW)).toBe("just now");
    expect(formatRelative("2026-11-30T12:05:00Z", NOW)).toBe("just now");
    expect(formatRelative("not a date", NOW)).toBe("not a date");
  });
});

describe("formatDay and formatUtc", () => {
  it("are the same wherever they run (UTC)", () => {
    expect(formatDay("2026-12-07T23:30:00Z")).toBe("7 Dec 2026");
    expect(formatUtc("2026-12-07T23:30:00Z")).toBe("7 Dec 2026, 23:30 UTC");
  });
});
