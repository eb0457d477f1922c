import { DEFAULT_TAXONOMY, type Taxonomy } from "@facet/core";
import { z } from "zod";
import {
  type PredictOptions,
  PrelabelError,
  type Prelabeler,
  type PrelabelInput,
  type PrelabelInstance,
  type PrelabelResult,
} from "./types";

/**
 * The remote-model adapter: a model (AAGNet, BrepMFR, BRepFormer, ...) runs in a container behind an HTTP
 * JSON endpoint, and this adapter speaks the `facet.prelabel/v1` contract with it. The contract, with
 * examples, is documented in docs/prelabel-remote-contract.md; the zod schemas below are its reference.
 */
export const REMOTE_PRELABEL_CONTRACT = "facet.prelabel/v1";

const FEATURE_KEY = /^[a-z][a-z0-9_]*$/;
const KIB = 1024;
const MIB = 1024 * KIB;
/** A row whose scores sum to less than this is "all zero": it says nothing, and is refused. */
const MIN_ROW_SUM = 1e-9;
/** How much of an error answer's body is read, and how much of it a message quotes. */
const ERROR_BODY_BYTES = 16 * KIB;
const ERROR_QUOTE_CHARS = 300;

// ---------------------------------------------------------------------------------------------------------------
// Configuration

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}

function hasNoCredentials(value: string): boolean {
  try {
    const u = new URL(value);
    return u.username === "" && u.password === "";
  } catch {
    return true;
  }
}

/**
 * One remote pre-labeler, as the worker's configuration gives it (a JSON object, typically from an
 * environment variable). Unknown keys are refused, so a misspelt option fails at start instead of being
 * ignored.
 */
export const remotePrelabelerConfigSchema = z.strictObject({
  kind: z.literal("remote", 'kind must be "remote"'),
  /** Stable identifier of the model, e.g. `aagnet`; the fallback when the answer names no model. */
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, "id must be 1-64 lower-case letters, digits, '.', '_' or '-'"),
  /** The model's version until it reports one (the answer's `model.version` wins). */
  version: z.string().min(1).max(128).default("unknown"),
  url: z
    .string()
    .refine(isHttpUrl, "url must be an http:// or https:// URL")
    .refine(hasNoCredentials, "url must not contain credentials: use token"),
  /** Sent as `authorization: Bearer <token>`. */
  token: z
    .string()
    .regex(/^[\x21-\x7e]+$/, "token must be printable ASCII without spaces")
    .optional(),
  /** Per attempt, from sending the request to the last byte of the answer. */
  timeoutMs: z.number().int().min(1).max(3_600_000).default(30_000),
  /** Further attempts after a timeout, a connection error, 408, 429 or 5xx. */
  retries: z.number().int().min(0).max(10).default(2),
  /** Wait before the first retry; doubled for each further one. */
  backoffMs: z.number().int().min(0).max(600_000).default(500),
  /** Upper bound of any wait between attempts, `Retry-After` included. */
  maxRetryDelayMs: z.number().int().min(0).max(3_600_000).default(30_000),
  /** Spread waits over [50%, 100%] of the backoff so that workers do not retry in step. */
  jitter: z.boolean().default(true),
  maxResponseBytes: z
    .number()
    .int()
    .min(KIB)
    .max(1024 * MIB)
    .default(64 * MIB),
  /** false: send only the part's URLs (for models that read the STEP file themselves). */
  sendFaces: z.boolean().default(true),
  /** Name of a taxonomy crosswalk (e.g. `mfcadpp`) mapping the model's class names or ids to feature keys. */
  crosswalk: z.string().min(1).optional(),
  /** Model class name -> Facet feature key, or null for a class with no Facet counterpart. Overrides the crosswalk. */
  classMap: z
    .record(
      z.string().min(1),
      z.string().regex(FEATURE_KEY, "classMap values must be Facet feature keys (snake_case) or null").nullable(),
    )
    .optional(),
});

export type RemotePrelabelerConfig = z.output<typeof remotePrelabelerConfigSchema>;
/** The configuration as written: everything with a default may be left out. */
export type RemotePrelabelerConfigInput = z.input<typeof remotePrelabelerConfigSchema>;

