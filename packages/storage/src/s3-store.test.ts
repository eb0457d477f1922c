import { createHash, createHmac } from "node:crypto";
import { Readable } from "node:stream";
import { Sha256 } from "@aws-crypto/sha256-js";
import { blobKey } from "@facet/core";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { contentDisposition } from "./common";
import { S3BlobStore, type S3BlobStoreOptions, sha256Base64ToHex, sha256HexToBase64 } from "./s3-store";
import { collectListing } from "./testing/listing";
import { type RunningS3rver, S3RVER_CREDENTIALS, startS3rver } from "./testing/s3rver";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const CREDENTIALS = S3RVER_CREDENTIALS;
const REGION = "us-east-1";

const collect = collectListing;

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** `20261123T121948Z` → Date. */
function parseAmzDate(d: string): Date {
  expect(d).toMatch(/^\d{8}T\d{6}Z$/);
  return new Date(
    Date.UTC(+d.slice(0, 4), +d.slice(4, 6) - 1, +d.slice(6, 8), +d.slice(9, 11), +d.slice(11, 13), +d.slice(13, 15)),
  );
}

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const { createServer } = await import("node:net");
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A store at `endpoint` with the test server's credentials, path-style; `extra` overrides (bucket, …). */
function s3At(endpoint: string, extra: Partial<S3BlobStoreOptions> = {}): S3BlobStore {
  return new S3BlobStore({ bucket: "facet", region: REGION, endpoint, forcePathStyle: true, ...CREDENTIALS, ...extra });
}

/**
 * An endpoint that takes connections and never answers (a store hung behind its load balancer), with
 * a store pointed at it; `close` ends it.
 */
async function silentStore(
  timeouts?: S3BlobStoreOptions["timeouts"],
): Promise<{ store: S3BlobStore; close(): Promise<void> }> {
  const { createServer } = await import("node:net");
  const held: import("node:net").Socket[] = [];
  const silent = createServer((socket) => {
    held.push(socket);
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  const { port } = silent.address() as { port: number };
  const store = s3At(`http://127.0.0.1:${port}`, timeouts ? { timeouts } : {});
  return {
    store,
    async close() {
      for (const s of held) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    },
  };
}

/** What a call came to within `ms`: its value, its error, or that it was still waiting. */
function within<T>(call: Promise<T>, ms: number): Promise<{ value: T } | { error: Error } | "still waiting"> {
  const sentinel = new Promise<"still waiting">((r) => setTimeout(() => r("still waiting"), ms).unref());
  return Promise.race([
    call.then(
      (value) => ({ value }),
      (error: Error) => ({ error }),
    ),
    sentinel,
  ]);
}

/** A body that arrives in several chunks, as an upload does. */
function chunked(body: Buffer, size = 7): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < body.length; i += size) parts.push(body.subarray(i, i + size));
  return Readable.from(parts);
}

