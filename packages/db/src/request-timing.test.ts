import { describe, expect, it } from "vitest";
import { collectTimings, RequestTimings, timed } from "./request-timing";

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("request timings", () => {
  it("adds up each phase of the request it collects, and only that request's", async () => {
    const a = new RequestTimings();
    const b = new RequestTimings();
    await Promise.all([
      collectTimings(a, async () => {
        await timed("tx.pool", () => tick(5));
        await timed("tx.pool", () => tick(5));
        await timed("auth", () => tick(1));
      }),
      collectTimings(b, () => timed("body", () => tick(2))),
    ]);
    expect([...a.phases.keys()]).toEqual(["tx.pool", "auth"]);
    expect(a.phases.get("tx.pool")).toBeGreaterThanOrEqual(9);
    expect([...b.phases.keys()]).toEqual(["body"]);
    expect(a.header()).toMatch(/^tx\.pool;dur=\d+\.\d\d, auth;dur=\d+\.\d\d$/);
  });

  it("counts a phase that throws, and passes the error on", async () => {
    const t = new RequestTimings();
    await expect(
      collectTimings(t, () =>
        timed("rate", async () => {
          throw new Error("refused");
        }),
      ),
    ).rejects.toThrow("refused");
    expect(t.phases.has("rate")).toBe(true);
  });

  it("outside a collected request, runs the work and records nothing", async () => {
    await expect(timed("auth", async () => 42)).resolves.toBe(42);
  });
});
