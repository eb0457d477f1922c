import { describe, expect, it } from "vitest";
import { auditFilterQuery, parseAuditFilter } from "./audit-filter";

const ID = "0b7e6f2c-6a3e-4a0e-9d1c-3f2b1a0c9e8d";

describe("the audit filter", () => {
  it("reads every parameter and writes it back the same", () => {
    const f = parseAuditFilter(
      `actor=${ID.toUpperCase()}&action=part.&part=${ID}&dataset=${ID}&period=2026-11-01..2026-11-30`,
    );
    expect(f).toEqual({
      actor: ID,
      action: "part.",
      part: ID,
      dataset: ID,
      period: { min: "2026-11-01", max: "2026-11-30" },
    });
    expect(parseAuditFilter(auditFilterQuery(f))).toEqual(f);
    expect(parseAuditFilter("period=2026-11-02")).toEqual({ period: { min: "2026-11-02", max: "2026-11-02" } });
    expect(parseAuditFilter("period=..2026-11-02&action=")).toEqual({ period: { max: "2026-11-02" } });
    expect(parseAuditFilter("cursor=x&format=csv", { ignore: ["cursor", "format"] })).toEqual({});
  });

  it("refuses what it cannot read, naming the parameter", () => {
    for (const [q, message] of [
      ["who=x", /unknown parameter "who"/],
      ["actor=me", /actor: "me" is not an id/],
      ["action=DROP TABLE", /action: "DROP TABLE" is not an action/],
      ["period=2026-02-30", /not a day/],
      ["period=2026-12-01..2026-11-01", /lower bound is above the upper/],
      [`part=${ID}&part=${ID}`, /part is given twice/],
    ] as const)
      expect(() => parseAuditFilter(q), q).toThrow(message);
  });
});
