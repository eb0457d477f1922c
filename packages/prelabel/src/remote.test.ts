import { once } from "node:events";
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { DEFAULT_TAXONOMY } from "@facet/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  classMapFromCrosswalk,
  createRemotePrelabeler,
  parseRemotePrelabelerConfig,
  REMOTE_PRELABEL_CONTRACT,
  type RemotePrelabelerConfigInput,
  type RemotePrelabelerDeps,
  remotePrelabelRequestSchema,
} from "./remote";
import { PrelabelError, type PrelabelFace, type PrelabelInput } from "./types";

// A real HTTP server on 127.0.0.1 whose behaviour each test sets with `serve`.

interface Seen {
  method: string;
  headers: IncomingHttpHeaders;
  body: string;
}
type Handler = (res: ServerResponse, n: number, req: IncomingMessage) => void;

let server: Server;
let url: string;
let handler: Handler = (res) => res.end();
const seen: Seen[] = [];
const sleeps: number[] = [];

function serve(h: Handler): void {
  seen.length = 0;
  sleeps.length = 0;
  handler = h;
}

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(typeof body === "string" ? body : JSON.stringify(body));
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      handler(res, seen.length, req);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/predict`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

// A small hand-made part: a plate's top face, a hole's wall, a fillet, the bottom face.

const face = (surface: string, area: number, extra: Partial<PrelabelFace> = {}): PrelabelFace => ({
  surface,
  area,
  direction: [0, 0, 1],
  origin: [0, 0, 0],
  radius: null,
  bbox: { min: [0, 0, 0], max: [10, 10, 5] },
  ...extra,
});

const INPUT: PrelabelInput = {
  faceSignature: "sig-4-faces",
  faces: [
    face("plane", 100),
    face("cylinder", 94.2, { radius: 3, stepName: "hole" }),
    face("cylinder", 7.9, { radius: 1 }),
    face("plane", 100, { direction: [0, 0, -1], stepName: null }),
  ],
  edges: [
    { faces: [0, 1], convexity: "convex", angle: 90 },
    { faces: [0, 2], convexity: "smooth", angle: 0 },
    { faces: [1, 3], convexity: "convex", angle: 90 },
  ],
  bbox: { min: [0, 0, 0], max: [10, 10, 5] },
  urls: { step: "https://blobs.example/part.step?sig=a", faces: "https://blobs.example/faces.json?sig=b" },
  part: { id: "part-1", sha256: "a".repeat(64), name: "plate.step" },
};

const recordSleep = async (ms: number) => {
  sleeps.push(ms);
};

function make(over: Partial<RemotePrelabelerConfigInput> = {}, deps: RemotePrelabelerDeps = {}) {
  return createRemotePrelabeler(
    // answers well within 5 s even on a loaded machine; the timeout tests set their own short limit
    { kind: "remote", id: "aagnet", url, timeoutMs: 5000, backoffMs: 10, jitter: false, crosswalk: "mfcadpp", ...over },
    { sleep: recordSleep, ...deps },
  );
}

async function failure(p: Promise<unknown>): Promise<PrelabelError> {
  const e = await p.then(
    () => new Error("expected a rejection"),
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(PrelabelError);
  return e as PrelabelError;
}

function expectRows(actual: number[][], expected: number[][]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((row, i) => {
    expect(row).toHaveLength(expected[i]?.length ?? -1);
    row.forEach((p, j) => {
      expect(p, `face ${i}, column ${j}`).toBeCloseTo(expected[i]?.[j] ?? Number.NaN, 9);
    });
  });
}

/** A valid answer in Facet's own feature keys, for tests that break one thing of it. */
const valid = () => ({
  model: { id: "aagnet", version: "1.0.0" },
  classes: ["stock", "through_hole", "fillet"],
  faceSignature: INPUT.faceSignature,
  probabilities: [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
    [1, 0, 0],
  ] as Array<Array<number | null>>,
  instances: [{ feature: "through_hole", faces: [1], confidence: 0.9, bottomFaces: undefined as number[] | undefined }],
});

describe("a well-formed answer", () => {
  it("maps the model's classes to feature keys through the crosswalk and the classMap, and renormalises", async () => {
    serve((res) =>
      reply(res, 200, {
        model: { id: "aagnet", version: "1.2.0" },
        // a crosswalk name, a crosswalk id, a classMap entry, a crosswalk name, a class with no counterpart
        classes: ["stock", "1", "hole", "round", "background"],
        faceSignature: INPUT.faceSignature,
        probabilities: [
          [0.5, 0.1, 0.1, 0.1, 0.2],
          [0, 0.3, 0.3, 0, 0.4],
          [2, 0, 0, 2, 0],
          [0, 0, 0, 0, 1],
        ],
        instances: [
          { feature: "hole", faces: [1], confidence: 0.9, params: { diameter: 6, depth: 5 } },
          { feature: "background", faces: [3], confidence: 0.5 },
          { feature: "round", faces: [2, 0], confidence: 0.7, bottomFaces: [0] },
        ],
      }),
    );
    const model = make({ classMap: { hole: "through_hole", background: null } });
    const result = await model.predict(INPUT);

    expect(result.model).toEqual({ id: "aagnet", version: "1.2.0" });
    // taxonomy order; "1" (through_hole by id) and "hole" are summed
    expect(result.classes).toEqual(["stock", "through_hole", "fillet"]);
    expectRows(result.probabilities, [
      [0.625, 0.25, 0.125], // background's 0.2 dropped, the rest renormalised
      [0, 1, 0],
      [0.5, 0, 0.5], // unnormalised scores
      [1 / 3, 1 / 3, 1 / 3], // all its mass was on a dropped class: no opinion
    ]);
    for (const row of result.probabilities) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(result.instances).toEqual([
      { feature: "through_hole", faces: [1], confidence: 0.9, params: { diameter: 6, depth: 5 } },
      { feature: "fillet", faces: [2, 0], confidence: 0.7, params: {}, bottomFaces: [0] },
    ]);
    expect(seen).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it("accepts integer class ids, and falls back to the configured id and version without a model", async () => {
    serve((res) =>
      reply(res, 200, {
        classes: [24, 23],
        probabilities: [
          [1, 0],
          [0.25, 0.75],
          [0, 1],
          [1, 0],
        ],
      }),
    );
    const result = await make({ version: "2024-05" }).predict(INPUT);
    expect(result.model).toEqual({ id: "aagnet", version: "2024-05" });
    expect(result.classes).toEqual(["stock", "fillet"]);
    expectRows(result.probabilities, [
      [1, 0],
      [0.25, 0.75],
      [0, 1],
      [1, 0],
    ]);
    expect(result.instances).toEqual([]);
  });

  it("without a crosswalk takes classes that are feature keys as they are", async () => {
    serve((res) => reply(res, 200, valid()));
    const result = await make({ crosswalk: undefined }).predict(INPUT);
    expect(result.classes).toEqual(["stock", "through_hole", "fillet"]);
    expect(result.instances).toEqual([{ feature: "through_hole", faces: [1], confidence: 0.9, params: {} }]);
  });
});

describe("the request", () => {
  it("follows the contract: faces and edges included, bearer token, JSON", async () => {
    serve((res) => reply(res, 200, valid()));
    await make({ token: "s3cret-token" }).predict(INPUT);
    expect(seen).toHaveLength(1);
    const [req] = seen;
    expect(req?.method).toBe("POST");
    expect(req?.headers["content-type"]).toBe("application/json");
    expect(req?.headers.authorization).toBe("Bearer s3cret-token");
    const body = remotePrelabelRequestSchema.parse(JSON.parse(req?.body ?? ""));
    expect(body.contract).toBe(REMOTE_PRELABEL_CONTRACT);
    expect(body.part).toEqual(INPUT.part);
    expect(body.faceSignature).toBe(INPUT.faceSignature);
    expect(body.faceCount).toBe(4);
    expect(body.faces).toEqual(INPUT.faces);
    expect(body.edges).toEqual(INPUT.edges);
    expect(body.bbox).toEqual(INPUT.bbox);
    expect(body.urls).toEqual(INPUT.urls);
    expect(body.classes).toEqual(DEFAULT_TAXONOMY.featureTypes.map((f) => f.key));
  });

  it("sends only URLs with sendFaces: false, and no authorization without a token", async () => {
    serve((res) => reply(res, 200, valid()));
    await make({ sendFaces: false }).predict(INPUT);
    const raw = JSON.parse(seen[0]?.body ?? "") as Record<string, unknown>;
    expect(remotePrelabelRequestSchema.safeParse(raw).success).toBe(true);
    expect(raw).not.toHaveProperty("faces");
    expect(raw).not.toHaveProperty("edges");
    expect(raw.faceCount).toBe(4);
    expect(raw.urls).toEqual(INPUT.urls);
    expect(seen[0]?.headers).not.toHaveProperty("authorization");
  });

  it("refuses sendFaces: false without URLs before sending anything", async () => {
    serve((res) => reply(res, 200, valid()));
    const e = await failure(make({ sendFaces: false }).predict({ ...INPUT, urls: undefined }));
    expect(e.reason).toBe("INVALID_INPUT");
    expect(seen).toHaveLength(0);
  });
});

describe("retries", () => {
  it("times out after retries + 1 attempts when the server hangs", async () => {
    serve(() => {}); // never answers
    const e = await failure(make({ timeoutMs: 200 }).predict(INPUT));
    expect(e.reason).toBe("TIMEOUT");
    expect(e.retryable).toBe(true);
    expect(e.message).toBe('Pre-labeler "aagnet" did not answer within 200 ms (3 attempts)');
    expect(seen).toHaveLength(3);
    expect(sleeps).toEqual([10, 20]);
  });

  it("times out when the body stalls after the headers", async () => {
    serve((res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"classes": [');
    });
    const e = await failure(make({ retries: 0, timeoutMs: 200 }).predict(INPUT));
    expect(e.reason).toBe("TIMEOUT");
    expect(e.message).toContain("(1 attempt)");
    expect(seen).toHaveLength(1);
  });

  it("succeeds on the second attempt after a 503", async () => {
    serve((res, n) => (n === 1 ? reply(res, 503, { error: { message: "warming up" } }) : reply(res, 200, valid())));
    const result = await make().predict(INPUT);
    expect(result.classes).toEqual(["stock", "through_hole", "fillet"]);
    expect(seen).toHaveLength(2);
    expect(sleeps).toEqual([10]);
  });

  it("honours Retry-After, capped by maxRetryDelayMs", async () => {
    serve((res, n) => (n === 1 ? reply(res, 503, "", { "retry-after": "2" }) : reply(res, 200, valid())));
    await make().predict(INPUT);
    expect(sleeps).toEqual([2000]);

    serve((res, n) => (n === 1 ? reply(res, 429, "", { "retry-after": "3600" }) : reply(res, 200, valid())));
    await make({ maxRetryDelayMs: 1500 }).predict(INPUT);
    expect(sleeps).toEqual([1500]);
    expect(seen).toHaveLength(2);
  });

  it("gives up on a server that stays unavailable, backing off exponentially", async () => {
    serve((res) => reply(res, 502, { error: { message: "model container restarting" } }));
    const e = await failure(make({ backoffMs: 100 }).predict(INPUT));
    expect(e.reason).toBe("UNAVAILABLE");
    expect(e.retryable).toBe(true);
    expect(e.message).toMatch(/answered 502 Bad Gateway: model container restarting \(3 attempts\)$/);
    expect(seen).toHaveLength(3);
    expect(sleeps).toEqual([100, 200]);
  });

  it("spreads waits with jitter", async () => {
    serve((res) => reply(res, 500, ""));
    await failure(make({ backoffMs: 100, jitter: true }, { random: () => 0 }).predict(INPUT));
    expect(sleeps).toEqual([50, 100]);
  });

  it("reports a refused connection as UNAVAILABLE", async () => {
    serve((res) => reply(res, 200, valid())); // resets the log; this server is not the one asked
    const closed = createServer();
    closed.listen(0, "127.0.0.1");
    await once(closed, "listening");
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));

    const e = await failure(make({ url: `http://127.0.0.1:${port}/predict`, retries: 1 }).predict(INPUT));
    expect(e.reason).toBe("UNAVAILABLE");
    expect(e.retryable).toBe(true);
    expect(e.message).toBe(
      `Pre-labeler "aagnet" is unavailable: could not reach 127.0.0.1:${port}: connection refused (2 attempts)`,
    );
    expect(sleeps).toEqual([10]);
  });
});

