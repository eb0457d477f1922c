import { expect, test } from "@playwright/test";

// Every API answer is JSON, errors included: { error: { code, message } }, never a stack trace.

test("GET /api/health reports database, storage and worker", async ({ request }) => {
  const res = await request.get("/api/health");
  expect(res.status()).toBe(200);
  const body = await res.json();
  expect(body.status).toBe("ok");
  expect(Object.keys(body.checks).sort()).toEqual(["database", "storage", "worker"]);
  for (const c of Object.values(body.checks) as Array<{ status: string }>) expect(c.status).toBe("ok");
});

test("errors are JSON with a stable code and the right status", async ({ request }) => {
  const cases: Array<[Promise<import("@playwright/test").APIResponse>, number, string]> = [
    [request.get("/api/no-such-thing"), 404, "NOT_FOUND"],
    // /api itself (the API fuzzer reached it through a `..` segment): the API's JSON, not the HTML 404 page
    [request.get("/api"), 404, "NOT_FOUND"],
    [request.post("/api/", { data: {} }), 404, "NOT_FOUND"],
    [request.delete("/api/setup"), 405, "METHOD_NOT_ALLOWED"],
    [
      request.post("/api/auth/sign-in", {
        data: Buffer.from("{not json"),
        headers: { "content-type": "application/json" },
      }),
      400,
      "INVALID_JSON",
    ],
    [request.post("/api/auth/sign-in", { data: { email: "not-an-email", password: "x" } }), 400, "VALIDATION_FAILED"],
    [
      request.post("/api/auth/sign-in", { data: { email: "nobody@example.test", password: "whatever it is" } }),
      401,
      "INVALID_CREDENTIALS",
    ],
    [request.get("/api/auth/me"), 401, "UNAUTHENTICATED"],
    [request.get("/api/workspaces", { headers: { authorization: "Bearer not.a.jwt" } }), 401, "TOKEN_INVALID"],
    [request.get("/api/invitations/short"), 400, "VALIDATION_FAILED"],
    [request.get(`/api/invitations/${"x".repeat(43)}`), 410, "INVITATION_INVALID"],
  ];
  for (const [pending, status, code] of cases) {
    const res = await pending;
    const text = await res.text();
    expect(res.status(), `${res.url()} ${text}`).toBe(status);
    expect(res.headers()["content-type"]).toContain("application/json");
    const body = JSON.parse(text);
    expect(body.error.code).toBe(code);
    expect(typeof body.error.message).toBe("string");
    expect(text).not.toMatch(/\bat .+\.(ts|js):\d+/); // no stack trace
  }
});

test("a cross-site write is refused even with a valid session", async ({ request }) => {
  const res = await request.post("/api/auth/sign-out", { headers: { origin: "https://evil.example" } });
  expect(res.status()).toBe(403);
  expect((await res.json()).error.code).toBe("FORBIDDEN");
});
