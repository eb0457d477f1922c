import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ApiKeyScope, MemberRole } from "@facet/core";
import { expect, test } from "@playwright/test";
import fc from "fast-check";
import { AUTHORIZATION, type Call, type Fixture, type Rule, SERVER_ACTIONS } from "./authorization-table";
import { ADMIN, query, WORKSPACE } from "./helpers";

// The route inventory: every route handler and server action of the app is in the authorization
// table, and every entry is called as every kind of caller (no credentials, an expired token, a
// signed-out session, each role, a member of another workspace, a member of both through the
// other workspace's path, API keys of the wrong scope and of the wrong binding). Runs against the
// real platform (`npm start`) with real accounts, sessions and keys.
test.describe.configure({ mode: "serial" });

const APP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../app");
const BASE = `http://localhost:${process.env.FACET_E2E_PORT ?? 3210}`;
const PASSWORD = "a sturdy passphrase for probes";
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/** `METHOD /api/…` for every handler a route file exports (its `methods({...})` or re-exports). */
function routesOnDisk(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name === "route.ts") {
        const text = readFileSync(p, "utf8");
        const route = `/${path.relative(APP, dir).split(path.sep).join("/")}`;
        const at = text.search(/\bmethods(<[^>]*>)?\(/);
        const exported =
          at >= 0
            ? [...text.slice(at).matchAll(/\b(GET|POST|PUT|PATCH|DELETE)\s*:/g)].map((m) => m[1])
            : [...text.matchAll(/\bas\s+(GET|POST|PUT|PATCH|DELETE)\b/g)].map((m) => m[1]);
        for (const m of new Set(exported)) out.push(`${m} ${route}`);
      }
    }
  };
  walk(path.join(APP, "api"));
  return out.sort();
}

/** Files that declare server actions ("use server"), relative to apps/web. */
function serverActionsOnDisk(): string[] {
  const root = path.resolve(APP, "..");
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (name === "node_modules" || name.startsWith(".")) continue;
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ts|tsx)$/.test(name) && /^\s*["']use server["']/m.test(readFileSync(p, "utf8"))) {
        out.push(path.relative(root, p));
      }
    }
  };
  for (const d of ["app", "lib", "components"]) walk(path.join(root, d));
  return out.sort();
}

interface Answer {
  status: number;
  code: string | null;
  text: string;
}

let address = 1;
/** Each fixture request from its own address: the per-address limits are not what is tested here. */
const nextAddress = () => `198.51.${100 + Math.floor(address / 250)}.${(address++ % 250) + 1}`;

