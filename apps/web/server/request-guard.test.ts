import { createServer, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { refuseMalformedUrl, sanitizeHeaders } from "./request-guard";

describe("refuseMalformedUrl", () => {
  it.each([
    ["/api/%", "application/json"],
    ["/api/workspaces/a/datasets/50%", "application/json"],
    ["/api/%E0%A4%A", "application/json"],
    ["/api/x%00y", "application/json"],
    ["/w/%zz", "text/plain; charset=utf-8"],
  ])("refuses %s with a 400 in the kind of answer its path expects", (url, type) => {
    const r = refuseMalformedUrl(url);
    expect(r).toMatchObject({ status: 400, contentType: type });
    if (type === "application/json") {
      expect(JSON.parse(r?.body ?? "")).toEqual({
        error: { code: "BAD_REQUEST", message: expect.stringContaining("malformed request URL") },
      });
    }
  });

  it.each(["/", "/api/health", "/api/workspaces/a/datasets/50%25%20done/status", "/w/a?q=%", "/s/abc_DEF-123"])(
    "lets %s through",
    (url) => expect(refuseMalformedUrl(url)).toBeNull(),
  );
});

/** What a handler behind the guard receives for a request with these headers. */
async function seen(hops: number, sent: Record<string, string>): Promise<IncomingHttpHeaders> {
  const server = createServer((req, res) => {
    sanitizeHeaders(req.headers, hops);
    res.end(JSON.stringify(req.headers));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise((resolve, reject) => {
      const req = httpRequest({ host: "127.0.0.1", port, path: "/", headers: sent }, (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve(JSON.parse(body)));
      });
      req.on("error", reject);
      req.end();
    });
  } finally {
    server.close();
  }
}

describe("sanitizeHeaders (a real HTTP server)", () => {
  const forged = {
    "x-forwarded-for": "6.6.6.6",
    "x-forwarded-host": "evil.example",
    "x-forwarded-proto": "https",
    forwarded: "for=6.6.6.6",
    "x-real-ip": "6.6.6.6",
    "x-middleware-subrequest": "middleware",
  };

  it("drops what a client says about where it comes from when no proxy is trusted", async () => {
    const h = await seen(0, forged);
    for (const name of Object.keys(forged)) expect(h[name], name).toBeUndefined();
  });

  it("keeps the forwarding headers behind a trusted proxy, never Next.js' internal ones", async () => {
    const h = await seen(1, forged);
    expect(h["x-forwarded-for"]).toBe("6.6.6.6");
    expect(h["x-forwarded-host"]).toBe("evil.example");
    expect(h["x-middleware-subrequest"]).toBeUndefined();
  });
});
