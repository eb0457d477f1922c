import { randomUUID } from "node:crypto";
import { type APIResponse, expect, type Page, test } from "@playwright/test";
import { joinWorkspace, processedParts, signInAdmin, uploadCorpusPart, WORKSPACE } from "./helpers";

// Metrics (issue 19): a workspace admin scrapes /api/metrics and sees their workspace's series after
// uploading a part, and nobody else's; an annotator is refused; the operator's token works without a
// session and sees every workspace and the job queue. Prometheus text format, read back line by line.
test.describe.configure({ mode: "serial" });
test.setTimeout(240_000);

const BASE = `http://localhost:${process.env.FACET_E2E_PORT ?? 3210}`;
const TOKEN = process.env.FACET_E2E_METRICS_TOKEN as string;
const PART = "0-0-0-0-0-23.step";
const ANNOTATOR = { email: "metrics-annotator@example.test", password: "annotator for metrics" };

let admin: Page;
let annotator: Page;
let datasetId: string;
let otherSlug: string;

/** A sample's value: `name{labels} value`, labels given in the order written. */
function sample(text: string, name: string, labels: Record<string, string>): number | null {
  const want = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(",");
  const line = text
    .split("\n")
    .find((l) => l.startsWith(`${name}{${want}}`) || (want === "" && l.startsWith(`${name} `)));
  return line === undefined ? null : Number(line.slice(line.lastIndexOf(" ") + 1));
}

async function expectError(res: APIResponse, status: number, code: string) {
  expect(res.status(), await res.text()).toBe(status);
  expect(res.headers()["content-type"]).toContain("application/json");
  expect((await res.json()).error.code).toBe(code);
}

test.beforeAll(async ({ browser }) => {
  admin = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  await signInAdmin(admin);
  const ds = await admin.request.post(`/api/workspaces/${WORKSPACE.slug}/datasets`, {
    data: { name: `Metrics ${randomUUID().slice(0, 6)}` },
  });
  expect(ds.status()).toBe(201);
  datasetId = (await ds.json()).dataset.id;
  annotator = await joinWorkspace(browser, admin, WORKSPACE.slug, ANNOTATOR, "annotator");
  // another tenant: the annotator's own workspace, with a dataset of its own
  const made = await annotator.request.post("/api/workspaces", { data: { name: "Elsewhere Metrics" } });
  expect(made.status()).toBe(201);
  otherSlug = (await made.json()).workspace.slug;
  expect(
    (await annotator.request.post(`/api/workspaces/${otherSlug}/datasets`, { data: { name: "x" } })).status(),
  ).toBe(201);
});

test("an admin sees their workspace's series after uploading a part, and no other tenant's", async () => {
  await uploadCorpusPart(admin, WORKSPACE.slug, datasetId, `mfcad/${PART}`);
  await processedParts(datasetId, 1);
  const res = await admin.request.get("/api/metrics", { headers: { "x-request-id": "metrics-e2e-1" } });
  const text = await res.text();
  expect(res.status(), text).toBe(200);
  expect(res.headers()["content-type"]).toBe("text/plain; version=0.0.4; charset=utf-8");
  expect(res.headers()["x-request-id"]).toBe("metrics-e2e-1");
  expect(text).toContain("# TYPE facet_parts gauge");
  const ws = WORKSPACE.slug;
  const ready =
    (sample(text, "facet_parts", { workspace: ws, status: "pre_labeled" }) ?? 0) +
    (sample(text, "facet_parts", { workspace: ws, status: "unannotated" }) ?? 0);
  expect(ready).toBeGreaterThanOrEqual(1);
  expect(sample(text, "facet_active_claims", { workspace: ws })).toBe(0);
  // the tessellation job ran: counted by kind and outcome, timed
  expect(
    sample(text, "facet_jobs_finished_total", { workspace: ws, kind: "geometry:tessellate", status: "completed" }),
  ).toBeGreaterThanOrEqual(1);
  expect(text).toMatch(
    new RegExp(
      `^facet_job_duration_seconds_count\\{workspace="${ws}",kind="geometry:tessellate",status="completed"\\} [1-9]`,
      "m",
    ),
  );
  if ((sample(text, "facet_parts", { workspace: ws, status: "pre_labeled" }) ?? 0) > 0) {
    expect(sample(text, "facet_ingest_lag_seconds_count", { workspace: ws })).toBeGreaterThanOrEqual(1);
    expect(sample(text, "facet_ingest_lag_seconds_bucket", { workspace: ws, le: "+Inf" })).toBeGreaterThanOrEqual(1);
  }
  // this web process's request latencies, by route pattern: the upload's requests are there, no ids
  expect(text).toMatch(
    /^facet_http_request_duration_seconds_count\{method="POST",route="\/api\/workspaces\/\[ws\]\/datasets\/\[dataset\]\/uploads",status="200"\} [1-9]/m,
  );
  expect(text).not.toContain(datasetId);
  // never another tenant's counts, nor the instance-wide queue
  expect(text).not.toContain(otherSlug);
  expect(text).not.toContain("facet_worker_queue_jobs{");
  // one workspace, by its slug
  const one = await admin.request.get(`/api/metrics?workspace=${ws}`);
  expect(one.status()).toBe(200);
  expect(await one.text()).toContain(`facet_parts{workspace="${ws}",status="uploaded"}`);
  await expectError(await admin.request.get(`/api/metrics?workspace=${otherSlug}`), 403, "NOT_A_MEMBER");
});