describe("rejections", () => {
  it("a 400 with a JSON error is REJECTED after exactly one request, quoting the server", async () => {
    serve((res) => reply(res, 400, { error: { message: "face count above 5000" } }));
    const e = await failure(make().predict(INPUT));
    expect(e.reason).toBe("REJECTED");
    expect(e.retryable).toBe(false);
    expect(e.message).toBe(
      `Pre-labeler "aagnet" rejected the part: ${new URL(url).host} answered 400 Bad Request: face count above 5000 (1 attempt)`,
    );
    expect(seen).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it("quotes a plain-text body truncated, and hints at the token on 401", async () => {
    serve((res) => reply(res, 422, "x".repeat(5000), { "content-type": "text/plain" }));
    const e = await failure(make().predict(INPUT));
    expect(e.reason).toBe("REJECTED");
    expect(e.message).toContain(`422 Unprocessable Entity: ${"x".repeat(300)}… (1 attempt)`);

    serve((res) => reply(res, 401, { detail: "Not authenticated" }));
    const e2 = await failure(make().predict(INPUT));
    expect(e2.message).toContain("401 Unauthorized: Not authenticated (check the pre-labeler's token)");
    expect(seen).toHaveLength(1);
  });
});

describe("answers Facet cannot use", () => {
  async function bad(body: unknown, over: Partial<RemotePrelabelerConfigInput> = {}): Promise<string> {
    serve((res) => reply(res, 200, body));
    const e = await failure(make(over).predict(INPUT));
    expect(e.reason).toBe("BAD_RESPONSE");
    expect(e.retryable).toBe(false);
    expect(seen).toHaveLength(1); // never retried
    return e.message;
  }

  it("malformed JSON", async () => {
    expect(await bad('{"classes": ["stock"], ')).toMatch(
      /^Pre-labeler "aagnet" gave an answer Facet cannot use: it is not valid JSON/,
    );
  });

  it("the wrong number of rows", async () => {
    const body = valid();
    body.probabilities.pop();
    expect(await bad(body)).toContain("probabilities has 3 rows but the part has 4 faces");
  });

  it("a row of the wrong length", async () => {
    const body = valid();
    body.probabilities[2] = [0.5, 0.5];
    expect(await bad(body)).toContain("the row of face 2 has 2 values for 3 classes");
  });

  it("a face index out of range", async () => {
    const body = valid();
    body.instances = [{ feature: "through_hole", faces: [1, 7], confidence: 0.9, bottomFaces: undefined }];
    expect(await bad(body)).toContain("instance 0 names face 7, but the part has 4 faces");
  });

  it("a bottom face that is not one of the instance's faces", async () => {
    const body = valid();
    body.instances = [{ feature: "through_hole", faces: [1], confidence: 0.9, bottomFaces: [3] }];
    expect(await bad(body)).toContain("bottom face 3 of instance 0 is not one of its faces");
  });

  it("negative, NaN, null or all-zero probabilities", async () => {
    const negative = valid();
    negative.probabilities[1] = [0.5, -0.1, 0.6];
    expect(await bad(negative)).toContain("probabilities[1][1]: probabilities must not be negative");

    const nan = JSON.stringify(valid()).replace("[0,1,0]", "[0,NaN,1]");
    expect(await bad(nan)).toContain("it is not valid JSON");

    const nulls = valid();
    nulls.probabilities[0] = [null, 1, 0];
    expect(await bad(nulls)).toContain("probabilities[0][0]: Invalid input: expected number, received null");

    const zero = valid();
    zero.probabilities[3] = [0, 0, 0];
    expect(await bad(zero)).toContain("the row of face 3 is all zero");
  });

  it("a faceSignature other than the request's", async () => {
    expect(await bad({ ...valid(), faceSignature: "sig-other" })).toContain(
      "it is for face numbering sig-other, not the part's sig-4-faces",
    );
  });

  it("an instance of a class the answer does not list", async () => {
    const body = valid();
    body.instances = [{ feature: "blind_hole", faces: [1], confidence: 0.9, bottomFaces: undefined }];
    expect(await bad(body)).toContain('instance 0 is of class "blind_hole", which is not among its classes');
  });

  it("a model class with no mapping", async () => {
    const body = { ...valid(), classes: ["stock", "through_hole", "mystery"] };
    expect(await bad(body)).toContain('model class "mystery" has no Facet feature: map it in classMap');
  });

  it("an answer larger than maxResponseBytes, declared or streamed", async () => {
    const big = { ...valid(), padding: "x".repeat(10_000) };
    expect(await bad(big, { maxResponseBytes: 4096 })).toContain("it is larger than 4096 bytes");

    serve((res) => {
      res.writeHead(200, { "content-type": "application/json" }); // no content-length: chunked
      for (let i = 0; i < 10; i++) res.write(" ".repeat(1000));
      res.end(JSON.stringify(valid()));
    });
    const e = await failure(make({ maxResponseBytes: 4096 }).predict(INPUT));
    expect(e.reason).toBe("BAD_RESPONSE");
    expect(e.message).toContain("larger than 4096 bytes");
  });
});

describe("an external abort", () => {
  it("stops a request in flight, without retrying", async () => {
    serve(() => {}); // hangs
    const controller = new AbortController();
    const reason = new Error("job canceled");
    setTimeout(() => controller.abort(reason), 50);
    // rejected with the abort's own reason (a timeout would give TIMEOUT after 5 s)
    await expect(make({ timeoutMs: 5000 }).predict(INPUT, { signal: controller.signal })).rejects.toBe(reason);
    expect(seen).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it("stops the wait between attempts (default sleep)", async () => {
    serve((res) => reply(res, 503, ""));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    // the wait is 10 s, longer than the test may take: only an abort that ends the wait lets it pass
    const model = createRemotePrelabeler({ kind: "remote", id: "m", url, backoffMs: 10_000, timeoutMs: 5000 });
    await expect(model.predict(INPUT, { signal: controller.signal })).rejects.toMatchObject({ name: "AbortError" });
    expect(seen).toHaveLength(1);
  });

  it("sends nothing when already aborted", async () => {
    serve((res) => reply(res, 200, valid()));
    const reason = new Error("gone");
    await expect(make().predict(INPUT, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(seen).toHaveLength(0);
  });
});

describe("configuration", () => {
  it("parses JSON text and fills the defaults", () => {
    const cfg = parseRemotePrelabelerConfig(
      JSON.stringify({ kind: "remote", id: "brepmfr", url: "https://models.example/brepmfr", crosswalk: "mfcad" }),
    );
    expect(cfg).toEqual({
      kind: "remote",
      id: "brepmfr",
      version: "unknown",
      url: "https://models.example/brepmfr",
      timeoutMs: 30_000,
      retries: 2,
      backoffMs: 500,
      maxRetryDelayMs: 30_000,
      jitter: true,
      maxResponseBytes: 64 * 1024 * 1024,
      sendFaces: true,
      crosswalk: "mfcad",
    });
  });

  it("names every bad key", () => {
    const parse = () =>
      parseRemotePrelabelerConfig(
        { kind: "remote", id: "AAG Net", url: "ftp://x", retries: -1, timeout: 5, classMap: { a: "Not A Key" } },
        "FACET_PRELABELERS[0]",
      );
    expect(parse).toThrow(/^invalid FACET_PRELABELERS\[0\]:\n/);
    expect(parse).toThrow("  id: id must be 1-64 lower-case letters");
    expect(parse).toThrow("  url: url must be an http:// or https:// URL");
    expect(parse).toThrow("  retries: Too small");
    expect(parse).toThrow('  (config): Unrecognized key: "timeout"');
    expect(parse).toThrow("  classMap.a: classMap values must be Facet feature keys");
    expect(() => parseRemotePrelabelerConfig("{kind:", "FACET_PRELABELERS")).toThrow(
      /^FACET_PRELABELERS is not valid JSON/,
    );
    expect(() =>
      parseRemotePrelabelerConfig({ kind: "remote", id: "m", url: "https://user:pw@models.example/" }),
    ).toThrow("url must not contain credentials: use token");
  });

  it("refuses an unknown crosswalk or a classMap to an unknown feature when the adapter is made", () => {
    expect(() => make({ crosswalk: "nope" })).toThrow(
      'crosswalk "nope" is not in the taxonomy (known: mfcad, mfcadpp, fusion360_segmentation)',
    );
    expect(() => make({ classMap: { slot: "t_slot" } })).toThrow(
      'classMap maps "slot" to "t_slot", which is not a feature key',
    );
  });

  it("builds a class map from a crosswalk, by name and by id", () => {
    const cw = DEFAULT_TAXONOMY.crosswalks.fusion360_segmentation;
    if (!cw) throw new Error("crosswalk missing");
    const map = classMapFromCrosswalk(cw);
    expect(map.Fillet).toBe("fillet");
    expect(map["4"]).toBe("fillet");
    expect(map.ExtrudeSide).toBeNull();
    expect(map["0"]).toBeNull();
    expect(Object.keys(map)).toHaveLength(16);
  });
});