describe("S3BlobStore against s3rver", () => {
  let server: RunningS3rver;
  let endpoint: string;
  let store: S3BlobStore;

  beforeAll(async () => {
    server = await startS3rver(["facet"]);
    endpoint = server.endpoint;
    store = s3At(endpoint);
  });
  afterAll(() => server?.stop());
  afterEach(() => {
    vi.useRealTimers();
  });

  it("puts, heads, gets, reads whole, reads ranges and deletes", async () => {
    const body = Buffer.from("ISO-10303-21;\nHEADER;\nFILE_NAME('bracket.step');\nENDSEC;\nEND-ISO-10303-21;\n");
    const key = blobKey(sha(body));
    expect(await store.put(key, chunked(body), { size: body.length, sha256: sha(body) })).toEqual({
      size: body.length,
      sha256: sha(body),
    });
    // s3rver keeps no checksums, so it reports only the size (AWS S3 and R2 also report ChecksumSHA256).
    expect(await store.head(key)).toEqual({ size: body.length });
    expect((await readAll(await store.get(key))).equals(body)).toBe(true);
    expect((await store.read(key)).equals(body)).toBe(true);
    expect((await store.readRange(key, 0, 12)).toString()).toBe("ISO-10303-21;");
    expect((await store.readRange(key, 14, 20)).toString()).toBe("HEADER;");
    expect((await store.readRange(key, body.length - 18, body.length + 100)).toString()).toBe("END-ISO-10303-21;\n");
    expect((await store.readRange(key, body.length, body.length + 5)).length).toBe(0);
    expect((await store.readRange(key, body.length - 4, Number.MAX_SAFE_INTEGER)).toString()).toBe("21;\n");
    await store.delete(key);
    expect(await store.head(key)).toBeNull();
    await expect(store.get(key)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(store.readRange(key, 0, 1)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(store.read(key)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await store.delete(key); // deleting what is not there is not an error
  });

  it("moves a staged upload to its content address (server-side copy), and refuses a missing source", async () => {
    const body = Buffer.from("ISO-10303-21;\nHEADER;\nENDSEC;\nEND-ISO-10303-21;\n");
    const staged = `uploads/ws-1/${sha(body)}`;
    await store.put(staged, chunked(body), { size: body.length, sha256: sha(body) });
    await store.move(staged, blobKey(sha(body)));
    expect(await store.head(staged)).toBeNull();
    expect((await readAll(await store.get(blobKey(sha(body))))).equals(body)).toBe(true);
    await expect(store.move(staged, blobKey(sha(body)))).rejects.toMatchObject({ code: "NOT_FOUND" });
    await store.delete(blobKey(sha(body)));
  });

  it("stores an empty blob", async () => {
    const empty = Buffer.alloc(0);
    const key = blobKey(sha(empty));
    expect(await store.put(key, Readable.from([]), { size: 0, sha256: sha(empty) })).toEqual({
      size: 0,
      sha256: sha(empty),
    });
    expect(await store.head(key)).toEqual({ size: 0 });
    await store.delete(key);
  });

  it("refuses bytes that do not match the declared length or hash, before the store has them all", async () => {
    const body = Buffer.from("the real bytes of a part, long enough for several chunks");
    const key = blobKey(sha(body));
    const cases: [string, Readable, { size: number; sha256: string }][] = [
      ["wrong hash", chunked(body), { size: body.length, sha256: sha(Buffer.from("other")) }],
      ["too many bytes", chunked(body), { size: body.length - 1, sha256: sha(body) }],
      ["too few bytes", chunked(body), { size: body.length + 1, sha256: sha(body) }],
      ["empty body, wrong hash", Readable.from([]), { size: 0, sha256: sha(body) }],
      ["bytes for an empty blob", chunked(body), { size: 0, sha256: sha(Buffer.alloc(0)) }],
    ];
    for (const [what, stream, expected] of cases) {
      await expect(store.put(key, stream, expected), what).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
      // The upload is aborted before its last chunk, so the store never receives the declared length: S3 and R2
      // then create no object. s3rver keeps what it received of an aborted PUT (a truncated object), so all this can
      // check is that the complete body never arrived.
      const head = await store.head(key);
      if (head !== null) expect(head.size, what).toBeLessThan(Math.min(body.length, expected.size));
      await store.delete(key);
    }
  });

  it("passes on an error of the source stream", async () => {
    const key = blobKey(sha(Buffer.from("x")));
    const failing = new Readable({
      read() {
        this.destroy(new Error("disk went away"));
      },
    });
    await expect(store.put(key, failing, { size: 10, sha256: sha(Buffer.from("x")) })).rejects.toThrow(
      "disk went away",
    );
    expect(await store.head(key)).toBeNull();
  });

  it("lists keys under a prefix across pages", async () => {
    const paged = s3At(endpoint, { listPageSize: 2 });
    const bodies = ["a", "bb", "ccc", "dddd", "eeeee"].map((s) => Buffer.from(s));
    for (const b of bodies) await paged.put(blobKey(sha(b)), chunked(b), { size: b.length, sha256: sha(b) });
    const other = Buffer.from("mesh");
    await paged.put("meshes/v1/part.glb", chunked(other), { size: other.length, sha256: sha(other) });
    const blobs = bodies
      .map((b) => ({ key: blobKey(sha(b)), size: b.length }))
      .sort((x, y) => (x.key < y.key ? -1 : 1));
    expect(await collect(paged.list("blobs/"))).toEqual(blobs);
    expect(await collect(store.list("blobs/"))).toEqual(blobs);
    expect(await collect(paged.list(""))).toEqual([...blobs, { key: "meshes/v1/part.glb", size: other.length }]);
    expect(await collect(paged.list("meshes/"))).toEqual([{ key: "meshes/v1/part.glb", size: other.length }]);
    expect(await collect(paged.list("nothing/"))).toEqual([]);
    for (const { key } of await collect(paged.list(""))) await paged.delete(key);
    expect(await collect(paged.list(""))).toEqual([]);
  });

  it("reports health with HeadBucket", async () => {
    expect(await store.health()).toEqual({ ok: true, detail: `s3 bucket facet at ${endpoint}` });
    const missing = s3At(endpoint, { bucket: "no-such-bucket" });
    const h = await missing.health();
    expect(h.ok).toBe(false);
    expect(h.detail).toContain("no-such-bucket");
    expect(h.detail).toContain("404");
  });

  it("reports a store that takes connections but never answers as down within seconds, not never", async () => {
    // GET /api/health asks the store: a monitor waiting on a silent store got no answer at all
    const hanging = await silentStore();
    try {
      const h = await within(hanging.store.health(), 20_000);
      expect(h).toMatchObject({ value: { ok: false } });
      expect(typeof h === "object" && "value" in h ? h.value.detail : "").toMatch(/no answer within \d+ s/);
    } finally {
      await hanging.close();
    }
  }, 30_000);

  it("fails a HEAD, GET, read, range read, LIST, DELETE or move on a store that never answers, after its deadline", async () => {
    // without a deadline these held a worker job or a web request for as long as the connection stayed open
    const hanging = await silentStore({ requestMs: 300 });
    const key = blobKey(sha(Buffer.from("silent")));
    const calls: Array<[string, () => Promise<unknown>]> = [
      ["head", () => hanging.store.head(key)],
      ["get", () => hanging.store.get(key)],
      ["read", () => hanging.store.read(key)],
      ["readRange", () => hanging.store.readRange(key, 0, 9)],
      ["list", () => collect(hanging.store.list("blobs/"))],
      ["delete", () => hanging.store.delete(key)],
      ["move", () => hanging.store.move(`uploads/${key}`, key)],
    ];
    try {
      for (const [name, call] of calls) {
        const r = await within(call(), 15_000);
        expect(r, name).toMatchObject({ error: { name: "TimeoutError" } });
      }
    } finally {
      await hanging.close();
    }
  }, 120_000);

  it("fails an upload whose connection stays silent with UNAVAILABLE in words", async () => {
    const hanging = await silentStore({ uploadIdleMs: 500 });
    const body = Buffer.from("ISO-10303-21;\nENDSEC;\n");
    try {
      const r = await within(
        hanging.store.put(blobKey(sha(body)), chunked(body), { size: body.length, sha256: sha(body) }),
        15_000,
      );
      expect(r).toMatchObject({ error: { code: "UNAVAILABLE" } });
      expect(typeof r === "object" && "error" in r ? r.error.message : "").toBe(
        "the blob store could not be reached (TimeoutError)",
      );
    } finally {
      await hanging.close();
    }
  }, 30_000);

  it("lets a GET's body be read at its reader's pace: the request deadline ends with the answer", async () => {
    const patient = s3At(endpoint, { timeouts: { requestMs: 300, uploadIdleMs: 300 } });
    const body = Buffer.alloc(256 * 1024, 7);
    const key = blobKey(sha(body));
    await patient.put(key, chunked(body, 16 * 1024), { size: body.length, sha256: sha(body) });
    const stream = await patient.get(key);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await readAll(stream)).equals(body)).toBe(true);
    await patient.delete(key);
  });

  it("uploads through a presigned PUT with fetch and downloads through a presigned GET", async () => {
    const body = Buffer.from("ISO-10303-21;\nDATA;\n#1=CARTESIAN_POINT('',(0.,0.,0.));\nENDSEC;\n");
    const key = blobKey(sha(body));
    const put = await store.presignPut(key, { size: body.length, sha256: sha(body), expiresInSeconds: 300 });
    expect(put.method).toBe("PUT");
    expect(put.headers).toEqual({
      "content-length": String(body.length),
      "x-amz-checksum-sha256": createHash("sha256").update(body).digest("base64"),
    });
    const up = await fetch(put.url, { method: "PUT", headers: put.headers, body });
    expect(up.status).toBe(200);
    expect(await store.head(key)).toEqual({ size: body.length });
    expect((await readAll(await store.get(key))).equals(body)).toBe(true);

    const name = 'bracket "v2" – é.step';
    const get = await store.presignGet(key, { expiresInSeconds: 60, downloadName: name });
    expect(get).toMatchObject({ method: "GET", headers: {} });
    const down = await fetch(get.url);
    expect(down.status).toBe(200);
    expect(down.headers.get("content-disposition")).toBe(contentDisposition(name));
    expect(Buffer.from(await down.arrayBuffer()).equals(body)).toBe(true);
    await store.delete(key);
  });

  it("has the server refuse a presigned URL once it has expired", async () => {
    const body = Buffer.from("late bytes");
    const key = blobKey(sha(body));
    await store.put(key, chunked(body), { size: body.length, sha256: sha(body) });
    // Sign an hour ago, for 60 seconds.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() - 3_600_000);
    const put = await store.presignPut(key, { size: body.length, sha256: sha(body), expiresInSeconds: 60 });
    const get = await store.presignGet(key, { expiresInSeconds: 60 });
    vi.useRealTimers();
    expect(put.expiresAt.getTime()).toBeLessThan(Date.now());

    const up = await fetch(put.url, { method: "PUT", headers: put.headers, body: Buffer.alloc(body.length, "x") });
    expect(up.status).toBe(403);
    expect(await up.text()).toContain("Request has expired");
    const down = await fetch(get.url);
    expect(down.status).toBe(403);
    expect(await down.text()).toContain("Request has expired");
    // Nothing was overwritten.
    expect((await readAll(await store.get(key))).equals(body)).toBe(true);
    await store.delete(key);
  });

  it("refuses a write the store will not take (no such bucket, store unreachable) with UNAVAILABLE in words, naming no endpoint", async () => {
    // issue 21, faults: Node's and the SDK's messages ("connect ECONNREFUSED 127.0.0.1:…", the
    // bucket's name) reached users as a part's failure reason
    const body = Buffer.from("ISO-10303-21;\nEND-ISO-10303-21;\n");
    const expected = { size: body.length, sha256: sha(body) };
    const refusal = async (s: S3BlobStore) => {
      try {
        await s.put(blobKey(sha(body)), chunked(body), expected);
        return null;
      } catch (e) {
        return e as Error & { code?: string };
      }
    };
    const noBucket = s3At(endpoint, { bucket: "no-such-bucket" });
    const closed = `http://127.0.0.1:${await closedPort()}`;
    const unreachable = s3At(closed);
    for (const [s, words] of [
      [noBucket, /refused the write/],
      [unreachable, /could not be reached/],
    ] as const) {
      const e = await refusal(s);
      expect(e?.code, String(e)).toBe("UNAVAILABLE");
      expect(e?.message).toMatch(words);
      expect(e?.message).not.toMatch(/127\.0\.0\.1|localhost|no-such-bucket|:\d{2,5}\b/);
    }
  });
});

describe("S3BlobStore presigned URLs, checked as S3 checks them", () => {
  // No request is sent: presigning is local.
  const store = s3At("http://127.0.0.1:9000");
  const body = Buffer.from("ISO-10303-21;\nHEADER;\nENDSEC;\n");
  const hash = sha(body);
  const key = blobKey(hash);

  /**
   * What S3 does with a presigned request: recompute the signature over the method, the path, the query (less the
   * signature) and the headers named in X-Amz-SignedHeaders (taken from the request: a missing one fails), with
   * `@smithy/signature-v4` and an independent SHA-256; then check the expiry.
   */
  async function s3WouldAccept(
    request: { method: string; url: string; headers: Record<string, string> },
    now = new Date(),
  ): Promise<boolean> {
    const u = new URL(request.url);
    const q = u.searchParams;
    const given = q.get("X-Amz-Signature");
    const signingDate = parseAmzDate(q.get("X-Amz-Date")!);
    const expiresIn = Number(q.get("X-Amz-Expires"));
    const [accessKeyId, , region, service] = q.get("X-Amz-Credential")!.split("/");
    if (accessKeyId !== CREDENTIALS.accessKeyId || region !== REGION || service !== "s3") return false;

    const headers: Record<string, string> = { "X-Amz-Content-Sha256": q.get("X-Amz-Content-Sha256")! };
    for (const name of q.get("X-Amz-SignedHeaders")!.split(";")) {
      const value = name === "host" ? u.host : request.headers[name];
      if (value === undefined) return false;
      headers[name] = value;
    }
    const query: Record<string, string> = {};
    for (const [k, v] of q) if (!k.startsWith("X-Amz-")) query[k] = v;

    const signer = new SignatureV4({
      credentials: CREDENTIALS,
      region: REGION,
      service: "s3",
      sha256: Sha256,
      uriEscapePath: false,
      applyChecksum: false,
    });
    const signed = await signer.presign(
      {
        method: request.method,
        protocol: u.protocol,
        hostname: u.hostname,
        port: Number(u.port),
        path: u.pathname,
        query,
        headers,
      },
      { signingDate, expiresIn, unhoistableHeaders: new Set(["x-amz-checksum-sha256"]) },
    );
    const recomputed = signed.query?.["X-Amz-Signature"];
    expect(signed.query?.["X-Amz-SignedHeaders"]).toBe(q.get("X-Amz-SignedHeaders"));
    if (recomputed !== given) return false;
    return now.getTime() < signingDate.getTime() + expiresIn * 1000;
  }

  it("signs content-length and x-amz-checksum-sha256 as headers, with the requested expiry", async () => {
    const put = await store.presignPut(key, { size: body.length, sha256: hash, expiresInSeconds: 300 });
    const u = new URL(put.url);
    const q = u.searchParams;
    expect(u.pathname).toBe(`/facet/${key}`);
    expect(q.get("X-Amz-Algorithm")).toBe("AWS4-HMAC-SHA256");
    expect(q.get("X-Amz-Expires")).toBe("300");
    expect(q.get("X-Amz-SignedHeaders")!.split(";")).toEqual(
      expect.arrayContaining(["host", "content-length", "x-amz-checksum-sha256"]),
    );
    expect(q.get("X-Amz-Credential")).toMatch(/^S3RVER\/\d{8}\/us-east-1\/s3\/aws4_request$/);
    // The checksum travels as a header the client must send, not as a query value anyone could drop.
    expect([...q.keys()].map((k) => k.toLowerCase())).not.toContain("x-amz-checksum-sha256");
    expect(put.headers["x-amz-checksum-sha256"]).toBe(sha256HexToBase64(hash));
    // No checksum of an empty body slipped in (the default client's behaviour).
    expect(put.url.toLowerCase()).not.toMatch(/crc32|x-amz-sdk-checksum-algorithm/);
    // expiresAt is X-Amz-Date plus the expiry.
    expect(put.expiresAt.getTime()).toBe(parseAmzDate(q.get("X-Amz-Date")!).getTime() + 300_000);
  });

  it("has a signature that the spec's canonical request, computed by hand, reproduces", async () => {
    const put = await store.presignPut(key, { size: body.length, sha256: hash, expiresInSeconds: 300 });
    const u = new URL(put.url);
    const q = u.searchParams;
    const enc = (s: string) =>
      encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    const canonicalQuery = [...q]
      .filter(([k]) => k !== "X-Amz-Signature")
      .map(([k, v]) => `${enc(k)}=${enc(v)}`)
      .sort()
      .join("&");
    const canonicalRequest = [
      "PUT",
      u.pathname,
      canonicalQuery,
      `content-length:${body.length}`,
      `host:${u.host}`,
      `x-amz-checksum-sha256:${sha256HexToBase64(hash)}`,
      "",
      "content-length;host;x-amz-checksum-sha256",
      "UNSIGNED-PAYLOAD",
    ].join("\n");
    const date = q.get("X-Amz-Date")!;
    const scope = `${date.slice(0, 8)}/${REGION}/s3/aws4_request`;
    const stringToSign = [
      "AWS4-HMAC-SHA256",
      date,
      scope,
      createHash("sha256").update(canonicalRequest).digest("hex"),
    ].join("\n");
    const hmac = (k: Buffer | string, m: string) => createHmac("sha256", k).update(m).digest();
    let signingKey = hmac(`AWS4${CREDENTIALS.secretAccessKey}`, date.slice(0, 8));
    for (const part of [REGION, "s3", "aws4_request"]) signingKey = hmac(signingKey, part);
    expect(createHmac("sha256", signingKey).update(stringToSign).digest("hex")).toBe(q.get("X-Amz-Signature"));
  });

  it("would be refused by S3 with another length, checksum, key or a later expiry, or without the checksum", async () => {
    const put = await store.presignPut(key, { size: body.length, sha256: hash, expiresInSeconds: 300 });
    const request = { method: "PUT", url: put.url, headers: put.headers };
    expect(await s3WouldAccept(request)).toBe(true);
    // A header that is not signed changes nothing: the refusals below come from the signed parts.
    expect(await s3WouldAccept({ ...request, headers: { ...put.headers, "content-type": "model/step" } })).toBe(true);

    const withUrl = (edit: (u: URL) => void) => {
      const u = new URL(put.url);
      edit(u);
      return { ...request, url: u.toString() };
    };
    const other = Buffer.from("other bytes, same length....");
    const refused: [string, { method: string; url: string; headers: Record<string, string> }][] = [
      [
        "another content-length",
        { ...request, headers: { ...put.headers, "content-length": String(body.length + 1) } },
      ],
      [
        "another checksum",
        { ...request, headers: { ...put.headers, "x-amz-checksum-sha256": sha256HexToBase64(sha(other)) } },
      ],
      ["no checksum header", { ...request, headers: { "content-length": String(body.length) } }],
      [
        "another key",
        withUrl((u) => {
          u.pathname = `/facet/${blobKey(sha(other))}`;
        }),
      ],
      ["a later expiry", withUrl((u) => u.searchParams.set("X-Amz-Expires", "604800"))],
      ["another method", { ...request, method: "GET" }],
      [
        "an altered signature",
        withUrl((u) => {
          const s = u.searchParams.get("X-Amz-Signature")!;
          u.searchParams.set("X-Amz-Signature", `${s[0] === "0" ? "1" : "0"}${s.slice(1)}`);
        }),
      ],
    ];
    for (const [what, r] of refused) expect(await s3WouldAccept(r), what).toBe(false);
    // And once the expiry has passed.
    expect(await s3WouldAccept(request, new Date(put.expiresAt.getTime() + 1000))).toBe(false);
  });

  it("signs a GET URL with the download name and the requested expiry", async () => {
    const get = await store.presignGet(key, { expiresInSeconds: 120, downloadName: "part.step" });
    const q = new URL(get.url).searchParams;
    expect(q.get("X-Amz-Expires")).toBe("120");
    expect(q.get("X-Amz-SignedHeaders")).toBe("host");
    expect(q.get("response-content-disposition")).toBe(contentDisposition("part.step"));
    expect(await s3WouldAccept({ method: "GET", url: get.url, headers: {} })).toBe(true);
    const renamed = new URL(get.url);
    renamed.searchParams.set("response-content-disposition", contentDisposition("evil.exe"));
    expect(await s3WouldAccept({ method: "GET", url: renamed.toString(), headers: {} })).toBe(false);
  });

  it("refuses to sign an invalid key, hash, size or expiry", async () => {
    const ok = { size: 1, sha256: hash, expiresInSeconds: 60 };
    for (const p of [
      store.presignPut("../x", ok),
      store.presignPut(key, { ...ok, sha256: "abc" }),
      store.presignPut(key, { ...ok, size: -1 }),
      store.presignPut(key, { ...ok, expiresInSeconds: 604_801 }),
      store.presignGet(key, { expiresInSeconds: 0 }),
    ]) {
      await expect(p).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    }
  });

  it("converts between hex and S3's base64 checksums, ignoring composite (multipart) ones", () => {
    expect(sha256Base64ToHex(sha256HexToBase64(hash))).toBe(hash);
    expect(sha256HexToBase64(hash)).toBe(createHash("sha256").update(body).digest("base64"));
    expect(sha256Base64ToHex(`${sha256HexToBase64(hash)}-3`)).toBeUndefined();
  });
});
