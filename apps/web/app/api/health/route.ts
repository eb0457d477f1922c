import { type Check, healthChecks, listMyWorkspaces, type VerifyHealth, withUser } from "@facet/db";
import type { NextRequest } from "next/server";
import { json, methods, requireCaller, route } from "@/lib/api.server";
import { context } from "@/lib/context.server";

export const dynamic = "force-dynamic";

type Checks = Record<"database" | "storage" | "worker", Check>;

/** Whether the caller may read the details (versions, where data lives): an admin of a workspace. */
async function isAdmin(req: NextRequest): Promise<boolean> {
  if (!req.headers.get("authorization") && !req.headers.get("cookie")) return false;
  try {
    const caller = await requireCaller(req);
    if (caller.apiKey && !caller.apiKey.scopes.includes("admin")) return false;
    const workspaces = await withUser((await context()).pool, caller.claims, (c) => listMyWorkspaces(c));
    return workspaces.some((w) => w.role === "admin");
  } catch {
    return false; // anonymous, expired or refused: the public answer
  }
}

/**
 * Liveness of the three things Facet needs. 200 when all are up, 503 (degraded) otherwise. Anyone
 * (load balancers, monitors) sees the statuses; only admins see the details, which name versions,
 * buckets and folders. `verify` is the last storage integrity check (`facet verify`, weekly): when
 * and whether anything drifted for anyone, the counts for admins; it does not change the status.
 */
const get = route(async (req) => {
  let checks: Checks;
  let verify: VerifyHealth = { status: "unknown", lastRun: null };
  try {
    const { pool, store } = await context();
    const [db, storage] = await Promise.all([healthChecks(pool), store.health()]);
    checks = { database: db.database, storage, worker: db.worker };
    verify = db.verify;
  } catch (e) {
    const detail = `configuration: ${(e as Error).message.split("\n")[0]}`;
    checks = { database: { ok: false, detail }, storage: { ok: false, detail }, worker: { ok: false, detail } };
  }
  const ok = Object.values(checks).every((c) => c.ok);
  // who asks can only be checked in the database: while it is down, everyone gets the public answer
  // (at once, where the check would wait FACET_DB_WAIT_MS for it)
  const details = checks.database.ok && (await isAdmin(req));
  return json(
    {
      status: ok ? "ok" : "degraded",
      checks: Object.fromEntries(
        Object.entries(checks).map(([k, v]) => [
          k,
          { status: v.ok ? "ok" : "down", ...(details ? { detail: v.detail } : {}) },
        ]),
      ),
      verify: {
        status: verify.status,
        lastRunAt: verify.lastRun?.finishedAt ?? null,
        ...(details && verify.lastRun
          ? {
              sample: verify.lastRun.sample,
              blobsChecked: verify.lastRun.blobsChecked,
              artefactsChecked: verify.lastRun.artefactsChecked,
              snapshotsChecked: verify.lastRun.snapshotsChecked,
              drift: verify.lastRun.drift,
            }
          : {}),
      },
    },
    ok ? 200 : 503,
  );
});

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: get });
