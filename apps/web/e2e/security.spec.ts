import { randomBytes, randomUUID } from "node:crypto";
import { request as httpRequest } from "node:http";
import { expect, type Page, test } from "@playwright/test";
import { ADMIN, query, signInAdmin, uploadCorpusPart, WORKSPACE } from "./helpers";

// What Facet protects, tried the way an attacker (or a careless client) would: redirects, scripts,
// guessing, streams that outlive access, guests, hostile input. The route-by-route authorization is
// authorization.spec.ts.
test.describe.configure({ mode: "serial" });

const PORT = Number(process.env.FACET_E2E_PORT ?? 3210);
const BASE = `http://localhost:${PORT}`;
const PASSWORD = "a sturdy passphrase for probes";
let address = 1;
/** A client address of its own (the test platform trusts one proxy: X-Forwarded-For says who calls). */
const from = () => ({ "x-forwarded-for": `203.0.113.${(address++ % 250) + 1}` });

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: { error?: { code: string; message: string } } & Record<string, unknown>;
}

async function call(
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const res = await fetch(new URL(path, BASE), {
    method,
    headers: {
      ...from(),
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.body === undefined ? {} : { "content-type": "application/json" }),
      ...opts.headers,
    },
    body: opts.body === undefined ? undefined : typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body),
  });
  const text = await res.text();
  let json = {};
  try {
    json = JSON.parse(text);
  } catch {
    json = {};
  }
  return { status: res.status, headers: res.headers, text, json };
}

const sessionOf = (h: Headers) => /facet-session=([^;]+)/.exec(h.getSetCookie().join("\n"))?.[1] ?? "";

async function signIn(email: string, password: string): Promise<string> {
  const a = await call("POST", "/api/auth/sign-in", { body: { email, password } });
  expect(a.status, a.text).toBe(200);
  return sessionOf(a.headers);
}

let adminToken = "";
/** A new account in the fixture workspace with a role; its session token. */
async function newMember(role: string, label: string): Promise<{ id: string; email: string; token: string }> {
  const inv = await call("POST", `/api/workspaces/${WORKSPACE.slug}/invitations`, {
    token: adminToken,
    body: { role },
  });
  expect(inv.status, inv.text).toBe(201);
  const token = new URL(inv.json.url as string).pathname.split("/").pop();
  const email = `${label}-${randomUUID().slice(0, 8)}@example.test`;
  const joined = await call("POST", `/api/invitations/${token}/accept`, { body: { email, password: PASSWORD } });
  expect(joined.status, joined.text).toBe(201);
  const session = sessionOf(joined.headers);
  const me = await call("GET", "/api/auth/me", { token: session });
  return { id: (me.json.user as { id: string }).id, email, token: session };
}

test.beforeAll(async ({ browser }) => {
  const page = await (await browser.newContext()).newPage();
  await signInAdmin(page);
  await page.close();
  adminToken = await signIn(ADMIN.email, ADMIN.password);
});

test("sign-in never sends the browser to another site, whatever `next` says", async ({ browser }) => {
  for (const next of [
    "/%5Cevil.example",
    "//evil.example",
    "/%2F%2Fevil.example",
    "https://evil.example",
    "/\\evil.example",
  ]) {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`/sign-in?next=${encodeURIComponent(next).replace(/%25/g, "%")}`);
    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((u) => !u.pathname.startsWith("/sign-in"));
    expect(new URL(page.url()).host, next).toBe(`localhost:${PORT}`);
    await page.context().close();
  }
});

