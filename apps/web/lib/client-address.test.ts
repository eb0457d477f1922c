import { describe, expect, it } from "vitest";
import { clientAddress, isHttps, normaliseAddress, requestHost } from "./client-address";

const headers = (h: Record<string, string>) => new Headers(h);

describe("clientAddress", () => {
  it("without proxies reads the one address the server put there (the connection's)", () => {
    expect(clientAddress(headers({ "x-forwarded-for": "127.0.0.1" }), 0)).toBe("127.0.0.1");
    expect(clientAddress(headers({ "x-forwarded-for": "::ffff:10.1.2.3" }), 0)).toBe("10.1.2.3");
    expect(clientAddress(headers({}), 0)).toBeNull();
  });

  it("behind N proxies takes the N-th address from the right, whatever the client prepended", () => {
    const h = headers({ "x-forwarded-for": "6.6.6.6, 203.0.113.9, 10.0.0.2" });
    expect(clientAddress(h, 1)).toBe("10.0.0.2");
    expect(clientAddress(h, 2)).toBe("203.0.113.9");
    expect(clientAddress(h, 5)).toBeNull();
  });

  it("accepts only addresses", () => {
    expect(normaliseAddress("2001:db8::1")).toBe("2001:db8::1");
    expect(normaliseAddress("[2001:db8::1]")).toBe("2001:db8::1");
    expect(normaliseAddress("999.1.1.1")).toBeNull();
    expect(normaliseAddress("evil.example")).toBeNull();
    expect(normaliseAddress("1.2.3.4; drop table")).toBeNull();
  });
});

describe("requestHost and isHttps", () => {
  const h = headers({ host: "facet.internal:3000", "x-forwarded-host": "facet.example", "x-forwarded-proto": "https" });
  it("trust X-Forwarded-Host and -Proto only behind a proxy", () => {
    expect(requestHost(h, 0)).toBe("facet.internal:3000");
    expect(requestHost(h, 1)).toBe("facet.example");
    expect(isHttps(h, 0, "http://localhost:3000")).toBe(false);
    expect(isHttps(h, 1, "http://localhost:3000")).toBe(true);
    expect(isHttps(new Headers(), 0, "https://facet.example")).toBe(true);
  });
});
