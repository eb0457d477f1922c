import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { CORPUS } from "@facet/geometry/testing";
import { collectGarbage, verifyInstallation } from "@facet/ops";
import { FsBlobStore } from "@facet/storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  adminToken,
  databaseOf,
  type Platform,
  platformCpu,
  startPlatform,
  uploadToNewDataset,
  waitUntil,
} from "./testing";

/**
 * Issue 21, load: simulated people over real HTTP against `npm start`: FACET_LOAD_ANNOTATORS
 * annotators (50) claiming, autosaving every second and submitting; 5 reviewers approving (both
 * signed in as in the browser: session cookies); an ML engineer freezing a snapshot and exporting it
 * and uploads arriving meanwhile (an API key, as the CLI); for FACET_LOAD_SECONDS
 * (15 here; `npm run test:soak` runs 60), after 5 s of the same load on the fresh server (reported
 * apart). Asserted: no 5xx, no part held by two annotators at once, every acknowledged save in the
 * database as sent and in order. Printed (never asserted: timing depends on the machine): requests
 * per second and p50/p95/p99 per kind of request, where the time goes, PostgreSQL's top statements.
 *
 * Then the same people while PostgreSQL is killed and restarted by the launcher: every request is
 * answered (after waiting up to FACET_DB_WAIT_MS for the database; 503 UNAVAILABLE with Retry-After
 * when it is still away or the request's connection broke, never another 5xx, never a
 * stack trace or an internal path), the people carry on once it is back, every acknowledged save is
 * kept in order, the export and the uploads of the time finish, no part or job is left in flight and
 * the stored files match the rows (`facet verify`, and nothing unreferenced for `facet gc`).
 */

const ADMIN = { email: "load@example.test", password: "load test password here" };
const ANNOTATORS = Number(process.env.FACET_LOAD_ANNOTATORS ?? 50);
const REVIEWERS = 5;
const SECONDS = Number(process.env.FACET_LOAD_SECONDS ?? 15);
/** The load run is preceded by this much of the same load on the fresh server, reported apart. */
const WARM_UP_SECONDS = 5;
/** The fault run: load for this long before PostgreSQL is killed, and as long again once it is back. */
const FAULT_PHASE_SECONDS = 5;
const PASSWORD = "a load test annotator's password";
const WS = "/api/workspaces/test-shop";

/**
 * Who makes requests: annotators and reviewers as the browser does (the session cookies it was
 * given, kept up to date from Set-Cookie, and its Origin), the ML engineer as the CLI does (an API key).
 */
interface Person {
  name: string;
  apiKey?: string;
  cookies?: Map<string, string>;
}

/**
 * The simulated people's HTTP client: node:http over kept-alive connections. The people run on the
 * machine they measure (2 cores here), so their own cost is kept low: fetch cost them about 2.6 ms of
 * CPU a request, taken from the web app and PostgreSQL.
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
function request(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  timeoutMs: number,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }),
      );
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}

/** `name=value` of each Set-Cookie, into the jar (an emptied cookie is removed), as a browser keeps them. */
function keepCookies(jar: Map<string, string>, setCookie: string[] | undefined): void {
  for (const line of setCookie ?? []) {
    const [pair = ""] = line.split(";");
    const at = pair.indexOf("=");
    if (at < 1) continue;
    const value = pair.slice(at + 1);
    if (value === "" || /max-age=0/i.test(line)) jar.delete(pair.slice(0, at));
    else jar.set(pair.slice(0, at), value);
  }
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
  /** Seconds, from the Retry-After header. */
  retryAfter: number | null;
}

interface Ack {
  partId: string;
  revisionNo: number;
  labels: (string | null)[];
  at: number;
}