test("pages run only their own nonce'd scripts: no CSP violation while uploading (WebAssembly hashing) and viewing a part in 3D", async ({
  browser,
}) => {
  const page = await (await browser.newContext()).newPage();
  await page.addInitScript(() => {
    (window as unknown as { __csp: string[] }).__csp = [];
    document.addEventListener("securitypolicyviolation", (e) =>
      (window as unknown as { __csp: string[] }).__csp.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  const main = await page.request.get("/sign-in");
  const policy = main.headers()["content-security-policy"] ?? "";
  const script = policy.split("; ").find((d) => d.startsWith("script-src")) ?? "";
  expect(script).toMatch(/'nonce-[A-Za-z0-9+/=]{16,}'/);
  expect(script).not.toContain("'unsafe-inline'");
  expect(script).not.toContain("'unsafe-eval'");
  expect(policy).toContain("frame-ancestors 'none'");
  // a fresh nonce per request
  const again = (await page.request.get("/sign-in")).headers()["content-security-policy"];
  expect(again).not.toBe(policy);

  await signInAdmin(page);
  const ds = await page.request.post(`/api/workspaces/${WORKSPACE.slug}/datasets`, {
    data: { name: `CSP ${randomUUID().slice(0, 6)}` },
  });
  const datasetId = (await ds.json()).dataset.id as string;
  await uploadCorpusPart(page, WORKSPACE.slug, datasetId, "mfcad/0-1-2-3-19.step");
  const [part] = await query<{ id: string }>("select id from public.parts where dataset_id = $1", [datasetId]);
  await expect
    .poll(
      async () =>
        (await query<{ status: string }>("select status::text from public.parts where id = $1", [part?.id]))[0]?.status,
      {
        timeout: 90_000,
      },
    )
    .toMatch(/pre_labeled|unannotated/);
  await page.goto(`/w/${WORKSPACE.slug}/parts/${part?.id}`);
  await expect(page.locator("canvas").first()).toBeVisible();
  await page.waitForTimeout(1000);
  const recorded = await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
  expect([...recorded, ...violations]).toEqual([]);
});

test("security headers on every answer; over https (a trusted proxy says so) HSTS and Secure cookies", async () => {
  const page = await call("GET", "/sign-in");
  expect(page.headers.get("x-content-type-options")).toBe("nosniff");
  expect(page.headers.get("x-frame-options")).toBe("DENY");
  expect(page.headers.get("referrer-policy")).toBe("same-origin");
  expect(page.headers.get("permissions-policy")).toContain("camera=()");
  expect(page.headers.get("strict-transport-security")).toBeNull(); // plain http: no HSTS
  const api = await call("GET", "/api/health");
  expect(api.headers.get("content-security-policy")).toBe(
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
  );

  const https = { "x-forwarded-proto": "https" };
  expect((await call("GET", "/sign-in", { headers: https })).headers.get("strict-transport-security")).toMatch(
    /max-age=\d{8}/,
  );
  const signedIn = await call("POST", "/api/auth/sign-in", {
    body: { email: ADMIN.email, password: ADMIN.password },
    headers: https,
  });
  const cookies = signedIn.headers.getSetCookie();
  expect(cookies.length).toBeGreaterThanOrEqual(2);
  for (const c of cookies) expect(c).toMatch(/;\s*Secure/i);
  for (const c of cookies) expect(c).toMatch(/;\s*HttpOnly/i);
});

test("password guessing: 10 wrong passwords per account, then 429 with Retry-After, even with the right one", async () => {
  const m = await newMember("viewer", "guessed");
  for (let i = 0; i < 10; i++) {
    const a = await call("POST", "/api/auth/sign-in", { body: { email: m.email, password: `guess number ${i}` } });
    expect(a.json.error?.code).toBe("INVALID_CREDENTIALS");
  }
  for (const path of ["/api/auth/sign-in", "/api/auth/token"]) {
    const a = await call("POST", path, { body: { email: m.email, password: PASSWORD } });
    expect(a.status, path).toBe(429);
    expect(a.json.error?.code).toBe("RATE_LIMITED");
    expect(Number(a.headers.get("retry-after"))).toBeGreaterThan(0);
  }
});

test("the same answer for a wrong password, an unknown email and a deactivated account", async () => {
  const m = await newMember("viewer", "deactivated");
  await query("update auth.users set banned_until = 'infinity' where id = $1", [m.id]);
  const answers = [];
  for (const [email, password] of [
    [m.email, PASSWORD],
    [m.email, "not the password at all"],
    [`nobody-${randomUUID()}@example.test`, PASSWORD],
  ] as const) {
    for (const path of ["/api/auth/sign-in", "/api/auth/token"]) {
      const a = await call("POST", path, { body: { email, password } });
      answers.push(`${path} ${a.status} ${a.text}`);
    }
  }
  expect(new Set(answers.filter((a) => a.startsWith("/api/auth/sign-in"))).size).toBe(1);
  expect(new Set(answers.filter((a) => a.startsWith("/api/auth/token"))).size).toBe(1);
  expect(answers[0]).toContain("INVALID_CREDENTIALS");
  // and the deactivated account's open session stopped working
  expect((await call("GET", "/api/auth/me", { token: m.token })).status).toBe(401);
});

test("weak passwords are refused when joining, with the reason", async ({ browser }) => {
  const inv = await call("POST", `/api/workspaces/${WORKSPACE.slug}/invitations`, {
    token: adminToken,
    body: { role: "viewer" },
  });
  const page = await (await browser.newContext()).newPage();
  await page.goto(new URL(inv.json.url as string).pathname);
  await page.getByLabel("Email").fill(`weak-${randomUUID().slice(0, 8)}@example.test`);
  await page.getByLabel("Password").fill("aaaaaaaaaa");
  await page.getByRole("button", { name: "Join workspace" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "repeated characters" })).toBeVisible();
  await page.getByLabel("Password").fill("password123");
  await page.getByRole("button", { name: "Join workspace" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "commonly used password" })).toBeVisible();
});

/** Open a workspace's event stream as `token`; resolves what it said once it ends (or after `ms`). */
async function stream(token: string, ms = 20_000): Promise<{ text: string; ended: boolean }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  let text = "";
  let ended = false;
  try {
    const res = await fetch(new URL(`/api/workspaces/${WORKSPACE.slug}/events`, BASE), {
      headers: { authorization: `Bearer ${token}`, ...from() },
      signal: controller.signal,
    });
    if (!res.body) return { text: await res.text(), ended: true };
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        ended = true;
        break;
      }
      text += new TextDecoder().decode(value);
    }
  } catch {
    // aborted by the timer: the stream was still open
  } finally {
    clearTimeout(timer);
  }
  return { text, ended };
}

