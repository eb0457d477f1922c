import { createHash, timingSafeEqual } from "node:crypto";
import { bearerToken } from "@facet/auth";
import { AppError, formatPrometheus, type MetricFamily, PROMETHEUS_CONTENT_TYPE } from "@facet/core";
import {
  adminWorkspaces,
  allWorkspaces,
  type InstanceMetrics,
  instanceMetrics,
  type MetricsWorkspace,
  type WorkspaceMetrics,
  withUser,
  workspaceMetrics,
} from "@facet/db";
import type { NextRequest } from "next/server";
import { inWorkspace, methods, requireCaller, route } from "@/lib/api.server";
import { context } from "@/lib/context.server";
import { env } from "@/lib/env.server";
import { httpRequestDurations } from "./http";

export const dynamic = "force-dynamic";

/** The same secret, compared in constant time (digests, so that lengths do not show either). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Which workspaces a scrape sees: every one with the metrics token (FACET_METRICS_TOKEN, no
 * session), else those the caller administers (`?workspace=<slug>`: that one, where the caller is
 * its admin). API keys need the admin scope; a key bound to a workspace sees that one only.
 */
async function scopeOf(req: NextRequest): Promise<{ instance: boolean; workspaces: MetricsWorkspace[] }> {
  const { pool } = await context();
  const token = env().FACET_METRICS_TOKEN;
  const bearer = bearerToken(req.headers.get("authorization"));
  if (token && bearer && sameSecret(bearer, token)) return { instance: true, workspaces: await allWorkspaces(pool) };

  const slug = req.nextUrl.searchParams.get("workspace");
  if (slug !== null) {
    const { workspace } = await inWorkspace(req, slug, "members.manage");
    return { instance: false, workspaces: [{ id: workspace.id, slug: workspace.slug }] };
  }
  const caller = await requireCaller(req);
  if (caller.apiKey && !caller.apiKey.scopes.includes("admin")) {
    throw new AppError("SCOPE_REQUIRED", `metrics need an API key with the scope "admin"`);
  }
  let mine = await withUser(pool, caller.claims, adminWorkspaces);
  const bound = caller.apiKey?.workspaceId;
  if (bound) mine = mine.filter((w) => w.id === bound);
  if (mine.length === 0) {
    throw new AppError("ROLE_REQUIRED", "metrics are for workspace admins (or the operator's metrics token)");
  }
  return { instance: false, workspaces: mine };
}

const jobLabels = (j: { workspace: string; kind: string; status: string }) => ({
  workspace: j.workspace,
  kind: j.kind,
  status: j.status,
});

function workspaceFamilies(m: WorkspaceMetrics): MetricFamily[] {
  return [
    {
      name: "facet_parts",
      help: "Parts by status.",
      type: "gauge",
      samples: m.parts.map((p) => ({ labels: { workspace: p.workspace, status: p.status }, value: p.count })),
    },
    {
      name: "facet_active_claims",
      help: "Parts held by an annotator whose lease has not run out.",
      type: "gauge",
      samples: m.activeClaims.map((c) => ({ labels: { workspace: c.workspace }, value: c.count })),
    },
    {
      name: "facet_ingest_lag_seconds",
      help: "Seconds from a part's upload to its first pre-label (parts pre-labelled so far).",
      type: "histogram",
      series: m.ingestLag,
    },
    {
      name: "facet_jobs",
      help: "Jobs (public.jobs) waiting or running, by kind.",
      type: "gauge",
      samples: m.jobQueue.map((q) => ({ labels: jobLabels(q), value: q.count })),
    },
    {
      name: "facet_jobs_oldest_age_seconds",
      help: "Seconds since the oldest job waiting or running (by kind) was queued.",
      type: "gauge",
      samples: m.jobQueue.map((q) => ({ labels: jobLabels(q), value: q.oldestSeconds })),
    },
    {
      name: "facet_jobs_finished_total",
      help: "Jobs finished, by kind and outcome (completed, failed, canceled).",
      type: "counter",
      samples: m.jobsFinished.map((j) => ({ labels: jobLabels(j), value: j.count })),
    },
    {
      name: "facet_job_duration_seconds",
      help: "Run time (started to finished) of finished jobs, by kind and outcome.",
      type: "histogram",
      series: m.jobDurations,
    },
  ];
}

function instanceFamilies(m: InstanceMetrics): MetricFamily[] {
  const states = ["waiting", "scheduled", "running", "dead"] as const;
  return [
    {
      name: "facet_worker_queue_jobs",
      help: "graphile-worker's queue by task: waiting (due), scheduled (later), running (locked), dead (out of attempts).",
      type: "gauge",
      samples: m.workerQueue.flatMap((q) =>
        states.map((state) => ({ labels: { task: q.task, state }, value: q[state] })),
      ),
    },
    {
      name: "facet_worker_queue_oldest_age_seconds",
      help: "Seconds the oldest due job of graphile-worker's queue has waited, by task.",
      type: "gauge",
      samples: m.workerQueue.map((q) => ({ labels: { task: q.task }, value: q.oldestSeconds })),
    },
    {
      name: "facet_workers_alive",
      help: "Workers that reported a heartbeat recently.",
      type: "gauge",
      samples: [{ value: m.workersAlive }],
    },
  ];
}

/**
 * Prometheus metrics (text exposition format 0.0.4). With the metrics token: every workspace's
 * figures and the instance's job queue. A signed-in admin: the web process's request latencies and
 * the figures of the workspaces they administer, never another tenant's. Anyone else: 401/403.
 */
const get = route(async (req) => {
  const scope = await scopeOf(req);
  const { pool } = await context();
  const families: MetricFamily[] = [
    {
      name: "facet_http_request_duration_seconds",
      help: "HTTP requests answered by this web process, by method, route pattern and status.",
      type: "histogram",
      series: httpRequestDurations().snapshot(),
    },
    ...workspaceFamilies(await workspaceMetrics(pool, scope.workspaces)),
    ...(scope.instance ? instanceFamilies(await instanceMetrics(pool)) : []),
  ];
  return new Response(formatPrometheus(families), {
    headers: { "Content-Type": PROMETHEUS_CONTENT_TYPE, "Cache-Control": "no-store" },
  });
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get });