/** What one simulated run saw. */
class Run {
  readonly timings = new Map<string, number[]>();
  /** Per kind of request, the web process's own account (Server-Timing): phase → ms of each request. */
  readonly phases = new Map<string, Map<string, number[]>>();
  /** Every request of the run: when it started, how long it took, what it was and what came back. */
  readonly requests: { at: number; ms: number; kind: string; status: number }[] = [];
  /** Responses 500 and over, with the start of their body. */
  readonly serverErrors: { at: number; line: string; code: string | undefined; retryAfter: number | null }[] = [];
  /** Requests that got no answer (the connection failed, or nothing within a minute). */
  readonly noAnswer: string[] = [];
  /** Answers that were not `{error: {code, message}}` JSON when they failed, or that named something internal. */
  readonly badAnswers: string[] = [];
  readonly acked: Ack[] = [];
  readonly doubleClaims: string[] = [];
  submitted: number[] = [];
  approved = 0;
  nothingToClaim = 0;
  exportId: string | null = null;
  uploadedParts: string[] = [];
  until: number;
  constructor(seconds: number) {
    this.until = Date.now() + seconds * 1000;
  }
  live = () => Date.now() < this.until;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Node's stack frames, file paths of the machine, addresses: what an answer must never carry. */
const INTERNAL = /\n\s+at |\/(work|tmp|home|root|usr)\/|node_modules|\.(ts|js|mjs):\d+|127\.0\.0\.1|::1|ECONN/;

describe(`load: ${ANNOTATORS} annotators, ${REVIEWERS} reviewers, an export and uploads for ${SECONDS} s`, () => {
  let platform: Platform;
  let admin: string;
  let mfcad: string[];
  let annotators: Person[];
  let reviewers: Person[];

  /** One request as a person, timed under `kind`; status 0 when no answer came. */
  async function call(run: Run, person: Person, kind: string, method: string, p: string, body?: unknown) {
    const started = performance.now();
    const headers: Record<string, string> = body === undefined ? {} : { "content-type": "application/json" };
    if (person.apiKey) headers.authorization = `Bearer ${person.apiKey}`;
    if (person.cookies) {
      headers.cookie = [...person.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
      headers.origin = platform.url;
    }
    let res: Awaited<ReturnType<typeof request>>;
    try {
      res = await request(
        new URL(p, platform.url),
        method,
        headers,
        body === undefined ? undefined : JSON.stringify(body),
        60_000,
      );
    } catch (e) {
      run.noAnswer.push(`${person.name} ${method} ${p}: ${(e as Error).name} ${(e as Error).message}`);
      return { status: 0, body: {}, retryAfter: null } satisfies Answer;
    }
    const { text } = res;
    if (person.cookies) keepCookies(person.cookies, res.headers["set-cookie"]);
    const ms = performance.now() - started;
    const timings = run.timings.get(kind) ?? [];
    timings.push(ms);
    run.timings.set(kind, timings);
    run.requests.push({ at: started, ms, kind, status: res.status });
    const account = new Map<string, number>([["client", ms]]);
    for (const m of String(res.headers["server-timing"] ?? "").matchAll(/([\w.]+);dur=([\d.]+)/g))
      account.set(m[1] as string, Number(m[2]));
    const handler = account.get("handler");
    if (handler !== undefined) account.set("outside handler", ms - handler);
    const byPhase = run.phases.get(kind) ?? new Map<string, number[]>();
    for (const [phase, v] of account) {
      const xs = byPhase.get(phase) ?? [];
      xs.push(v);
      byPhase.set(phase, xs);
    }
    run.phases.set(kind, byPhase);
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      run.badAnswers.push(`${method} ${p}: ${res.status}, not JSON: ${text.slice(0, 200)}`);
    }
    const error = parsed.error as { code?: unknown; message?: unknown } | undefined;
    if (res.status >= 400 && (typeof error?.code !== "string" || typeof error.message !== "string"))
      run.badAnswers.push(`${method} ${p}: ${res.status} without {error: {code, message}}: ${text.slice(0, 200)}`);
    if (res.status >= 400 && INTERNAL.test(text))
      run.badAnswers.push(`${method} ${p}: ${res.status} names something internal: ${text.slice(0, 300)}`);
    const retryAfter = res.headers["retry-after"] === undefined ? null : Number(res.headers["retry-after"]);
    if (res.status >= 500)
      run.serverErrors.push({
        at: started,
        line: `${person.name} ${method} ${p}: ${res.status} ${text.slice(0, 200)}`,
        code: typeof error?.code === "string" ? error.code : undefined,
        retryAfter,
      });
    return { status: res.status, body: parsed, retryAfter } satisfies Answer;
  }

  /** The database is away (503) or the answer did not come: wait as told (Retry-After), at most to the run's end. */
  const unavailable = (a: Answer) => a.status === 0 || a.status === 503;
  const backOff = (run: Run, a: Answer) =>
    sleep(Math.max(0, Math.min((a.retryAfter ?? 1) * 1000, run.until - Date.now())));

  /** A request a person makes again when the database is away, until it is answered or the run ends. */
  async function persist(run: Run, person: Person, kind: string, method: string, p: string, body?: unknown) {
    for (;;) {
      const a = await call(run, person, kind, method, p, body);
      if (!unavailable(a) || !run.live()) return a;
      await backOff(run, a);
    }
  }

  async function member(role: "annotator" | "engineer", i: number): Promise<Person> {
    const setup = new Run(0);
    const me = { name: `${role}-${i}`, apiKey: admin };
    const { url } = (await call(setup, me, "setup", "POST", `${WS}/invitations`, { role })).body as { url: string };
    const email = `${role}-${i}-${randomUUID().slice(0, 6)}@example.test`;
    const accept = `${new URL(url).pathname.replace("/invite/", "/api/invitations/")}/accept`;
    const joined = await fetch(new URL(accept, platform.url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    expect(joined.status, await joined.clone().text()).toBe(201);
    // joining signs the person in: from here on they work in the browser, with its session cookies
    const cookies = new Map<string, string>();
    keepCookies(cookies, joined.headers.getSetCookie());
    expect([...cookies.keys()]).toContain("facet-session");
    return { name: me.name, cookies };
  }

  /** The corpus's MFCAD parts into new datasets, pre-labelled (the same file in two datasets is two parts, its geometry made once). */
  async function preload(datasets: readonly string[]) {
    for (const dataset of datasets)
      for (const f of mfcad)
        await uploadToNewDataset(platform, admin, dataset, {
          name: f,
          bytes: await readFile(path.join(CORPUS, "mfcad", f)),
        });
    const db = await databaseOf(platform, "load-preload");
    try {
      await waitUntil(
        "the parts to be pre-labelled",
        async () =>
          (
            await db.query(
              `select count(*)::int as n from parts p join datasets d on d.id = p.dataset_id
               where d.name = any($1) and p.status = 'pre_labeled'`,
              [datasets],
            )
          ).rows[0].n >=
          datasets.length * mfcad.length,
        300_000,
        platform.run,
      );
    } finally {
      await db.end();
    }
  }

  /** An upload the way the CLI makes one (begin, PUT, complete), each step tried again while the database is away. */
  async function upload(run: Run, me: Person, dataset: string, f: string) {
    const bytes = await readFile(path.join(CORPUS, "mfcad", f));
    const declared = { name: f, size: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") };
    const uploads = `${WS}/datasets/${dataset}/uploads`;
    while (run.live()) {
      const begun = await persist(run, me, "upload", "POST", uploads, { files: [declared] });
      const answer = (begun.body.files as { status: string; put?: { url: string }; part?: { id: string } }[])?.[0];
      if (!answer) return;
      if (answer.part) {
        run.uploadedParts.push(answer.part.id);
        return;
      }
      const put = await fetch(answer.put?.url as string, {
        method: "PUT",
        body: new Uint8Array(bytes),
        signal: AbortSignal.timeout(60_000),
      }).catch(() => null);
      if (put?.status !== 201) continue;
      const done = await persist(run, me, "upload", "POST", `${uploads}/complete`, declared);
      const part = done.body.part as { id: string } | undefined;
      if (part) {
        run.uploadedParts.push(part.id);
        return;
      }
    }
  }

  /**
   * The people at work until `run.until` (which the caller may move): annotators claim, read, autosave
   * every second 1-5 times and submit; reviewers approve from their queue; an ML engineer freezes a
   * snapshot of `snapshotOf` halfway and exports it; files are uploaded into `uploadInto`. Like the
   * web app, they try again when told to (503 + Retry-After) and follow the revision they find when a
   * save says CONFLICT.
   */
  async function simulate(
    run: Run,
    o: { snapshotOf: string; snapshotName: string; snapshotAfterMs: number; uploadInto: string },
  ) {
    const holder = new Map<string, string>(); // part → annotator holding it now
    const me = { name: "ml", apiKey: admin };
    await call(run, me, "setup", "POST", `${WS}/datasets`, { name: o.uploadInto });

    const latestOf = async (person: Person, partId: string) => {
      const r = await persist(run, person, "read revision", "GET", `${WS}/parts/${partId}/revisions`);
      return r.status === 200
        ? (r.body.revision as {
            revisionNo: number;
            document: { faceSignature: string; faceCount: number; labels: (string | null)[] };
          })
        : null;
    };
    // people are not in step: each starts within the first second and autosaves every 0.9-1.1 s
    const annotate = async (person: Person) => {
      await sleep(Math.random() * 1000);
      while (run.live()) {
        const claim = await call(run, person, "claim", "POST", `${WS}/queue/claim`, {});
        if (claim.status !== 200) {
          if (unavailable(claim)) await backOff(run, claim);
          else {
            run.nothingToClaim++;
            await sleep(500);
          }
          continue;
        }
        const partId = (claim.body.part as { id: string }).id;
        const other = holder.get(partId);
        if (other && other !== person.name) run.doubleClaims.push(`${partId}: ${other} and ${person.name}`);
        holder.set(partId, person.name);
        const latest = await latestOf(person, partId);
        if (!latest) break;
        const doc = latest.document;
        const keys = [...new Set(doc.labels.filter((l): l is string => l !== null))];
        let last = latest.revisionNo;
        // people take more or less time over a part: 1-5 autosaves before submitting (3 on average, the
        // issue's mix of about 3 saves per submission), so that their claims and submits drift apart
        const saves = 1 + Math.floor(Math.random() * 5);
        for (let s = 0; s < saves && run.live(); s++) {
          await sleep(900 + Math.random() * 200); // autosave every second
          const labels = doc.labels.map((l, f) => (f === s % doc.faceCount ? (keys[s % keys.length] ?? l) : l));
          const saved = await call(run, person, "autosave", "POST", `${WS}/parts/${partId}/revisions`, {
            document: {
              schemaVersion: 1,
              faceSignature: doc.faceSignature,
              faceCount: doc.faceCount,
              labels,
              instances: [],
            },
            expectedRevision: last,
          });
          if (saved.status === 201) {
            last = (saved.body.revision as { revisionNo: number }).revisionNo;
            run.acked.push({ partId, revisionNo: last, labels, at: performance.now() });
          } else if (saved.status === 409) {
            // a save cut off on its way had landed: follow the revision the server has
            last = (await latestOf(person, partId))?.revisionNo ?? last;
          } else if (unavailable(saved)) await backOff(run, saved);
        }
        holder.delete(partId);
        const sent = await persist(run, person, "submit", "POST", `${WS}/parts/${partId}/submit`, { revisionNo: last });
        if (sent.status === 200) run.submitted.push(performance.now());
      }
    };
    const review = async (person: Person) => {
      while (run.live()) {
        const queue = await call(run, person, "review queue", "GET", `${WS}/review-queue`);
        const items = (queue.body.items as { id: string }[] | undefined) ?? [];
        const item = items[Math.floor(Math.random() * Math.min(3, items.length))];
        if (!item) {
          await (unavailable(queue) ? backOff(run, queue) : sleep(1000));
          continue;
        }
        const latest = await latestOf(person, item.id);
        if (!latest) continue;
        const r = await persist(run, person, "approve", "POST", `${WS}/parts/${item.id}/review`, {
          decision: "approved",
          revisionNo: latest.revisionNo,
        });
        if (r.status === 200) run.approved++;
        await sleep(500);
      }
    };
    const mlEngineer = async () => {
      await sleep(o.snapshotAfterMs);
      const snap = await persist(run, me, "snapshot", "POST", `${WS}/snapshots`, {
        dataset: o.snapshotOf,
        name: o.snapshotName,
      });
      expect(snap.status, JSON.stringify(snap.body)).toBeLessThan(300);
      const exp = await persist(run, me, "export", "POST", `${WS}/snapshots/${o.snapshotName}/exports`, {
        format: "parquet",
      });
      expect(exp.status, JSON.stringify(exp.body)).toBeLessThan(300);
      run.exportId = (exp.body.export as { id: string }).id;
    };
    const uploads = async () => {
      for (const f of mfcad) {
        if (!run.live()) break;
        await upload(run, me, o.uploadInto, f);
      }
    };
    await Promise.all([...annotators.map(annotate), ...reviewers.map(review), mlEngineer(), uploads()]);
  }

  /** Every acknowledged save, as sent, in the order it was made. */
  async function expectEveryAcknowledgedSave(run: Run) {
    const db = await databaseOf(platform, "load-check");
    try {
      const stored = await db.query<{ part_id: string; revision_no: number; labels: (string | null)[] }>(
        "select part_id, revision_no, document->'labels' as labels from annotation_revisions where part_id = any($1)",
        [[...new Set(run.acked.map((a) => a.partId))]],
      );
      const byKey = new Map(stored.rows.map((r) => [`${r.part_id}/${r.revision_no}`, r.labels]));
      for (const a of run.acked)
        expect(byKey.get(`${a.partId}/${a.revisionNo}`), `${a.partId} revision ${a.revisionNo}`).toEqual(a.labels);
      const perPart = new Map<string, number[]>();
      for (const a of run.acked) perPart.set(a.partId, [...(perPart.get(a.partId) ?? []), a.revisionNo]);
      for (const [part, numbers] of perPart) {
        expect(numbers, part).toEqual([...numbers].sort((x, y) => x - y));
        expect(new Set(numbers).size, part).toBe(numbers.length);
      }
    } finally {
      await db.end();
    }
  }

  const pct = (xs: number[], q: number) => {
    const v = [...xs].sort((a, b) => a - b);
    return v.length ? (v[Math.min(v.length - 1, Math.floor(q * v.length))] as number) : Number.NaN;
  };
  const figures = (xs: number[]) =>
    `p50 ${pct(xs, 0.5).toFixed(0)} ms  p95 ${pct(xs, 0.95).toFixed(0)} ms  p99 ${pct(xs, 0.99).toFixed(0)} ms`;
  const ANNOTATOR_KINDS = ["claim", "read revision", "autosave", "submit"];

  /** The annotators' requests second by second: where a burst or an outage shows. */
  function bySecond(run: Run): string[] {
    const t0 = Math.min(...run.requests.map((r) => r.at));
    const perSecond = new Map<number, { ms: number[]; failed: number }>();
    for (const r of run.requests.filter((q) => ANNOTATOR_KINDS.includes(q.kind))) {
      const second = Math.floor((r.at - t0) / 1000);
      const s = perSecond.get(second) ?? { ms: [], failed: 0 };
      s.ms.push(r.ms);
      if (r.status >= 500) s.failed++;
      perSecond.set(second, s);
    }
    return [...perSecond]
      .sort((a, b) => a[0] - b[0])
      .map(
        ([second, s]) =>
          `  ${String(second).padStart(3)} s: ${String(s.ms.length).padStart(4)} requests  p50 ${pct(s.ms, 0.5).toFixed(0)} ms  p95 ${pct(s.ms, 0.95).toFixed(0)} ms${s.failed ? `  ${s.failed} × 503` : ""}`,
      );
  }

  beforeAll(async () => {
    platform = await startPlatform(ADMIN, {
      FACET_SERVER_TIMING: "on",
      // the simulated people come from one address: per-address limits are not what is measured
      FACET_RATE_LIMIT_INVITATIONS: "1000/900",
      FACET_RATE_LIMIT_SIGN_IN_ADDRESS: "1000/900",
    });
    admin = await adminToken(platform, ADMIN);
    mfcad = (await readdir(path.join(CORPUS, "mfcad"))).filter((f) => f.endsWith(".step")).sort();
    annotators = [];
    for (let i = 0; i < ANNOTATORS; i++) annotators.push(await member("annotator", i));
    reviewers = [];
    for (let i = 0; i < REVIEWERS; i++) reviewers.push(await member("engineer", i));
  }, 300_000);
  afterAll(async () => {
    agent.destroy();
    await platform?.stop();
  });

  it("claims each part once at a time, keeps every acknowledged save in order, never answers 5xx", async () => {
    // enough parts that the queue never runs dry (about 16 submitted a second): 60 per dataset
    await preload(
      Array.from({ length: Math.max(5, Math.ceil((SECONDS + WARM_UP_SECONDS) / 3)) }, (_, i) => `load-${i}`),
    );
    // the first seconds of a fresh server (its code not yet optimised by V8, its connections opening)
    // are run the same way, checked the same way, and reported apart from the figures
    const warmUp = new Run(WARM_UP_SECONDS);
    await simulate(warmUp, {
      snapshotOf: "load-1",
      snapshotName: "load-warm-up",
      snapshotAfterMs: (WARM_UP_SECONDS * 1000) / 2,
      uploadInto: "load-warm-up-uploads",
    });
    expect(warmUp.serverErrors.map((e) => e.line)).toEqual([]);
    expect(warmUp.noAnswer).toEqual([]);
    expect(warmUp.badAnswers).toEqual([]);
    expect(warmUp.doubleClaims).toEqual([]);
    await expectEveryAcknowledgedSave(warmUp);
    const warmUpTheirs = ANNOTATOR_KINDS.flatMap((k) => warmUp.timings.get(k) ?? []);
    const db = await databaseOf(platform, "load-test");
    try {
      const logFrom = platform.run.output().length;
      // the statements PostgreSQL spends its time on during the run (npm start loads pg_stat_statements)
      await db.query("create extension if not exists pg_stat_statements");
      await db.query("select pg_stat_statements_reset()");
      const run = new Run(SECONDS);
      const cpuBefore = await platformCpu(platform);
      const ownBefore = process.cpuUsage();
      const started = performance.now();
      await simulate(run, {
        snapshotOf: "load-0",
        snapshotName: "load-v1",
        snapshotAfterMs: (SECONDS * 1000) / 2,
        uploadInto: "load-uploads",
      });
      const seconds = (performance.now() - started) / 1000;
      const cpuAfter = await platformCpu(platform);
      const own = process.cpuUsage(ownBefore);
      // where the machine's CPU went during the run (processes that ended in it are not counted)
      const cpuUsed = [...cpuAfter]
        .map(([role, s]) => [role, s - (cpuBefore.get(role) ?? 0)] as const)
        .concat([["simulated people (this test)", (own.user + own.system) / 1e6]])
        .sort((a, b) => b[1] - a[1]);

      const statements = (
        await db.query<{ calls: number; ms: number; query: string }>(
          `select calls::int, total_exec_time::float8 as ms, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) as query
           from pg_stat_statements where toplevel order by total_exec_time desc limit ${Number(process.env.FACET_LOAD_STATEMENTS ?? 8)}`,
        )
      ).rows;
      const [allStatements] = (
        await db.query<{ calls: number; ms: number }>(
          "select sum(calls)::int as calls, sum(total_exec_time)::float8 as ms from pg_stat_statements where toplevel",
        )
      ).rows;
      expect(run.serverErrors.map((e) => e.line)).toEqual([]);
      expect(run.noAnswer).toEqual([]);
      expect(run.badAnswers).toEqual([]);
      // the web process gave its own account of the saves (FACET_SERVER_TIMING)
      expect(run.phases.get("autosave")?.get("tx.work")?.length ?? 0).toBeGreaterThan(0);
      expect(run.doubleClaims).toEqual([]);
      expect(run.submitted.length).toBeGreaterThan(0);
      await expectEveryAcknowledgedSave(run);

      const all = [...run.timings.values()].flat();
      const lines = [...run.timings]
        .sort((a, b) => b[1].length - a[1].length)
        .map(([kind, xs]) => `  ${kind.padEnd(14)} ${String(xs.length).padStart(6)} requests  ${figures(xs)}`);
      // the same requests as the web process timed them (its request log): the rest is waiting to be served
      const served = new Map<string, number[]>();
      for (const m of platform.run
        .output()
        .slice(logFrom)
        .matchAll(/method=(\w+) route=(\S+) status=\d+ duration_ms=([\d.]+)/g)) {
        const k = `${m[1]} ${m[2]}`;
        served.set(k, [...(served.get(k) ?? []), Number(m[3])]);
      }
      const servedLines = [...served]
        .sort((a, b) => b[1].length - a[1].length)
        .slice(0, 8)
        .map(
          ([route, xs]) =>
            `  ${route.replace("/api/workspaces/[ws]", "…")} ${xs.length} served  p50 ${pct(xs, 0.5).toFixed(0)} ms  p95 ${pct(xs, 0.95).toFixed(0)} ms`,
        );
      const theirs = ANNOTATOR_KINDS.flatMap((k) => run.timings.get(k) ?? []);
      // where an annotator's request spends its time, by the web process's account
      const phaseNames = [...new Set(ANNOTATOR_KINDS.flatMap((k) => [...(run.phases.get(k)?.keys() ?? [])]))];
      const phaseLines = phaseNames.map((phase) => {
        const xs = ANNOTATOR_KINDS.flatMap((k) => run.phases.get(k)?.get(phase) ?? []);
        return `  ${phase.padEnd(16)} p50 ${pct(xs, 0.5).toFixed(1)} ms  p95 ${pct(xs, 0.95).toFixed(1)} ms  p99 ${pct(xs, 0.99).toFixed(1)} ms`;
      });
      console.log(
        [
          `load: ${ANNOTATORS} annotators, ${REVIEWERS} reviewers, an export, uploads; ${seconds.toFixed(0)} s, ${all.length} requests (${(all.length / seconds).toFixed(0)}/s), ${run.submitted.length} submitted, ${run.approved} approved, ${run.acked.length} saves acknowledged, 0 double claims, 0 lost saves, 0 server errors; ${run.nothingToClaim} claims found nothing to claim`,
          `  annotators' requests: p50 ${pct(theirs, 0.5).toFixed(0)} ms, p95 ${pct(theirs, 0.95).toFixed(0)} ms (target < 100), p99 ${pct(theirs, 0.99).toFixed(0)} ms (target < 300)`,
          `  before it, ${WARM_UP_SECONDS} s of warm-up on the fresh server (not in these figures): ${warmUpTheirs.length} annotators' requests, ${figures(warmUpTheirs)}, ${warmUp.acked.length} saves kept`,
          ...lines,
          "  where the annotators' requests spend their time (Server-Timing; tx.* summed over a request's transactions, member includes its own):",
          ...phaseLines,
          `  CPU during the run (${os.cpus().length} cores × ${seconds.toFixed(0)} s = ${(os.cpus().length * seconds).toFixed(0)} s): ${cpuUsed.map(([r, s]) => `${r} ${s.toFixed(1)} s`).join(", ")}`,
          "  annotators' requests by second of the run (bursts of claims and submits are where the tail comes from):",
          ...bySecond(run),
          `  PostgreSQL's statements (pg_stat_statements): ${allStatements?.calls ?? 0} run, ${((allStatements?.ms ?? 0) / 1000).toFixed(1)} s executing in all; the costliest (calls, total ms, ms each):`,
          ...statements.map(
            (st) =>
              `  ${String(st.calls).padStart(6)} ${st.ms.toFixed(0).padStart(6)} ms ${(st.ms / st.calls).toFixed(2).padStart(6)}  ${st.query}`,
          ),
          "  in the web process (its request log):",
          ...servedLines,
        ].join("\n"),
      );
    } finally {
      await db.end();
    }
  }, 900_000);

  it("PostgreSQL killed under the same load: 503 + Retry-After meanwhile, people carry on, nothing lost, nothing left in flight", async () => {
    // enough parts for the run and the outage (the claims resume together when it ends)
    await preload(Array.from({ length: Math.ceil((FAULT_PHASE_SECONDS * 4) / 3) + 1 }, (_, i) => `fault-${i}`));
    const pids = JSON.parse(await readFile(path.join(platform.dataDir, "facet.pid"), "utf8")) as { children: number[] };
    const postmaster = Number(
      (await readFile(path.join(platform.dataDir, "pg", "postmaster.pid"), "utf8")).split("\n")[0],
    );
    const logFrom = platform.run.output().length;
    // until PostgreSQL is back, the run has no end
    const run = new Run(10_000);
    const people = simulate(run, {
      snapshotOf: "fault-0",
      snapshotName: "fault-v1",
      // the export is asked for just before the database goes: its job runs across the outage
      snapshotAfterMs: FAULT_PHASE_SECONDS * 1000 - 1500,
      uploadInto: "fault-uploads",
    });
    await sleep(FAULT_PHASE_SECONDS * 1000);
    const killedAt = performance.now();
    process.kill(postmaster, "SIGKILL");
    await waitUntil(
      "PostgreSQL to be restarted",
      () => platform.run.output().slice(logFrom).includes("[postgres] restarted"),
      120_000,
      platform.run,
    ).catch((e: unknown) => {
      run.until = Date.now(); // the people stop with the test
      throw e;
    });
    const backAt = performance.now();
    run.until = Date.now() + FAULT_PHASE_SECONDS * 1000;
    await people;
    const endedAt = performance.now();

    const out = platform.run.output().slice(logFrom);
    expect(out).toMatch(/\[postgres\] stopped \(SIGKILL\); restarting/);
    // the web app was not restarted: it reconnected
    expect(out).not.toMatch(/\[web\] stopped/);
    // the worker reconnected too; or, when the cut fell on a job's end being written, it said so and stopped
    // to be started again (the new worker runs that job again), once
    const workerRestarts = out.match(/\[worker\] stopped \([^)]*\); restarting/g) ?? [];
    expect(workerRestarts.length).toBeLessThanOrEqual(1);
    if (workerRestarts.length > 0) expect(out).toMatch(/the job queue cannot go on/);
    const now = JSON.parse(await readFile(path.join(platform.dataDir, "facet.pid"), "utf8")) as { children: number[] };
    expect(now.children.filter((pid) => pids.children.includes(pid)).length).toBe(2 - workerRestarts.length);
    // every request was answered; the only failure was "unavailable, try again in N s", while the database was away
    expect(run.noAnswer).toEqual([]);
    expect(run.badAnswers).toEqual([]);
    // what the web process logged of any other failure (its error lines)
    const logged = platform.run
      .output()
      .slice(logFrom)
      .split("\n")
      .filter((l) => /unexpected error|request failed/.test(l))
      .slice(0, 5)
      .join("\n");
    for (const e of run.serverErrors) {
      expect(e.line, logged).toMatch(/: 503 /);
      expect(e.code, e.line).toBe("UNAVAILABLE");
      expect(e.retryAfter, e.line).toBeGreaterThan(0);
    }
    expect(run.doubleClaims).toEqual([]);
    // they carried on once it was back: saves and submissions after the restart
    expect(run.acked.filter((a) => a.at > backAt).length).toBeGreaterThan(0);
    expect(run.submitted.filter((t) => t > backAt).length).toBeGreaterThan(0);
    await expectEveryAcknowledgedSave(run);

    const db = await databaseOf(platform, "fault-check");
    try {
      // the export asked for before the outage finished, and so did every upload of the time
      await waitUntil(
        "the export to finish",
        async () =>
          (await db.query("select completed_at from snapshot_exports where id = $1", [run.exportId])).rows[0]
            ?.completed_at != null,
        180_000,
        platform.run,
      );
      // what is still in flight: parts not through ingest, jobs not ended
      const inFlight = async () =>
        (
          await db.query<{ what: string }>(
            `select format('part %s %s (%s)', id, status, name) as what from parts where status in ('uploaded', 'processing')
             union all
             select format('job %s %s %s attempt %s/%s, started %s, updated %s: %s', id, kind, status, attempts, max_attempts, started_at, updated_at, error)
             from jobs where status in ('queued', 'running')`,
          )
        ).rows.map((r) => r.what);
      await waitUntil("no part or job in flight", async () => (await inFlight()).length === 0, 180_000).catch(
        async (e: Error) => {
          throw new Error(`${e.message.split("\n")[0]}:\n${(await inFlight()).join("\n")}`);
        },
      );
      const uploaded = await db.query<{ status: string; n: number }>(
        "select status::text, count(*)::int as n from parts where id = any($1) group by 1",
        [run.uploadedParts],
      );
      // the corpus's files all process (none failed because the database went away under them), and
      // are pre-labelled: waiting in the queue, or already taken on by the annotators
      expect(uploaded.rows.reduce((n, r) => n + r.n, 0)).toBe(new Set(run.uploadedParts).size);
      for (const r of uploaded.rows)
        expect(["pre_labeled", "in_progress", "in_review", "approved"]).toContain(r.status);
      const failedJobs = await db.query<{ kind: string; error: string }>(
        "select kind, error from jobs where status = 'failed' and created_at > now() - interval '10 minutes'",
      );
      expect(failedJobs.rows).toEqual([]);
      // the stored files match the rows, and none is left that nothing refers to
      const { blobUrlSecret } = JSON.parse(await readFile(path.join(platform.dataDir, "secrets.json"), "utf8")) as {
        blobUrlSecret: string;
      };
      const store = new FsBlobStore({ root: platform.dataDir, baseUrl: platform.url, secret: blobUrlSecret });
      const verified = await verifyInstallation({ db, store });
      expect(verified.ok, JSON.stringify(verified)).toBe(true);
      const garbage = await collectGarbage({ pool: db, store, dryRun: true, minAgeHours: 0 });
      expect(garbage.found).toEqual([]);

      const during = run.requests.filter((r) => r.at >= killedAt && r.at <= backAt);
      const firstSaveBack = run.acked.find((a) => a.at > killedAt)?.at;
      console.log(
        [
          `PostgreSQL killed under load (${ANNOTATORS} annotators, ${REVIEWERS} reviewers, an export, uploads): back after ${((backAt - killedAt) / 1000).toFixed(1)} s; the first save acknowledged ${firstSaveBack ? ((firstSaveBack - killedAt) / 1000).toFixed(1) : "-"} s after the kill`,
          `  ${run.requests.length} requests in ${((endedAt - killedAt) / 1000 + FAULT_PHASE_SECONDS).toFixed(0)} s; ${during.length} while it was away, ${run.serverErrors.length} answered 503 UNAVAILABLE (Retry-After ${[...new Set(run.serverErrors.map((e) => e.retryAfter))].join(", ") || "-"} s), 0 unanswered, 0 other errors`,
          `  the web app reconnected; the worker ${workerRestarts.length ? "stopped once (a job's end cut off mid-write) and was started again" : "reconnected"}`,
          `  ${run.acked.length} saves acknowledged and kept (${run.acked.filter((a) => a.at > backAt).length} after the restart), ${run.submitted.length} submitted (${run.submitted.filter((t) => t > backAt).length} after), ${run.approved} approved, ${run.uploadedParts.length} files uploaded and pre-labelled, the export finished, verify ok, nothing for gc`,
          "  annotators' requests by second:",
          ...bySecond(run),
        ].join("\n"),
      );
    } finally {
      await db.end();
    }
  }, 900_000);
});