test("a live stream ends when its session signs out, and when its member is removed", async () => {
  const m = await newMember("annotator", "streamer");
  const open = stream(m.token);
  await new Promise((r) => setTimeout(r, 1500));
  await fetch(new URL("/api/auth/sign-out", BASE), { method: "POST", headers: { cookie: `facet-session=${m.token}` } });
  const signedOut = await open;
  expect(signedOut.ended).toBe(true);
  expect(signedOut.text).toContain("event: error");
  expect(signedOut.text).toContain("SESSION_REVOKED");

  // a member of two workspaces removed from one: their stream of it ends, their session goes on
  const n = await newMember("viewer", "removed");
  const other = await call("POST", "/api/workspaces", {
    token: n.token,
    body: { name: `Own ${randomUUID().slice(0, 6)}` },
  });
  expect(other.status).toBe(201);
  const open2 = stream(n.token);
  await new Promise((r) => setTimeout(r, 1500));
  const removed = await call("DELETE", `/api/workspaces/${WORKSPACE.slug}/members/${n.id}`, { token: adminToken });
  expect(removed.status).toBe(200);
  const gone = await open2;
  expect(gone.ended).toBe(true);
  expect(gone.text).toContain("NOT_A_MEMBER");
  expect((await call("GET", "/api/auth/me", { token: n.token })).status).toBe(200);
});

test("live streams are capped per user (20 at once)", async () => {
  const m = await newMember("viewer", "tabs");
  const controllers: AbortController[] = [];
  try {
    for (let i = 0; i < 20; i++) {
      const c = new AbortController();
      controllers.push(c);
      const res = await fetch(new URL(`/api/workspaces/${WORKSPACE.slug}/events`, BASE), {
        headers: { authorization: `Bearer ${m.token}` },
        signal: c.signal,
      });
      expect(res.status).toBe(200);
    }
    const refused = await call("GET", `/api/workspaces/${WORKSPACE.slug}/events`, { token: m.token });
    expect(refused.status).toBe(429);
    expect(refused.json.error?.code).toBe("RATE_LIMITED");
  } finally {
    for (const c of controllers) c.abort();
  }
});

