import { databaseHealth, workerHealth } from "@facet/db";
import { json, methods } from "@/lib/api.server";
import { context } from "@/lib/context.server";

export const dynamic = "force-dynamic";

/** Liveness of the three things Facet needs. 200 when all are up, 503 (degraded) otherwise. */
async function health() {
  let checks: Record<"database" | "storage" | "worker", { ok: boolean; detail: string }>;
  try {
    const { pool, store } = await context();
    const [database, storage, worker] = await Promise.all([databaseHealth(pool), store.health(), workerHealth(pool)]);
    checks = { database, storage, worker };
  } catch (e) {
    const detail = `configuration: ${(e as Error).message.split("\n")[0]}`;
    checks = { database: { ok: false, detail }, storage: { ok: false, detail }, worker: { ok: false, detail } };
  }
  const ok = Object.values(checks).every((c) => c.ok);
  return json(
    {
      status: ok ? "ok" : "degraded",
      checks: Object.fromEntries(
        Object.entries(checks).map(([k, v]) => [k, { status: v.ok ? "ok" : "down", detail: v.detail }]),
      ),
    },
    ok ? 200 : 503,
  );
}

export const { GET, POST, PUT, PATCH, DELETE } = methods({ GET: health });