async function send(method: string, call: Call, bearer: string | null): Promise<Answer> {
  const controller = new AbortController();
  const res = await fetch(new URL(call.path, BASE), {
    method,
    headers: {
      "x-forwarded-for": nextAddress(),
      ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      ...(call.body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: call.body === undefined ? undefined : typeof call.body === "string" ? call.body : JSON.stringify(call.body),
    signal: controller.signal,
  });
  if ((res.headers.get("content-type") ?? "").includes("text/event-stream")) {
    controller.abort(); // a live stream was opened: that is the answer
    return { status: res.status, code: null, text: "(event stream)" };
  }
  const text = await res.text();
  let code: string | null = null;
  try {
    code = (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? null;
  } catch {
    code = null;
  }
  return { status: res.status, code, text };
}

const sessionOf = (res: Response) => /facet-session=([^;]+)/.exec(res.headers.getSetCookie().join("\n"))?.[1] ?? null;

async function signIn(email: string, password: string): Promise<string> {
  const res = await fetch(new URL("/api/auth/sign-in", BASE), {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": nextAddress() },
    body: JSON.stringify({ email, password }),
  });
  expect(res.status, `sign in ${email}`).toBe(200);
  return sessionOf(res) as string;
}

async function api<T>(method: string, p: string, bearer: string, body?: unknown): Promise<T> {
  const a = await send(method, { path: p, body }, bearer);
  expect(a.status, `${method} ${p}: ${a.text}`).toBeLessThan(300);
  return JSON.parse(a.text) as T;
}

/** A new account joins workspace `ws` with `role` through an invitation; returns its id and token. */
async function join(adminToken: string, ws: string, role: MemberRole, label: string) {
  const { url } = await api<{ url: string }>("POST", `/api/workspaces/${ws}/invitations`, adminToken, { role });
  const email = `${label}-${randomUUID().slice(0, 8)}@example.test`;
  const res = await fetch(new URL(`${new URL(url).pathname.replace("/invite/", "/api/invitations/")}/accept`, BASE), {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": nextAddress() },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  expect(res.status, `join ${email}: ${await res.clone().text()}`).toBe(201);
  const token = sessionOf(res) as string;
  const me = await api<{ user: { id: string } }>("GET", "/api/auth/me", token);
  return { id: me.user.id, email, token };
}

/** An HS256 JWT as the platform signs them (its secret from the data folder), here already expired. */
function expiredToken(claims: Record<string, unknown>): string {
  const dataDir = process.env.FACET_E2E_DATA_DIR as string;
  const { jwtSecret } = JSON.parse(readFileSync(path.join(dataDir, "secrets.json"), "utf8")) as { jwtSecret: string };
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const body = `${b64({ alg: "HS256", typ: "JWT" })}.${b64({ ...claims, aud: "authenticated", iat: now - 3600, exp: now - 60 })}`;
  return `${body}.${createHmac("sha256", jwtSecret).update(body).digest("base64url")}`;
}

type Caller =
  | { name: string; kind: "anonymous" | "expired" | "signed-out"; token: string | null }
  | { name: string; kind: "session"; token: string; userId: string; email: string; roleInW: MemberRole | null }
  | {
      name: string;
      kind: "key";
      token: string;
      userId: string;
      ownerRoleInW: MemberRole | null;
      scopes: readonly ApiKeyScope[];
      binding: "W" | "X" | null;
    };

type Expected = { allowed: true } | { allowed: false; status: 401 | 403; codes?: string[] };

/** What the table says a caller gets (the route's own workspace is W). */
function expected(rule: Rule, caller: Caller): Expected {
  const who = rule.who;
  if (who.kind === "anyone") return { allowed: true };
  if (caller.kind !== "session" && caller.kind !== "key") {
    const code = { anonymous: "UNAUTHENTICATED", expired: "TOKEN_EXPIRED", "signed-out": "SESSION_REVOKED" }[
      caller.kind
    ];
    return { allowed: false, status: 401, codes: [code] };
  }
  if (who.kind === "signed-in") {
    if (caller.kind === "session" || who.keys === "any") return { allowed: true };
    if (who.keys === "none") return { allowed: false, status: 403 };
    if (who.keys.unbound && caller.binding !== null) return { allowed: false, status: 403, codes: ["FORBIDDEN"] };
    if (!caller.scopes.includes(who.keys.scope)) return { allowed: false, status: 403, codes: ["SCOPE_REQUIRED"] };
    return { allowed: true };
  }
  if (caller.kind === "session") {
    if (caller.roleInW === null) return { allowed: false, status: 403, codes: ["NOT_A_MEMBER"] };
    return who.roles.includes(caller.roleInW)
      ? { allowed: true }
      : { allowed: false, status: 403, codes: ["ROLE_REQUIRED"] };
  }
  if (caller.binding === "X" || caller.ownerRoleInW === null) {
    return { allowed: false, status: 403, codes: ["NOT_A_MEMBER"] };
  }
  if (!caller.scopes.includes(who.scope)) return { allowed: false, status: 403, codes: ["SCOPE_REQUIRED"] };
  return who.roles.includes(caller.ownerRoleInW)
    ? { allowed: true }
    : { allowed: false, status: 403, codes: ["ROLE_REQUIRED"] };
}

/** What workspace W holds, as one digest: any change a call makes to W's rows changes it. */
async function stateOfW(wsId: string): Promise<string> {
  const [row] = await query<{ digest: string }>(
    `select md5(concat_ws('|',
       (select string_agg(concat_ws(':', id, status, annotator_id, lease_expires_at, split, tags::text), ',' order by id)
          from public.parts where workspace_id = $1),
       (select string_agg(concat_ws(':', user_id, role), ',' order by user_id)
          from public.workspace_members where workspace_id = $1),
       (select string_agg(concat_ws(':', id, revoked_at), ',' order by id) from public.invitations where workspace_id = $1),
       (select string_agg(concat_ws(':', id, revoked_at), ',' order by id) from public.share_links where workspace_id = $1),
       (select string_agg(concat_ws(':', id, resolved_at), ',' order by id) from public.comments where workspace_id = $1),
       (select string_agg(concat_ws(':', id, queue_order, name, split_config::text), ',' order by id)
          from public.datasets where workspace_id = $1),
       (select count(*) from public.snapshots where workspace_id = $1),
       (select count(*) from public.snapshot_exports where workspace_id = $1),
       (select count(*) from public.saved_filters where workspace_id = $1),
       (select count(*) from public.annotation_revisions where workspace_id = $1),
       (select count(*) from public.jobs where workspace_id = $1))) as digest`,
    [wsId],
  );
  return row?.digest as string;
}

let W = "";
let wId = "";
let X = "";
let fixture: Fixture;
let callers: Caller[] = [];
/** Admin of W and admin of X: the member of both. */
let both: { id: string; token: string };
/** W's first admin: makes the fixture's fresh rows (re-signed-in after "sign out everywhere"). */
const admin = { token: "", id: "" };

test.beforeAll(async () => {
  test.setTimeout(300_000);
  const setup = await fetch(new URL("/api/setup", BASE));
  if ((await setup.json()).needsSetup) {
    await fetch(new URL("/api/setup", BASE), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...ADMIN, workspaceName: WORKSPACE.name }),
    });
  }
  admin.token = await signIn(ADMIN.email, ADMIN.password);
  admin.id = (await api<{ user: { id: string } }>("GET", "/api/auth/me", admin.token)).user.id;
  const w = await api<{ workspace: { id: string; slug: string } }>("POST", "/api/workspaces", admin.token, {
    name: `Authz ${randomUUID().slice(0, 6)}`,
  });
  W = w.workspace.slug;
  wId = w.workspace.id;
  // a name with a % in it: the router decodes the path once, nothing decodes it again
  const datasetName = "Probe 50% done";
  await api("POST", `/api/workspaces/${W}/datasets`, admin.token, { name: datasetName });
  const [{ id: datasetId } = { id: "" }] = await query<{ id: string }>(
    "select id from public.datasets where workspace_id = $1 and name = $2",
    [wId, datasetName],
  );

  const roles: Record<string, Awaited<ReturnType<typeof join>>> = {};
  for (const role of ["engineer", "annotator", "ml_engineer", "viewer"] as const) {
    roles[role] = await join(admin.token, W, role, role);
  }
  const spare = await join(admin.token, W, "viewer", "spare");
  const b = await join(admin.token, W, "admin", "both");
  both = { id: b.id, token: b.token };
  const x = await api<{ workspace: { slug: string } }>("POST", "/api/workspaces", both.token, {
    name: `Elsewhere ${randomUUID().slice(0, 6)}`,
  });
  X = x.workspace.slug;
  const outsider = await join(both.token, X, "admin", "outsider");

  // rows of W, arranged as the database owner where no API makes them directly
  const newPart = async (status: string, extra: { annotator?: string; review?: boolean } = {}) => {
    const sha = randomBytes(32).toString("hex");
    await query(
      `insert into public.blobs (sha256, size, storage_key, verified_at)
       values ($1, 100, 'blobs/sha256/' || substr($1, 1, 2) || '/' || substr($1, 3, 2) || '/' || $1, now())`,
      [sha],
    );
    await query("insert into public.workspace_blobs (workspace_id, sha256) values ($1, $2)", [wId, sha]);
    const [row] = await query<{ id: string }>(
      `insert into public.parts (workspace_id, dataset_id, blob_sha256, name, status, annotator_id, claimed_at,
         lease_expires_at, claimed_from, failure_reason)
       values ($1, $2, $3, $4, $5::public.part_status, $6, case when $6::uuid is null then null else now() end,
         case when $5 = 'in_progress' then now() + interval '15 minutes' end,
         case when $5 = 'in_progress' then 'pre_labeled'::public.part_status end,
         case when $5 = 'failed' then 'the STEP file has no geometry' end)
       returning id`,
      [wId, datasetId, sha, `probe-${sha.slice(0, 8)}.step`, status, extra.annotator ?? null],
    );
    const id = row?.id as string;
    if (extra.review || status === "in_progress") {
      await query(
        `insert into public.annotation_revisions (part_id, revision_no, author_id, document)
         values ($1, 1, $2, '{"schemaVersion": 1, "faceSignature": "probe", "faceCount": 1, "labels": ["hole"], "instances": []}')`,
        [id, extra.annotator ?? null],
      );
    }
    return id;
  };
  const queuedPartId = await newPart("pre_labeled");
  const heldPartId = await newPart("in_progress", { annotator: roles.annotator?.id as string });
  const comment = await api<{ comment: { id: string } }>(
    "POST",
    `/api/workspaces/${W}/parts/${queuedPartId}/comments`,
    admin.token,
    { body: "the fixture's thread" },
  );
  const link = await api<{ link: { id: string } }>(
    "POST",
    `/api/workspaces/${W}/parts/${queuedPartId}/share-links`,
    admin.token,
    { access: "comment", expiresInDays: 1 },
  );
  // a snapshot of W's dataset (the held part has labels) and a Parquet export of it
  const snapshotName = "probe-v1";
  await api("POST", `/api/workspaces/${W}/snapshots`, admin.token, { dataset: datasetName, name: snapshotName });
  const exported = await api<{ export: { id: string } }>(
    "POST",
    `/api/workspaces/${W}/snapshots/${snapshotName}/exports`,
    admin.token,
    { format: "parquet" },
  );
  const [{ job_id: jobId } = { job_id: "" }] = await query<{ job_id: string }>(
    "select job_id from public.snapshot_exports where id = $1",
    [exported.export.id],
  );
  fixture = {
    snapshotName,
    exportId: exported.export.id,
    jobId,
    w: W,
    datasetName,
    queuedPartId,
    heldPartId,
    commentId: comment.comment.id,
    shareLinkId: link.link.id,
    spareUserId: spare.id,
    fresh: {
      part: (status) => newPart(status),
      heldBy: (userId) => newPart("in_progress", { annotator: userId }),
      inReview: () => newPart("in_review", { annotator: roles.annotator?.id as string, review: true }),
      invitation: async () =>
        (
          await api<{ invitation: { id: string } }>("POST", `/api/workspaces/${W}/invitations`, admin.token, {
            role: "viewer",
          })
        ).invitation.id,
      shareLink: async (partId) =>
        (
          await api<{ link: { id: string } }>("POST", `/api/workspaces/${W}/parts/${partId}/share-links`, admin.token, {
            access: "read",
            expiresInDays: 1,
          })
        ).link.id,
      member: async () => (await join(admin.token, W, "viewer", "doomed")).id,
    },
  };

  // API keys: bound to W read-only, label-only and with every scope; bound to X; personal
  const key = async (token: string, body: Record<string, unknown>) =>
    (await api<{ key: string }>("POST", "/api/api-keys", token, { name: "probe", ...body })).key;
  const all = ["read", "ingest", "label", "review", "curate", "admin"] as const;

  // a session that signed out, and an expired token of a live session
  const gone = await signIn(roles.engineer?.email as string, PASSWORD);
  await fetch(new URL("/api/auth/sign-out", BASE), { method: "POST", headers: { cookie: `facet-session=${gone}` } });
  // and of someone who is no member of W: the ended session is what they are told, not W's membership
  const goneOutsider = await signIn(outsider.email, PASSWORD);
  await fetch(new URL("/api/auth/sign-out", BASE), {
    method: "POST",
    headers: { cookie: `facet-session=${goneOutsider}` },
  });
  const live = JSON.parse(Buffer.from(admin.token.split(".")[1] as string, "base64url").toString()) as Record<
    string,
    unknown
  >;

  callers = [
    { name: "no credentials", kind: "anonymous", token: null },
    { name: "an expired token", kind: "expired", token: expiredToken({ ...live }) },
    { name: "a signed-out session", kind: "signed-out", token: gone },
    { name: "a signed-out session of another workspace's member", kind: "signed-out", token: goneOutsider },
    { name: "admin", kind: "session", token: admin.token, userId: admin.id, email: ADMIN.email, roleInW: "admin" },
    ...(["engineer", "annotator", "ml_engineer", "viewer"] as const).map(
      (role): Caller => ({
        name: role,
        kind: "session",
        token: roles[role]?.token as string,
        userId: roles[role]?.id as string,
        email: roles[role]?.email as string,
        roleInW: role,
      }),
    ),
    {
      name: "a member of another workspace",
      kind: "session",
      token: outsider.token,
      userId: outsider.id,
      email: outsider.email,
      roleInW: null,
    },
    ...[
      { name: "W's read-only key", scopes: ["read"] as const, binding: "W" as const },
      { name: "W's label-only key", scopes: ["label"] as const, binding: "W" as const },
      { name: "W's key with every scope", scopes: all, binding: "W" as const },
      { name: "a personal key with every scope", scopes: all, binding: null },
    ].map(
      (k): Caller => ({
        name: k.name,
        kind: "key",
        token: "",
        userId: admin.id,
        ownerRoleInW: "admin",
        scopes: k.scopes,
        binding: k.binding,
      }),
    ),
    {
      name: "X's key (its owner is W's admin too)",
      kind: "key",
      token: await key(both.token, { scopes: all, workspace: X }),
      userId: both.id,
      ownerRoleInW: "admin",
      scopes: all,
      binding: "X",
    },
  ];
  for (const c of callers) {
    if (c.kind === "key" && c.token === "") {
      c.token = await key(admin.token, { scopes: c.scopes, ...(c.binding === "W" ? { workspace: W } : {}) });
    }
  }
});

test("every route handler and server action is in the authorization table, and nothing else is", () => {
  const listed = Object.keys(AUTHORIZATION).sort();
  const onDisk = routesOnDisk();
  expect(onDisk.length).toBeGreaterThan(40);
  expect(
    onDisk.filter((r) => !listed.includes(r)),
    "handlers missing from the table",
  ).toEqual([]);
  expect(
    listed.filter((r) => !onDisk.includes(r)),
    "table entries with no handler",
  ).toEqual([]);
  expect(serverActionsOnDisk()).toEqual(Object.keys(SERVER_ACTIONS).sort());
  for (const key of listed) expect(METHODS).toContain(key.split(" ")[0]);
});

// First, before the calls below queue jobs whose work (by the worker) would change W's rows meanwhile.
test("a member of both workspaces reaches none of W's rows through the other workspace's path", async () => {
  const probes = Object.entries(AUTHORIZATION).filter(([, r]) => r.rowsOfW);
  expect(probes.length).toBeGreaterThan(20);
  const keyOfX = callers.find((c) => c.kind === "key" && c.binding === "X") as Caller;
  const problems: string[] = [];
  for (const [route, rule] of probes) {
    const method = route.split(" ")[0] as string;
    for (const [who, token] of [
      ["W's admin (a session), through X", both.token],
      ["X's key, through X", keyOfX.token],
    ] as const) {
      const call = await rule.call(fixture, X, both.id);
      expect(call.path.startsWith(`/api/workspaces/${X}/`), call.path).toBe(true);
      const before = await stateOfW(wId);
      const got = await send(method, call, token);
      const after = await stateOfW(wId);
      if (got.status !== 404 && got.status !== 403)
        problems.push(`${route} by ${who}: ${got.status} ${got.text.slice(0, 200)}`);
      if (before !== after) problems.push(`${route} by ${who} changed W's rows`);
      if (/probe-[0-9a-f]{8}\.step|the fixture's thread/.test(got.text))
        problems.push(`${route} by ${who} showed W's data`);
    }
  }
  expect(problems).toEqual([]);
});

for (const [route, rule] of Object.entries(AUTHORIZATION)) {
  test(`${route}: each caller gets what the table says`, async () => {
    const [method, pattern] = route.split(" ") as [string, string];
    const problems: string[] = [];
    for (const caller of callers) {
      const userId = "userId" in caller ? caller.userId : admin.id;
      const call = await rule.call(fixture, W, userId);
      const want = expected(rule, caller);
      const got = await send(method, call, caller.token);
      // a call that ended the caller's sessions: sign in again for the routes that follow
      if (rule.endsSessions && caller.kind === "session") {
        caller.token = await signIn(caller.email, caller.email === ADMIN.email ? ADMIN.password : PASSWORD);
        if (caller.email === ADMIN.email) admin.token = caller.token;
      }
      const line = `${caller.name}: ${got.status} ${got.code ?? ""} (${got.text.slice(0, 160)})`;
      if (got.status >= 500) problems.push(`server error for ${line}`);
      else if (want.allowed) {
        if (rule.who.kind !== "anyone" && (got.status === 401 || got.status === 403)) {
          problems.push(`should be let through: ${line}`);
        }
      } else if (got.status !== want.status || (want.codes && !want.codes.includes(got.code ?? ""))) {
        problems.push(`should be refused with ${want.status} ${want.codes?.join("|") ?? ""}: ${line}`);
      }
    }
    expect(problems, `${method} ${pattern}`).toEqual([]);
  });
}

test("W's rows are unchanged by every refused call (the held part stays held, the spare member stays)", async () => {
  const [held] = await query<{ status: string; annotator_id: string }>(
    "select status, annotator_id from public.parts where id = $1",
    [fixture.heldPartId],
  );
  expect(held?.status).toBe("in_progress");
  const [member] = await query<{ n: number }>(
    "select count(*)::int as n from public.workspace_members where workspace_id = $1 and user_id = $2",
    [wId, fixture.spareUserId],
  );
  expect(member?.n).toBe(1);
});

// Issue 21, hostile input: every route's request, as W's admin (past every permission check, so the
// body and the path are what is judged), with its JSON body replaced by generated values and with
// its path segments replaced by hostile text. Property: never a 5xx, an error is always
// {error: {code, message}}, and no answer shows a stack frame, a source file or a server path.
// Last in this file: a generated body may be valid and change W (a setting, a tag, a dataset).
const LEAK =
  /\n\s+at |\bat [\w.<>]+ \(|\.(ts|tsx|js|mjs):\d+|\/(work|root|home|tmp|usr|var|opt|app)\/|node_modules|file:\/\//;
const RUNS = Number(process.env.FACET_FUZZ_RUNS ?? 10);
/** Routes that end the caller's own session (the fuzzer would sign itself out) or open a live stream. */
const NOT_FUZZED = new Set(["POST /api/auth/sign-out", "POST /api/auth/sign-out-everywhere"]);

function judge(route: string, sent: string, a: Answer) {
  const what = `${route} with ${sent.slice(0, 300)} → ${a.status} ${a.text.slice(0, 300)}`;
  expect(a.status, what).toBeLessThan(500);
  expect(a.text, what).not.toMatch(LEAK);
  if (a.status >= 400 && a.text !== "(event stream)") {
    let body: { error?: { code?: unknown; message?: unknown } } = {};
    try {
      body = JSON.parse(a.text);
    } catch {
      throw new Error(`${what}: the error is not JSON`);
    }
    expect(typeof body.error?.code, what).toBe("string");
    expect(typeof body.error?.message, what).toBe("string");
  }
}

/** Values that break careless parsers: huge, deep, odd numbers, odd text. */
const hostileValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(
    "",
    "x".repeat(200_000),
    "../../../../etc/passwd",
    "\u0000\u202e<script>alert(1)</script>",
    "%00%2e%2e%2f",
    1e308,
    -1,
    2 ** 53 + 1,
    -0,
    0.5,
    true,
    null,
    [],
    {},
    JSON.parse('{"__proto__": {"admin": true}, "constructor": {"prototype": {"admin": true}}}'),
  ),
  fc.integer({ min: 1, max: 200 }).map((depth) => {
    let v: unknown = "deep";
    for (let i = 0; i < depth; i++) v = [v];
    return v;
  }),
);

test("hostile bodies and path segments get a clear JSON error, never a 5xx, a stack trace or a path (fast-check)", async () => {
  test.setTimeout(600_000);
  let requests = 0;
  for (const [route, rule] of Object.entries(AUTHORIZATION)) {
    if (NOT_FUZZED.has(route)) continue;
    const method = route.split(" ")[0] as string;
    const call = await rule.call(fixture, W, admin.id);
    if (call.stream) continue;
    const base = call.body;
    // bodies: anything at all, or the valid body with one key replaced, dropped or added
    if (method !== "GET" && method !== "DELETE" && typeof base !== "string") {
      const keys = base && typeof base === "object" ? Object.keys(base as object) : [];
      const bodies = fc.oneof(
        fc.jsonValue({ maxDepth: 4 }),
        fc.tuple(fc.constantFrom(...keys, "unexpected"), hostileValue, fc.boolean()).map(([k, v, drop]) => {
          const copy = { ...(base as Record<string, unknown>) };
          if (drop) delete copy[k];
          else copy[k] = v;
          return copy;
        }),
      );
      await fc.assert(
        fc.asyncProperty(bodies, async (body) => {
          requests++;
          judge(route, JSON.stringify(body) ?? "undefined", await send(method, { path: call.path, body }, admin.token));
        }),
        { numRuns: RUNS, seed: 21, endOnFailure: true },
      );
      // not JSON at all
      requests++;
      judge(route, "{not json", await send(method, { path: call.path, body: "{not json" }, admin.token));
    }
    // each dynamic segment of the path ([ws], [partId], [dataset], …) replaced by hostile text
    const pattern = route.split(" ")[1]?.split("/") ?? [];
    const actual = call.path.split("?")[0]?.split("/") ?? [];
    if (pattern.some((s) => s.startsWith("[...") || s.startsWith("[[..."))) continue;
    const slots = pattern.flatMap((s, i) => (s.startsWith("[") ? [i] : []));
    if (slots.length === 0 || actual.length !== pattern.length) continue;
    const segment = fc.oneof(
      fc.string({ unit: "binary", maxLength: 40 }),
      fc.constantFrom("..", "%2e%2e", "%00", "x".repeat(5000), "00000000-0000-0000-0000-000000000000", "-1", "null"),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...slots), segment, async (slot, text) => {
        const parts = [...actual];
        parts[slot] = encodeURIComponent(text);
        const path = parts.join("/");
        requests++;
        judge(route, path, await send(method, { path, body: base }, admin.token));
      }),
      { numRuns: RUNS, seed: 21, endOnFailure: true },
    );
  }
  expect(requests).toBeGreaterThan(300);
});