test("a guest with a share link sees no member's email or id, and short-lived geometry URLs", async ({ browser }) => {
  const [part] = await query<{ id: string }>(
    "select p.id from public.parts p join public.workspaces w on w.id = p.workspace_id where w.slug = $1 and p.geometry_id is not null limit 1",
    [WORKSPACE.slug],
  );
  expect(part).toBeDefined();
  await call("POST", `/api/workspaces/${WORKSPACE.slug}/parts/${part?.id}/comments`, {
    token: adminToken,
    body: { body: `a note by the admin, @${ADMIN.email.split("@")[0]}` },
  });
  const link = await call("POST", `/api/workspaces/${WORKSPACE.slug}/parts/${part?.id}/share-links`, {
    token: adminToken,
    body: { access: "comment", expiresInDays: 1 },
  });
  const token = link.json.token as string;
  // (a member whose personal data was erased has no email left to leak)
  const members = await query<{ id: string; email: string | null }>(
    "select u.id::text, u.email from auth.users u join public.workspace_members m on m.user_id = u.id join public.workspaces w on w.id = m.workspace_id where w.slug = $1",
    [WORKSPACE.slug],
  );
  const shared = await call("GET", `/api/share/${token}`);
  const comments = await call("GET", `/api/share/${token}/comments`);
  const guestPage = await (await browser.newContext()).newPage();
  await guestPage.goto(`/s/${token}`);
  await expect(guestPage.getByTestId("shared-part")).toBeVisible();
  const html = await guestPage.content();
  for (const text of [shared.text, comments.text, html]) {
    for (const m of members) {
      if (m.email) expect(text).not.toContain(m.email);
      expect(text).not.toContain(m.id);
    }
  }
  expect(comments.text).toContain("a note by the admin");
  const meshUrl = new URL((shared.json.geometry as { meshUrl: string }).meshUrl);
  const exp = Number(meshUrl.searchParams.get("exp"));
  expect(exp * 1000 - Date.now()).toBeLessThanOrEqual(120_000);
  expect(exp * 1000 - Date.now()).toBeGreaterThan(60_000);
});

test("hostile input is refused with a clear JSON error, never a 500", async () => {
  const [ds] = await query<{ id: string; name: string }>(
    "select d.id, d.name from public.datasets d join public.workspaces w on w.id = d.workspace_id where w.slug = $1 limit 1",
    [WORKSPACE.slug],
  );
  const [part] = await query<{ id: string }>(
    "select p.id from public.parts p join public.workspaces w on w.id = p.workspace_id where w.slug = $1 limit 1",
    [WORKSPACE.slug],
  );
  const ws = `/api/workspaces/${WORKSPACE.slug}`;
  // sent as text: this client's own JSON.stringify would overflow on it, as the server's audit log once did
  const nested = `${"[".repeat(5000)}"x"${"]".repeat(5000)}`;
  const cases: Array<[string, string, unknown, number, string]> = [
    ["NUL in a dataset name", `${ws}/datasets`, { name: "a\u0000b" }, 400, "VALIDATION_FAILED"],
    ["NUL in a description", `${ws}/datasets`, { name: "fine", description: "x\u0000" }, 400, "VALIDATION_FAILED"],
    ["NUL in a comment", `${ws}/parts/${part?.id}/comments`, { body: "hi\u0000there" }, 400, "VALIDATION_FAILED"],
    [
      "NUL in a link label",
      `${ws}/parts/${part?.id}/share-links`,
      { access: "read", expiresInDays: 1, label: "l\u0000" },
      400,
      "VALIDATION_FAILED",
    ],
    [
      "NUL in a review summary",
      `${ws}/parts/${part?.id}/review`,
      { decision: "rejected", revisionNo: 1, summary: "no\u0000" },
      400,
      "VALIDATION_FAILED",
    ],
    [
      "NUL in a file name",
      `${ws}/datasets/${ds?.id}/uploads/complete`,
      { name: "p\u0000.step", size: 10, sha256: "ab".repeat(32) },
      400,
      "VALIDATION_FAILED",
    ],
    ["NUL in a workspace name", "/api/workspaces", { name: "w\u0000" }, 400, "VALIDATION_FAILED"],
    [
      "a face index above 2^31-1",
      `${ws}/parts/${part?.id}/comments`,
      { body: "here", faceIndex: 2 ** 31 },
      400,
      "VALIDATION_FAILED",
    ],
    ["a deeply nested array for a name", `${ws}/datasets`, { name: nested }, 400, "VALIDATION_FAILED"],
    [
      "a deeply nested array in a comment",
      `${ws}/parts/${part?.id}/comments`,
      { body: nested },
      400,
      "VALIDATION_FAILED",
    ],
  ];
  for (const [label, path, body, status, code] of cases) {
    const a = await call("POST", path, { token: adminToken, body });
    expect({ label, status: a.status, code: a.json.error?.code }).toEqual({ label, status, code });
  }
  // a NUL in a path or query
  const inPath = await call("GET", `${ws}/datasets/bad%00name/status`, { token: adminToken });
  expect(inPath.status).toBe(400);
  expect(inPath.json.error?.code).toBe("BAD_REQUEST");
  // a malformed path answers JSON
  for (const p of ["/api/%", "/api/workspaces/%zz/members"]) {
    const a = await call("GET", p, { token: adminToken });
    expect(a.status, p).toBe(400);
    expect(a.headers.get("content-type")).toContain("application/json");
    expect(a.json.error?.code).toBe("BAD_REQUEST");
  }
});

