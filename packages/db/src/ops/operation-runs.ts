import type { Pool, PoolClient } from "../pool";
import { withService } from "../session";

/** `facet backup` and `facet gc` record each run (as the service); admins see when and whether. */
export type OperationKind = "backup" | "gc";

export async function recordOperationRun(
  pool: Pool,
  run: { kind: OperationKind; ok: boolean; summary: Record<string, unknown> },
): Promise<void> {
  await withService(pool, (c) =>
    c.query("insert into private.operation_runs (kind, ok, summary) values ($1, $2, $3)", [
      run.kind,
      run.ok,
      JSON.stringify(run.summary),
    ]),
  );
}

export interface LastOperationRun {
  kind: OperationKind;
  finishedAt: Date;
  ok: boolean;
}

/** The last backup and gc run, for a workspace's admins (empty for anyone else, and before any run). */
export async function lastOperationRuns(c: PoolClient, workspaceId: string): Promise<LastOperationRun[]> {
  const { rows } = await c.query<LastOperationRun>(
    `select kind, finished_at as "finishedAt", ok from public.last_operation_runs($1)`,
    [workspaceId],
  );
  return rows;
}