test("an annotator is refused, and so is a request without credentials or with a wrong token", async () => {
  // the annotator administers a workspace of their own: its figures, not this one's
  await expectError(await annotator.request.get(`/api/metrics?workspace=${WORKSPACE.slug}`), 403, "ROLE_REQUIRED");
  const own = await annotator.request.get("/api/metrics");
  const ownText = await own.text();
  expect(own.status()).toBe(200);
  expect(ownText).toContain(`facet_parts{workspace="${otherSlug}",status="uploaded"} 0`);
  expect(ownText).not.toContain(`workspace="${WORKSPACE.slug}"`);

  const anonymous = await fetch(`${BASE}/api/metrics`);
  expect(anonymous.status).toBe(401);
  expect((await anonymous.json()).error.code).toBe("UNAUTHENTICATED");
  const wrong = await fetch(`${BASE}/api/metrics`, { headers: { authorization: `Bearer ${TOKEN}x` } });
  expect(wrong.status).toBe(401);
  expect(wrong.headers.get("content-type")).toContain("application/json");
});

test("an annotator who administers nothing is refused outright", async ({ browser }) => {
  const bare = await joinWorkspace(
    browser,
    admin,
    WORKSPACE.slug,
    { email: "metrics-bare@example.test", password: "annotator with nothing" },
    "annotator",
  );
  await expectError(await bare.request.get("/api/metrics"), 403, "ROLE_REQUIRED");
});

test("the metrics token works without a session: every workspace, the job queue, live workers", async () => {
  const res = await fetch(`${BASE}/api/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
  expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  expect(text).toContain(`facet_parts{workspace="${WORKSPACE.slug}",status="uploaded"}`);
  expect(text).toContain(`facet_parts{workspace="${otherSlug}",status="uploaded"} 0`);
  expect(text).toContain("# TYPE facet_worker_queue_jobs gauge");
  // graphile-worker deletes the jobs it finished: whatever is queued now, by task and state
  for (const l of text.split("\n").filter((x) => x.startsWith("facet_worker_queue_jobs{"))) {
    expect(l).toMatch(/^facet_worker_queue_jobs\{task="[^"]+",state="(waiting|scheduled|running|dead)"\} \d+$/);
  }
  expect(sample(text, "facet_workers_alive", {})).toBeGreaterThanOrEqual(1);
  // every histogram ends with +Inf, _sum and _count
  for (const m of text.matchAll(/^# TYPE (\S+) histogram$/gm)) {
    const name = m[1] as string;
    const lines = text.split("\n").filter((l) => l.startsWith(`${name}_`));
    if (lines.length === 0) continue;
    expect(lines.some((l) => l.includes('le="+Inf"'))).toBe(true);
    expect(lines.some((l) => l.startsWith(`${name}_sum`))).toBe(true);
    expect(lines.some((l) => l.startsWith(`${name}_count`))).toBe(true);
  }
});