test("a dataset named with % is found by its name (decoded once)", async () => {
  const name = `50% done ${randomUUID().slice(0, 4)}`;
  expect(
    (await call("POST", `/api/workspaces/${WORKSPACE.slug}/datasets`, { token: adminToken, body: { name } })).status,
  ).toBe(201);
  const status = await call("GET", `/api/workspaces/${WORKSPACE.slug}/datasets/${encodeURIComponent(name)}/status`, {
    token: adminToken,
  });
  expect(status.status, status.text).toBe(200);
  expect((status.json.dataset as { name: string }).name).toBe(name);
});

test("a body without Content-Length is cut off at the limit (1 MB), not read in full", async () => {
  const FIFTY_MB = 50 * 1024 * 1024;
  // how much the client had written when the server answered (or hung up): a server that reads the
  // whole body before refusing it answers only after all 50 MB
  const sent = await new Promise<{ status: number; text: string; writtenAtAnswer: number }>((resolve) => {
    let written = 0;
    let answered = false;
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port: PORT,
        path: "/api/auth/sign-in",
        method: "POST",
        headers: { "content-type": "application/json", "transfer-encoding": "chunked" },
      },
      (res) => {
        answered = true;
        const writtenAtAnswer = written;
        let text = "";
        res.on("data", (c) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text, writtenAtAnswer }));
      },
    );
    req.on("error", (e) => {
      if (!answered) resolve({ status: -1, text: e.message, writtenAtAnswer: written });
    });
    const chunk = Buffer.alloc(64 * 1024, "a");
    req.write('{"email":"');
    const pump = () => {
      while (written < FIFTY_MB && !answered) {
        written += chunk.length;
        if (!req.write(chunk)) {
          req.once("drain", pump);
          return;
        }
      }
      req.end(answered ? undefined : '"}');
    };
    pump();
  });
  expect(sent.writtenAtAnswer).toBeLessThan(16 * 1024 * 1024);
  if (sent.status !== -1) {
    expect(sent.status).toBe(413);
    expect(JSON.parse(sent.text).error.code).toBe("PAYLOAD_TOO_LARGE");
  } else {
    // the server refused and hung up while the body was still coming
    expect(sent.text).toMatch(/EPIPE|ECONNRESET|socket hang up/);
  }
});

