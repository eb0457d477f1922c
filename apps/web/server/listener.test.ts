import { createHash, randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { createLogger } from "@facet/core";
import { FsBlobStore } from "@facet/storage";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { httpRequestDurations } from "../app/api/metrics/http";
import { API_CONTENT_SECURITY_POLICY, STATIC_SECURITY_HEADERS } from "../lib/security-headers";
import { createListener } from "./listener";

const SECRET = "listener-test-secret-0123456789abcdef";

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function send(url: string, method = "GET", headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/** The web server's listener on a real port, a real filesystem store, and a stand-in for Next.js that says so. */
async function serve(withBlobs: boolean) {
  const root = await mkdtemp(path.join(os.tmpdir(), "facet-listener-"));
  const server: Server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const store = new FsBlobStore({ root, baseUrl: base, secret: SECRET });
  const toNext: string[] = [];
  const logLines: string[] = [];
  server.on(
    "request",
    createListener({
      hops: 0,
      blobs: withBlobs ? store : null,
      log: createLogger({ process: "web", write: (line) => logLines.push(line) }),
      handle: async (req, res) => {
        toNext.push(`${req.method} ${req.url}`);
        res.writeHead(299, { "content-type": "text/plain" });
        res.end("next.js");
      },
    }),
  );
  return {
    store,
    base,
    toNext,
    logLines,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await rm(root, { recursive: true, force: true });
    },
  };
}

async function putBlob(store: FsBlobStore, bytes: Buffer): Promise<string> {
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const key = `blobs/sha256/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
  await store.put(key, Readable.from([bytes]), { size: bytes.length, sha256 });
  return key;
}

const securityHeaders = Object.fromEntries([
  ...STATIC_SECURITY_HEADERS.map((h) => [h.key.toLowerCase(), h.value]),
  ["content-security-policy", API_CONTENT_SECURITY_POLICY],
]);

/** The whole object, with its length, the blob headers and the API's security headers. */
function expectObject(a: Answer, bytes: Buffer) {
  expect(a.status).toBe(200);
  expect(a.body.equals(bytes)).toBe(true);
  expect(a.headers).toMatchObject({
    "content-type": "application/octet-stream",
    "content-length": String(bytes.length),
    "cache-control": "private, max-age=0, no-store",
    ...securityHeaders,
  });
}

function expectJsonError(a: Answer, status: number, error: Record<string, unknown>) {
  expect(a.status).toBe(status);
  expect(a.headers["content-type"]).toBe("application/json");
  expect(a.headers["cache-control"]).toBe("no-store");
  expect(a.headers).toMatchObject(securityHeaders);
  expect(JSON.parse(a.body.toString("utf8"))).toEqual({ error });
}

describe("the web server answers signed blob GETs itself (a real server and filesystem store)", () => {
  let s: Awaited<ReturnType<typeof serve>>;
  const bytes = randomBytes(200_000); // read whole, sent in one write
  let key: string;
  beforeAll(async () => {
    s = await serve(true);
    key = await putBlob(s.store, bytes);
  });
  afterAll(() => s.close());
  afterEach(() => {
    vi.useRealTimers();
    s.toNext.length = 0;
  });

  it("serves the object's bytes with its length and the API's headers, without Next.js", async () => {
    const { url } = await s.store.presignGet(key, { expiresInSeconds: 60 });
    const a = await send(url);
    expectObject(a, bytes);
    expect(a.headers["content-disposition"]).toBeUndefined();
    expect(a.headers.etag).toBeUndefined();
    expect(s.toNext).toEqual([]);
  });

  it("streams a large object (read in many chunks) with the same headers", async () => {
    const large = randomBytes(3_000_000);
    const bigKey = await putBlob(s.store, large);
    const { url } = await s.store.presignGet(bigKey, { expiresInSeconds: 60 });
    expectObject(await send(url), large);
    expect(s.toNext).toEqual([]);
  });

  it("names the download when the URL says so, answers HEAD with the headers only, ignores Range", async () => {
    const named = await s.store.presignGet(key, { expiresInSeconds: 60, downloadName: 'bracket "v2" – é.step' });
    const a = await send(named.url);
    expect(a.status).toBe(200);
    expect(a.headers["content-disposition"]).toBe(
      `attachment; filename="bracket _v2_ _ _.step"; filename*=UTF-8''bracket%20%22v2%22%20%E2%80%93%20%C3%A9.step`,
    );
    const head = await send(named.url, "HEAD");
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.headers["content-length"]).toBe(String(bytes.length));
    const ranged = await send(named.url, "GET", { range: "bytes=0-9" });
    expect(ranged.status).toBe(200);
    expect(ranged.body.equals(bytes)).toBe(true);
    expect(s.toNext).toEqual([]);
  });

  it("refuses a bad signature, another key, a changed query and an expired URL with the JSON error", async () => {
    const { url } = await s.store.presignGet(key, { expiresInSeconds: 60 });
    const invalid = { code: "FORBIDDEN", message: "this download URL is not valid", details: { reason: "invalid" } };
    const u = new URL(url);
    const sig = u.searchParams.get("sig") as string;
    const badSig = new URL(url);
    badSig.searchParams.set("sig", `${sig[0] === "A" ? "B" : "A"}${sig.slice(1)}`);
    expectJsonError(await send(badSig.href), 403, invalid);

    const other = await putBlob(s.store, randomBytes(100));
    const tamperedKey = new URL(url);
    tamperedKey.pathname = `/api/blobs/${other}`;
    expectJsonError(await send(tamperedKey.href), 403, invalid);

    const longer = new URL(url);
    longer.searchParams.set("exp", String(Number(u.searchParams.get("exp")) + 3600));
    expectJsonError(await send(longer.href), 403, invalid);
    const unsigned = new URL(url);
    unsigned.searchParams.delete("sig");
    expectJsonError(await send(unsigned.href), 403, invalid);

    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 61_000);
    const exp = new Date(Number(u.searchParams.get("exp")) * 1000).toISOString();
    expectJsonError(await send(url), 403, {
      code: "FORBIDDEN",
      message: "this download URL has expired",
      details: { reason: "expired", expiresAt: exp },
    });
    expect(s.toNext).toEqual([]);
  });

  it("answers 404 in JSON for a signed URL of an object that is not there", async () => {
    const gone = `blobs/sha256/00/00/${"0".repeat(64)}`;
    const { url } = await s.store.presignGet(gone, { expiresInSeconds: 60 });
    expectJsonError(await send(url), 404, { code: "NOT_FOUND", message: "no such object" });
  });

  it("leaves uploads, other paths and malformed URLs to what handled them before", async () => {
    const put = await s.store.presignPut(key, {
      size: bytes.length,
      sha256: key.slice(-64),
      expiresInSeconds: 60,
    });
    expect((await send(put.url, "PUT")).status).toBe(299);
    expect((await send(`${s.base}/api/blobsx/a?sig=1`)).status).toBe(299);
    expect((await send(`${s.base}/api/health`)).status).toBe(299);
    expect(s.toNext).toEqual([
      `PUT ${new URL(put.url).pathname}${new URL(put.url).search}`,
      "GET /api/blobsx/a?sig=1",
      "GET /api/health",
    ]);
    const malformed = await send(`${s.base}/api/blobs/%zz?sig=1`);
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.body.toString("utf8"))).toEqual({
      error: { code: "BAD_REQUEST", message: expect.stringContaining("malformed request URL") },
    });
    expect(s.toNext).toHaveLength(3);
  });
});

describe("without a filesystem store (S3: the signed URLs point at the bucket)", () => {
  it("hands /api/blobs to Next.js", async () => {
    const s = await serve(false);
    try {
      const { url } = await s.store.presignGet("blobs/x", { expiresInSeconds: 60 });
      expect((await send(url)).status).toBe(299);
      expect(s.toNext).toEqual([`GET ${new URL(url).pathname}${new URL(url).search}`]);
    } finally {
      await s.close();
    }
  });
});

describe("request ids, request log lines and the latency histogram", () => {
  let s: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    s = await serve(true);
  });
  afterAll(() => s.close());
  afterEach(() => {
    s.logLines.length = 0;
  });

  /** The request lines logged so far, once the server has written them (after the answer). */
  async function requestLines(n: number): Promise<Array<Record<string, unknown>>> {
    for (let i = 0; i < 50 && s.logLines.length < n; i++) await new Promise((r) => setTimeout(r, 10));
    return s.logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r.msg === "request");
  }

  it("keeps a well-formed x-request-id, sends it back and logs one JSON line with it, labelled by route pattern", async () => {
    const partId = randomUUID();
    const a = await send(`${s.base}/api/workspaces/acme/parts/${partId}?x=1`, "GET", {
      "x-request-id": "probe-42.a:b",
    });
    expect(a.status).toBe(299);
    expect(a.headers["x-request-id"]).toBe("probe-42.a:b");
    expect(s.toNext).toContain(`GET /api/workspaces/acme/parts/${partId}?x=1`);
    const [line, ...more] = await requestLines(1);
    expect(more).toEqual([]);
    expect(line).toMatchObject({
      level: "info",
      msg: "request",
      process: "web",
      request_id: "probe-42.a:b",
      method: "GET",
      route: "/api/workspaces/[ws]/parts/[partId]",
      status: 299,
    });
    expect(typeof line?.duration_ms).toBe("number");
    expect(Number.isNaN(Date.parse(String(line?.time)))).toBe(false);
    // neither the log line nor the metrics carry the ids of the path
    expect(s.logLines.join("\n")).not.toContain(partId);
    const series = httpRequestDurations().snapshot();
    expect(JSON.stringify(series)).not.toContain(partId);
    const mine = series.find(
      (x) => x.labels?.route === "/api/workspaces/[ws]/parts/[partId]" && x.labels?.status === "299",
    );
    expect(mine?.labels).toEqual({ method: "GET", route: "/api/workspaces/[ws]/parts/[partId]", status: "299" });
    expect(mine?.counts.reduce((x, y) => x + y, 0)).toBeGreaterThanOrEqual(1);
  });

  it("replaces a missing or malformed x-request-id with a new id", async () => {
    const a = await send(`${s.base}/somewhere/else`, "GET", { "x-request-id": "has spaces in it" });
    const b = await send(`${s.base}/somewhere/else`);
    const c = await send(`${s.base}/somewhere/else`, "GET", { "x-request-id": "a".repeat(200) });
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    for (const x of [a, b, c]) expect(x.headers["x-request-id"]).toMatch(uuid);
    expect(new Set([a, b, c].map((x) => x.headers["x-request-id"])).size).toBe(3);
    const lines = await requestLines(3);
    expect(lines.map((l) => l.request_id)).toEqual([a, b, c].map((x) => x.headers["x-request-id"]));
    expect(lines.every((l) => l.route === "unmatched")).toBe(true);
  });

  it("logs blob GETs answered here and malformed URLs refused here, with their status", async () => {
    const bytes = randomBytes(100);
    const key = await putBlob(s.store, bytes);
    const { url } = await s.store.presignGet(key, { expiresInSeconds: 60 });
    expect((await send(url)).status).toBe(200);
    expect((await send(`${s.base}/api/parts/%zz`)).status).toBe(400);
    const lines = await requestLines(2);
    expect(lines.map((l) => [l.route, l.status])).toEqual([
      ["/api/blobs/[...key]", 200],
      ["malformed", 400],
    ]);
    expect(s.logLines.join("\n")).not.toContain(key.split("/").pop() as string);
  });
});