function issuePath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

function describeIssues(issues: readonly z.core.$ZodIssue[], max = Number.POSITIVE_INFINITY): string {
  const shown = issues.slice(0, max).map((i) => (i.path.length ? `${issuePath(i.path)}: ${i.message}` : i.message));
  if (issues.length > max) shown.push(`and ${issues.length - max} more`);
  return shown.join("; ");
}

/**
 * Parse a remote pre-labeler's configuration: an object, or its JSON text (as an environment variable
 * holds it). A bad value throws an Error naming `source` and every offending key.
 */
export function parseRemotePrelabelerConfig(
  input: unknown,
  source = "remote pre-labeler configuration",
): RemotePrelabelerConfig {
  let value = input;
  if (typeof input === "string") {
    try {
      value = JSON.parse(input);
    } catch (e) {
      throw new Error(`${source} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const r = remotePrelabelerConfigSchema.safeParse(value);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.length ? issuePath(i.path) : "(config)"}: ${i.message}`);
    throw new Error(`invalid ${source}:\n${lines.join("\n")}`);
  }
  return r.data;
}

// ---------------------------------------------------------------------------------------------------------------
// The contract

const vec3 = z.tuple([z.number(), z.number(), z.number()]);
const box = z.object({ min: vec3, max: vec3 });

/** The body Facet POSTs to the model. */
export const remotePrelabelRequestSchema = z.object({
  contract: z.literal(REMOTE_PRELABEL_CONTRACT),
  part: z.object({ id: z.string(), sha256: z.string(), name: z.string().optional() }).optional(),
  /** Identifies the face numbering; an answer naming another one is refused. */
  faceSignature: z.string().min(1),
  /** Number of faces: the number of probability rows the answer must have. Always sent. */
  faceCount: z.number().int().positive(),
  /** The faces document's faces, in face index order; absent when the adapter sends only URLs. */
  faces: z
    .array(
      z.looseObject({
        surface: z.string(),
        area: z.number(),
        direction: vec3.nullable(),
        origin: vec3.nullable(),
        radius: z.number().nullable(),
        bbox: box,
        stepName: z.string().nullable().optional(),
      }),
    )
    .optional(),
  /** Face adjacency with convexity; absent with the faces. */
  edges: z
    .array(
      z.object({
        faces: z.tuple([z.number().int(), z.number().int()]),
        convexity: z.enum(["convex", "concave", "smooth"]),
        angle: z.number(),
      }),
    )
    .optional(),
  bbox: box,
  /** Short-lived URLs of the part's files. */
  urls: z.object({ step: z.string().optional(), mesh: z.string().optional(), faces: z.string().optional() }).optional(),
  /** The feature keys Facet labels with (informational: the model answers in its own classes). */
  classes: z.array(z.string()),
});
export type RemotePrelabelRequest = z.infer<typeof remotePrelabelRequestSchema>;

/** A model's class: its name, or its integer id (as a number or a string). */
const modelClass = z.union([z.string().min(1), z.number().int().nonnegative()]).transform(String);
const faceIndex = z.number().int("face indices are integers").nonnegative("face indices are non-negative");

/** The body of a model's 200 answer (checked further against the request: row count, face indices, signature). */
export const remotePrelabelResponseSchema = z.object({
  model: z
    .object({ id: z.string().min(1).max(128).optional(), version: z.string().min(1).max(128).optional() })
    .optional(),
  /** The model's own classes: the columns of `probabilities`. */
  classes: z.array(modelClass).min(1, "classes must list at least one class"),
  faceSignature: z.string().min(1).optional(),
  /** One row per face, in face index order: non-negative scores over `classes` (normalised by Facet). */
  probabilities: z.array(z.array(z.number().nonnegative("probabilities must not be negative"))),
  instances: z
    .array(
      z.object({
        /** One of `classes`. */
        feature: modelClass,
        faces: z.array(faceIndex).min(1, "an instance has at least one face"),
        confidence: z.number().min(0).max(1),
        params: z.record(z.string().min(1), z.number()).optional(),
        bottomFaces: z.array(faceIndex).optional(),
      }),
    )
    .optional(),
});
export type RemotePrelabelResponse = z.output<typeof remotePrelabelResponseSchema>;

const errorBodySchema = z.union([
  z.object({ error: z.object({ message: z.string().min(1) }) }).transform((b) => b.error.message),
  z.object({ error: z.string().min(1) }).transform((b) => b.error),
  z.object({ message: z.string().min(1) }).transform((b) => b.message),
  // FastAPI's HTTPException
  z.object({ detail: z.string().min(1) }).transform((b) => b.detail),
]);

// ---------------------------------------------------------------------------------------------------------------
// Class mapping

/** A crosswalk's classes as a class map: each class by name and by its id (as a string); names win a clash. */
export function classMapFromCrosswalk(crosswalk: {
  classes: readonly { id: number | string; name: string; feature: string | null }[];
}): Record<string, string | null> {
  const map = new Map<string, string | null>();
  for (const c of crosswalk.classes) map.set(String(c.id), c.feature);
  for (const c of crosswalk.classes) map.set(c.name, c.feature);
  return Object.fromEntries(map);
}

/**
 * The lookup from a model class to a Facet feature key: the config's classMap first, then the crosswalk,
 * then the class itself when it is a feature key of the taxonomy. `null`: dropped; `undefined`: unknown.
 */
function classLookup(
  config: Pick<RemotePrelabelerConfig, "crosswalk" | "classMap" | "id">,
  taxonomy: Taxonomy,
): (modelClass: string) => string | null | undefined {
  const keys = new Set(taxonomy.featureTypes.map((f) => f.key));
  const map = new Map<string, string | null>();
  if (config.crosswalk !== undefined) {
    const cw = Object.hasOwn(taxonomy.crosswalks, config.crosswalk) ? taxonomy.crosswalks[config.crosswalk] : undefined;
    if (!cw) {
      const known = Object.keys(taxonomy.crosswalks).join(", ") || "none";
      throw new Error(
        `remote pre-labeler "${config.id}": crosswalk "${config.crosswalk}" is not in the taxonomy (known: ${known})`,
      );
    }
    for (const [k, v] of Object.entries(classMapFromCrosswalk(cw))) map.set(k, v);
  }
  for (const [k, v] of Object.entries(config.classMap ?? {})) {
    if (v !== null && !keys.has(v)) {
      throw new Error(`remote pre-labeler "${config.id}": classMap maps "${k}" to "${v}", which is not a feature key`);
    }
    map.set(k, v);
  }
  return (c) => (map.has(c) ? map.get(c) : keys.has(c) ? c : undefined);
}

// ---------------------------------------------------------------------------------------------------------------
// The adapter

export interface RemotePrelabelerDeps {
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Waits between attempts; must reject when `signal` aborts. Tests pass one that returns at once. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** For jitter; defaults to Math.random. */
  random?: () => number;
  /** The taxonomy feature keys and crosswalks come from; defaults to DEFAULT_TAXONOMY. */
  taxonomy?: Taxonomy;
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** What went wrong in one attempt, before the adapter decides whether to try again. */
class AttemptFailure extends Error {
  constructor(
    readonly reason: PrelabelError["reason"],
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}

function plural(n: number, word: string, words = `${word}s`): string {
  return `${n} ${n === 1 ? word : words}`;
}

function quote(text: string): string {
  const t = text.replace(/\s+/g, " ").trim();
  return t.length > ERROR_QUOTE_CHARS ? `${t.slice(0, ERROR_QUOTE_CHARS)}…` : t;
}

/** `Retry-After` as delay-seconds or an HTTP date, in ms; undefined when absent or unreadable. */
function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const h = header.trim();
  if (/^\d+$/.test(h)) return Number(h) * 1000;
  const at = Date.parse(h);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function networkProblem(e: unknown): string {
  const cause = e instanceof Error ? (e.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === "string" ? cause.code : undefined;
  switch (code) {
    case "ECONNREFUSED":
      return "connection refused";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "host not found";
    case "ECONNRESET":
    case "EPIPE":
    case "UND_ERR_SOCKET":
      return "the connection was closed";
    case "ETIMEDOUT":
    case "UND_ERR_CONNECT_TIMEOUT":
      return "connection timed out";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "host unreachable";
  }
  const detail = typeof cause?.message === "string" ? cause.message : e instanceof Error ? e.message : String(e);
  return code ? `${code}: ${detail}` : detail;
}

/** Reads at most `cap` bytes of a body; `truncated` when there was more (the rest is not read). */
async function readBody(res: Response, cap: number): Promise<{ text: string; truncated: boolean }> {
  const declared = Number(res.headers.get("content-length") ?? Number.NaN);
  if (!res.body) return { text: "", truncated: false };
  const reader = res.body.getReader();
  if (declared > cap) {
    await reader.cancel().catch(() => {});
    return { text: "", truncated: true };
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size + value.byteLength > cap) {
      chunks.push(value.subarray(0, cap - size));
      size = cap;
      truncated = true;
      await reader.cancel().catch(() => {});
      break;
    }
    chunks.push(value);
    size += value.byteLength;
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return { text: new TextDecoder().decode(bytes), truncated };
}

/** The server's own words from an error body, when it gave some (HTML error pages are left out). */
function serverSays(text: string): string | undefined {
  try {
    const r = errorBodySchema.safeParse(JSON.parse(text));
    if (r.success) return quote(r.data);
  } catch {
    // not JSON: quote the text itself
  }
  const t = text.trim();
  return t === "" || t.startsWith("<") ? undefined : quote(t);
}

function rejectionHint(status: number, config: RemotePrelabelerConfig): string {
  if (status === 401 || status === 403) return "check the pre-labeler's token";
  if (status === 404 || status === 405) return "check the pre-labeler's URL";
  if (status === 413 && config.sendFaces) return "the part is too large for it; sendFaces: false sends only URLs";
  return "";
}

function badResponse(id: string, what: string): AttemptFailure {
  return new AttemptFailure("BAD_RESPONSE", `Pre-labeler "${id}" gave an answer Facet cannot use: ${what}`, false);
}

/**
 * Check a parsed 200 answer against the request and turn it into a result over Facet feature keys. Model
 * classes mapped to the same feature are summed; classes mapped to null are dropped and each row
 * renormalised; a row whose whole mass was dropped becomes uniform ("no opinion"). Instances of dropped
 * classes are left out.
 */
function toResult(
  json: unknown,
  input: PrelabelInput,
  config: RemotePrelabelerConfig,
  lookup: (modelClass: string) => string | null | undefined,
  taxonomy: Taxonomy,
): PrelabelResult {
  const bad = (what: string) => badResponse(config.id, what);
  const parsed = remotePrelabelResponseSchema.safeParse(json);
  if (!parsed.success) throw bad(describeIssues(parsed.error.issues, 3));
  const r = parsed.data;
  const faceCount = input.faces.length;

  if (r.faceSignature !== undefined && r.faceSignature !== input.faceSignature) {
    throw bad(
      `it is for face numbering ${r.faceSignature}, not the part's ${input.faceSignature} (was the part re-tessellated?)`,
    );
  }
  const seen = new Set<string>();
  for (const c of r.classes) {
    if (seen.has(c)) throw bad(`class "${c}" is listed twice`);
    seen.add(c);
  }
  const mapped = r.classes.map((c) => {
    const f = lookup(c);
    if (f === undefined) {
      throw bad(
        `model class "${c}" has no Facet feature: map it in classMap (null to ignore it) or choose a crosswalk`,
      );
    }
    return f;
  });
  const order = taxonomy.featureTypes.map((f) => f.key).filter((k) => mapped.includes(k));
  if (order.length === 0) throw bad("none of its classes has a Facet feature (all are mapped to null)");
  const column = mapped.map((f) => (f === null ? -1 : order.indexOf(f)));

  if (r.probabilities.length !== faceCount) {
    throw bad(
      `probabilities has ${plural(r.probabilities.length, "row")} but the part has ${plural(faceCount, "face")} (one row per face, in face index order)`,
    );
  }
  const probabilities = r.probabilities.map((row, face) => {
    if (row.length !== r.classes.length) {
      throw bad(
        `the row of face ${face} has ${plural(row.length, "value")} for ${plural(r.classes.length, "class", "classes")}`,
      );
    }
    const total = row.reduce((a, b) => a + b, 0);
    if (!Number.isFinite(total)) throw bad(`the row of face ${face} does not sum to a finite number`);
    if (total < MIN_ROW_SUM) throw bad(`the row of face ${face} is all zero`);
    const out = new Array<number>(order.length).fill(0);
    let kept = 0;
    row.forEach((p, i) => {
      const col = column[i] ?? -1;
      if (col >= 0) {
        out[col] = (out[col] ?? 0) + p;
        kept += p;
      }
    });
    if (kept < MIN_ROW_SUM * total) return out.fill(1 / order.length);
    return out.map((p) => p / kept);
  });

  const instances: PrelabelInstance[] = [];
  for (const [n, inst] of (r.instances ?? []).entries()) {
    const i = r.classes.indexOf(inst.feature);
    if (i < 0) throw bad(`instance ${n} is of class "${inst.feature}", which is not among its classes`);
    const faces = new Set<number>();
    for (const f of inst.faces) {
      if (f >= faceCount) throw bad(`instance ${n} names face ${f}, but the part has ${plural(faceCount, "face")}`);
      if (faces.has(f)) throw bad(`instance ${n} names face ${f} twice`);
      faces.add(f);
    }
    for (const f of inst.bottomFaces ?? []) {
      if (!faces.has(f)) throw bad(`bottom face ${f} of instance ${n} is not one of its faces`);
    }
    const feature = mapped[i];
    if (feature === null || feature === undefined) continue;
    instances.push({
      feature,
      faces: [...inst.faces],
      confidence: inst.confidence,
      params: { ...inst.params },
      ...(inst.bottomFaces ? { bottomFaces: [...new Set(inst.bottomFaces)] } : {}),
    });
  }

  return {
    model: { id: r.model?.id ?? config.id, version: r.model?.version ?? config.version },
    classes: order,
    probabilities,
    instances,
  };
}

/**
 * A pre-labeler that asks a model behind an HTTP JSON endpoint (contract `facet.prelabel/v1`). Timeouts,
 * connection errors, 408, 429 and 5xx are retried with exponential backoff (honouring `Retry-After`); other
 * 4xx and unusable answers are not. Every failure is a PrelabelError whose message a person can act on;
 * an abort through `options.signal` rejects with the signal's reason at once, without further attempts.
 * Throws (an Error) at once when the configuration is invalid or names an unknown crosswalk or feature.
 */
export function createRemotePrelabeler(
  config: RemotePrelabelerConfigInput,
  deps: RemotePrelabelerDeps = {},
): Prelabeler {
  const cfg = parseRemotePrelabelerConfig(config, `remote pre-labeler "${String(config?.id ?? "?")}" configuration`);
  const taxonomy = deps.taxonomy ?? DEFAULT_TAXONOMY;
  const lookup = classLookup(cfg, taxonomy);
  const doFetch = deps.fetch ?? ((url, init) => fetch(url, init));
  const sleep = deps.sleep ?? defaultSleep;
  const random = deps.random ?? Math.random;
  const host = new URL(cfg.url).host;
  const name = `Pre-labeler "${cfg.id}"`;

  function requestBody(input: PrelabelInput): string {
    const body: RemotePrelabelRequest = {
      contract: REMOTE_PRELABEL_CONTRACT,
      ...(input.part ? { part: input.part } : {}),
      faceSignature: input.faceSignature,
      faceCount: input.faces.length,
      ...(cfg.sendFaces
        ? { faces: input.faces as RemotePrelabelRequest["faces"], edges: input.edges as RemotePrelabelRequest["edges"] }
        : {}),
      bbox: input.bbox,
      ...(input.urls ? { urls: input.urls } : {}),
      classes: taxonomy.featureTypes.map((f) => f.key),
    };
    return JSON.stringify(body);
  }

  /** One request: the answer's JSON text, or an AttemptFailure (or the external signal's reason). */
  async function attempt(body: string, external?: AbortSignal): Promise<string> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, cfg.timeoutMs);
    const onAbort = () => controller.abort(external?.reason);
    external?.addEventListener("abort", onAbort, { once: true });
    try {
      const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
      if (cfg.token) headers.authorization = `Bearer ${cfg.token}`;
      const res = await doFetch(cfg.url, {
        method: "POST",
        headers,
        body,
        redirect: "manual",
        signal: controller.signal,
      });
      const status = `${res.status}${res.statusText ? ` ${res.statusText}` : ""}`;
      if (res.status >= 200 && res.status < 300) {
        const { text, truncated } = await readBody(res, cfg.maxResponseBytes);
        if (truncated) throw badResponse(cfg.id, `it is larger than ${plural(cfg.maxResponseBytes, "byte")}`);
        return text;
      }
      const { text } = await readBody(res, ERROR_BODY_BYTES);
      const says = serverSays(text);
      if (res.status === 408 || res.status === 429 || res.status >= 500) {
        throw new AttemptFailure(
          "UNAVAILABLE",
          `${name} is unavailable: ${host} answered ${status}${says ? `: ${says}` : ""}`,
          true,
          retryAfterMs(res.headers.get("retry-after")),
        );
      }
      if (res.status >= 300 && res.status < 400) {
        const to = res.headers.get("location");
        throw new AttemptFailure(
          "REJECTED",
          `${name} redirected the request (${status}${to ? ` to ${quote(to)}` : ""}): configure its final URL`,
          false,
        );
      }
      const hint = rejectionHint(res.status, cfg);
      throw new AttemptFailure(
        "REJECTED",
        `${name} rejected the part: ${host} answered ${status}${says ? `: ${says}` : ""}${hint ? ` (${hint})` : ""}`,
        false,
      );
    } catch (e) {
      if (external?.aborted) throw external.reason;
      if (timedOut)
        throw new AttemptFailure("TIMEOUT", `${name} did not answer within ${duration(cfg.timeoutMs)}`, true);
      if (e instanceof AttemptFailure) throw e;
      throw new AttemptFailure(
        "UNAVAILABLE",
        `${name} is unavailable: could not reach ${host}: ${networkProblem(e)}`,
        true,
      );
    } finally {
      clearTimeout(timer);
      external?.removeEventListener("abort", onAbort);
    }
  }

  function delayBefore(retry: number, failure: AttemptFailure): number {
    if (failure.retryAfterMs !== undefined) return Math.min(failure.retryAfterMs, cfg.maxRetryDelayMs);
    const base = Math.min(cfg.backoffMs * 2 ** (retry - 1), cfg.maxRetryDelayMs);
    return cfg.jitter ? Math.round(base * (0.5 + 0.5 * random())) : base;
  }

  async function predict(input: PrelabelInput, options: PredictOptions = {}): Promise<PrelabelResult> {
    const { signal } = options;
    if (signal?.aborted) throw signal.reason;
    if (input.faces.length === 0) throw new PrelabelError("INVALID_INPUT", `${name}: the part has no faces`);
    if (!cfg.sendFaces && !input.urls?.step && !input.urls?.faces && !input.urls?.mesh) {
      throw new PrelabelError(
        "INVALID_INPUT",
        `${name} reads the part from its files (sendFaces: false), but no file URLs were given`,
      );
    }
    const body = requestBody(input);
    const attempts = cfg.retries + 1;
    for (let n = 1; ; n++) {
      try {
        const text = await attempt(body, signal);
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          throw badResponse(
            cfg.id,
            `it is not valid JSON (${text.trim() ? `starts with "${quote(text).slice(0, 60)}"` : "empty"})`,
          );
        }
        return toResult(json, input, cfg, lookup, taxonomy);
      } catch (e) {
        if (signal?.aborted) throw signal.reason;
        if (!(e instanceof AttemptFailure)) throw e;
        if (!e.retryable || n >= attempts) {
          throw new PrelabelError(e.reason, `${e.message} (${plural(n, "attempt")})`, e.retryable);
        }
        await sleep(delayBefore(n, e), signal);
        if (signal?.aborted) throw signal.reason;
      }
    }
  }

  return { id: cfg.id, version: cfg.version, predict };
}