test("an upload larger than 10 MB arrives whole through the filesystem store's signed URL", async () => {
  // (a Next.js proxy in front of the API would buffer request bodies and cut them at 10 MB)
  const { createHash } = await import("node:crypto");
  const bytes = Buffer.concat([
    Buffer.from("ISO-10303-21;\nHEADER;\n/* "),
    Buffer.alloc(12 * 1024 * 1024, "x"),
    Buffer.from(" */\nENDSEC;\nEND-ISO-10303-21;\n"),
  ]);
  const file = { name: "big.step", size: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") };
  const name = `Big ${randomUUID().slice(0, 6)}`;
  expect(
    (await call("POST", `/api/workspaces/${WORKSPACE.slug}/datasets`, { token: adminToken, body: { name } })).status,
  ).toBe(201);
  const base = `/api/workspaces/${WORKSPACE.slug}/datasets/${encodeURIComponent(name)}/uploads`;
  const begun = await call("POST", base, { token: adminToken, body: { files: [file] } });
  const put = (begun.json.files as Array<{ status: string; put: { url: string; headers: Record<string, string> } }>)[0];
  expect(put?.status).toBe("upload");
  const stored = await fetch(put?.put.url as string, { method: "PUT", headers: put?.put.headers, body: bytes });
  expect(stored.status, await stored.clone().text()).toBe(201);
  const done = await call("POST", `${base}/complete`, { token: adminToken, body: file });
  expect(done.status, done.text).toBe(201);
});

test("two workspaces of the same name get two addresses; no answer names a database constraint", async () => {
  const name = `Acme ${randomBytes(3).toString("hex")}`;
  const a = await call("POST", "/api/workspaces", { token: adminToken, body: { name } });
  const m = await newMember("viewer", "acme");
  const b = await call("POST", "/api/workspaces", { token: m.token, body: { name } });
  expect([a.status, b.status]).toEqual([201, 201]);
  const slug = (a.json.workspace as { slug: string }).slug;
  expect((b.json.workspace as { slug: string }).slug).toBe(`${slug}-2`);
  const dup = await call("POST", `/api/workspaces/${slug}/datasets`, { token: adminToken, body: { name: "Twice" } });
  expect(dup.status).toBe(201);
  const again = await call("POST", `/api/workspaces/${slug}/datasets`, { token: adminToken, body: { name: "Twice" } });
  expect(again.status).toBe(409);
  expect(again.text).not.toMatch(/_key|_pkey|constraint/);
});

test("health: statuses for anyone, details for admins only", async () => {
  const anon = await call("GET", "/api/health");
  expect(anon.status).toBe(200);
  expect(anon.text).not.toContain("detail");
  expect(anon.text).not.toContain(process.env.FACET_E2E_DATA_DIR as string);
  expect(anon.text).not.toContain("PostgreSQL");
  const admin = await call("GET", "/api/health", { token: adminToken });
  expect(admin.text).toContain("PostgreSQL");
  const viewer = await newMember("viewer", "health");
  expect((await call("GET", "/api/health", { token: viewer.token })).text).not.toContain("detail");
});

test("API keys: a bound key mints only within its workspace and scopes; read-only keys neither create workspaces nor join", async () => {
  const bound = await call("POST", "/api/api-keys", {
    token: adminToken,
    body: { name: "bound admin", scopes: ["read", "admin"], workspace: WORKSPACE.slug },
  });
  const key = bound.json.key as string;
  const unbound = await call("POST", "/api/api-keys", {
    token: key,
    body: { name: "escape", scopes: ["read"], workspace: undefined },
  });
  expect(unbound.status).toBe(201); // defaults to the key's own workspace
  expect((unbound.json.apiKey as { workspaceId: string | null }).workspaceId).not.toBeNull();
  const wider = await call("POST", "/api/api-keys", {
    token: key,
    body: { name: "wider", scopes: ["read", "ingest"] },
  });
  expect(wider.status).toBe(403);
  expect(wider.json.error?.code).toBe("SCOPE_REQUIRED");
  const mine = await call("POST", "/api/workspaces", {
    token: adminToken,
    body: { name: `Other ${randomUUID().slice(0, 6)}` },
  });
  const elsewhere = await call("POST", "/api/api-keys", {
    token: key,
    body: { name: "elsewhere", scopes: ["read"], workspace: (mine.json.workspace as { slug: string }).slug },
  });
  expect(elsewhere.status).toBe(403);

  const readOnly = (
    await call("POST", "/api/api-keys", { token: adminToken, body: { name: "read only", scopes: ["read"] } })
  ).json.key as string;
  const created = await call("POST", "/api/workspaces", { token: readOnly, body: { name: "By a read key" } });
  expect(created.status).toBe(403);
  const inv = await call("POST", `/api/workspaces/${WORKSPACE.slug}/invitations`, {
    token: adminToken,
    body: { role: "admin" },
  });
  const invitation = new URL(inv.json.url as string).pathname.split("/").pop();
  const accepted = await call("POST", `/api/invitations/${invitation}/accept`, { token: readOnly, body: {} });
  expect(accepted.status).toBe(403);
});

/** Who is signed in on a page (for the test below). */
async function viewerEmail(page: Page): Promise<string> {
  return (await page.getByTestId("viewer-email").textContent()) ?? "";
}

test("sign out everywhere: another browser's session ends too", async ({ browser }) => {
  const m = await newMember("viewer", "everywhere");
  const pages: Page[] = [];
  for (let i = 0; i < 2; i++) {
    const page = await (await browser.newContext()).newPage();
    await page.goto("/sign-in");
    await page.getByLabel("Email").fill(m.email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/w\//);
    expect(await viewerEmail(page)).toBe(m.email);
    pages.push(page);
  }
  const [first, second] = pages as [Page, Page];
  await first.getByRole("button", { name: "Sign out everywhere…" }).click();
  await first.getByRole("button", { name: "Sign out everywhere", exact: true }).click();
  await expect(first).toHaveURL(/\/sign-in/);
  await second.reload();
  await expect(second).toHaveURL(/\/sign-in/);
});

test("API requests are limited per user and per key, uploads per user, invitation links per address", async () => {
  test.setTimeout(240_000);
  // a burst of 1200 requests passes, then 20 a second (FACET_RATE_LIMIT_API is "1200/60" in the test
  // platform's configuration); beyond that they are refused, for the user and the key
  const m = await newMember("engineer", "busy");
  const key = (await call("POST", "/api/api-keys", { token: m.token, body: { name: "busy", scopes: ["read"] } })).json
    .key as string;
  const burst = async (token: string, n: number) => {
    let refused: Answer | null = null;
    let sent = 0;
    const worker = async () => {
      while (sent < n && !refused) {
        sent++;
        const res = await fetch(new URL("/api/auth/me", BASE), { headers: { authorization: `Bearer ${token}` } });
        if (res.status === 429) refused = { status: 429, headers: res.headers, text: await res.text(), json: {} };
        else await res.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    return { refused: refused as Answer | null, sent };
  };
  const byKey = await burst(key, 5000);
  expect(byKey.refused?.status).toBe(429);
  expect(byKey.sent).toBeGreaterThan(1200);
  expect(Number(byKey.refused?.headers.get("retry-after"))).toBeGreaterThan(0);
  // and a person's session, counted per user
  const bySession = await burst((await newMember("viewer", "hasty")).token, 5000);
  expect(bySession.refused?.status).toBe(429);
  expect(bySession.sent).toBeGreaterThan(1200);

  // uploads: 100 000 files an hour per user (FACET_RATE_LIMIT_UPLOADS), counted as declared
  const u = await newMember("engineer", "uploader");
  const files = Array.from({ length: 1000 }, (_, i) => ({ name: `f${i}.step`, size: 100, sha256: "cd".repeat(32) }));
  const [ds] = await query<{ name: string }>(
    "select d.name from public.datasets d join public.workspaces w on w.id = d.workspace_id where w.slug = $1 limit 1",
    [WORKSPACE.slug],
  );
  const declare = () =>
    call("POST", `/api/workspaces/${WORKSPACE.slug}/datasets/${encodeURIComponent(ds?.name ?? "")}/uploads`, {
      token: u.token,
      body: { files },
    });
  for (let i = 0; i < 100; i++) expect((await declare()).status).toBe(200);
  const tooMany = await declare();
  expect(tooMany.status).toBe(429);
  expect(tooMany.json.error?.code).toBe("RATE_LIMITED");

  // invitation links: 30 per address a quarter of an hour (FACET_RATE_LIMIT_INVITATIONS)
  const one = { "x-forwarded-for": "192.0.2.99" };
  for (let i = 0; i < 30; i++) {
    expect((await call("GET", `/api/invitations/${"y".repeat(43)}`, { headers: one })).status).toBe(410);
  }
  const limited = await call("GET", `/api/invitations/${"y".repeat(43)}`, { headers: one });
  expect(limited.status).toBe(429);
  expect(
    (await call("GET", `/api/invitations/${"y".repeat(43)}`, { headers: { "x-forwarded-for": "192.0.2.98" } })).status,
  ).toBe(410);
});

test("a page opened with an expired access token continues the session from the refresh cookie, rotating it", async ({
  browser,
}) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signInAdmin(page);
  const before = await context.cookies();
  const refresh = before.find((c) => c.name === "facet-refresh");
  const access = before.find((c) => c.name === "facet-session");
  expect(refresh?.httpOnly).toBe(true);
  // the access token as it is after 15 minutes: expired (re-signed with the platform's secret)
  const { readFileSync } = await import("node:fs");
  const { createHmac } = await import("node:crypto");
  const path = await import("node:path");
  const { jwtSecret } = JSON.parse(
    readFileSync(path.join(process.env.FACET_E2E_DATA_DIR as string, "secrets.json"), "utf8"),
  ) as { jwtSecret: string };
  const [h, p] = (access?.value ?? "").split(".") as [string, string];
  const claims = JSON.parse(Buffer.from(p, "base64url").toString());
  const expiredBody = `${h}.${Buffer.from(JSON.stringify({ ...claims, exp: Math.floor(Date.now() / 1000) - 30 })).toString("base64url")}`;
  const expired = `${expiredBody}.${createHmac("sha256", jwtSecret).update(expiredBody).digest("base64url")}`;
  await context.addCookies([{ name: "facet-session", value: expired, url: BASE, httpOnly: true, sameSite: "Lax" }]);
  await page.goto(`/w/${WORKSPACE.slug}`);
  await expect(page).toHaveURL(`/w/${WORKSPACE.slug}`);
  await expect(page.getByTestId("viewer-email")).toHaveText(ADMIN.email);
  const after = await context.cookies();
  expect(after.find((c) => c.name === "facet-refresh")?.value).not.toBe(refresh?.value);
  const fresh = after.find((c) => c.name === "facet-session")?.value ?? "";
  expect(JSON.parse(Buffer.from(fresh.split(".")[1] ?? "", "base64url").toString()).exp).toBeGreaterThan(
    Date.now() / 1000,
  );
  // the rotated refresh token, replayed later (stolen), ends the session: here, the replay is at once
  // (a browser's parallel requests), which is let through with an access token only
  const replay = await fetch(new URL(`/w/${WORKSPACE.slug}`, BASE), {
    headers: { cookie: `facet-refresh=${refresh?.value}` },
    redirect: "manual",
  });
  expect(replay.status).toBe(200);
});

test("an admin sets how many parts of a dataset an annotator may hold at once", async ({ browser }) => {
  const page = await (await browser.newContext()).newPage();
  await signInAdmin(page);
  const ds = await page.request.post(`/api/workspaces/${WORKSPACE.slug}/datasets`, {
    data: { name: `Held ${randomUUID().slice(0, 6)}` },
  });
  const id = (await ds.json()).dataset.id as string;
  await page.goto(`/w/${WORKSPACE.slug}/datasets/${id}`);
  await expect(page.getByTestId("max-held-parts")).toContainText("at most 3 parts of this dataset at once");
  await page.getByLabel("Parts held at once").selectOption("5");
  await expect(page.getByTestId("max-held-parts-saved")).toContainText("Saved");
  const [row] = await query<{ n: number }>("select max_held_parts as n from public.datasets where id = $1", [id]);
  expect(row?.n).toBe(5);
});
