import { AppError, uuidSchema } from "@facet/core";
import type { PoolClient } from "../pool";

export interface DatasetRef {
  id: string;
  workspaceId: string;
  name: string;
}

/**
 * The dataset a request names, by id or by name, in this workspace (names arrive decoded once by the
 * router: a `%` in a name is a `%`). NOT_FOUND when there is none the caller may see.
 */
export async function findDataset(client: PoolClient, workspaceId: string, ref: string): Promise<DatasetRef> {
  const byId = uuidSchema.safeParse(ref).success;
  const { rows } = await client.query<DatasetRef>(
    `select id, workspace_id as "workspaceId", name from public.datasets
     where workspace_id = $1 and ${byId ? "id = $2::uuid" : "name = $2"}`,
    [workspaceId, ref],
  );
  const dataset = rows[0];
  if (!dataset) throw new AppError("NOT_FOUND", `no dataset "${ref}" in this workspace`);
  return dataset;
}

/** Each feature's display name as the workspace's label schemas call it (the default schema first). */
export async function featureNames(client: PoolClient, workspaceId: string): Promise<Map<string, string>> {
  const { rows } = await client.query<{ taxonomy: { featureTypes?: Array<{ key?: unknown; name?: unknown }> } }>(
    "select taxonomy from public.label_schemas where workspace_id = $1 order by is_default desc, created_at desc",
    [workspaceId],
  );
  const names = new Map<string, string>();
  for (const s of rows) {
    for (const f of s.taxonomy.featureTypes ?? []) {
      if (typeof f.key === "string" && typeof f.name === "string" && !names.has(f.key)) names.set(f.key, f.name);
    }
  }
  return names;
}

export interface DatasetSummary {
  id: string;
  name: string;
  description: string;
  partCount: number;
  createdAt: string;
}

export async function listDatasets(client: PoolClient, workspaceId: string): Promise<DatasetSummary[]> {
  const { rows } = await client.query<DatasetSummary>(
    `select d.id, d.name, d.description, d.created_at as "createdAt",
            (select count(*)::int from public.parts p where p.dataset_id = d.id) as "partCount"
     from public.datasets d where d.workspace_id = $1 order by d.name`,
    [workspaceId],
  );
  return rows;
}

export async function createDataset(
  client: PoolClient,
  input: { workspaceId: string; name: string; description?: string },
): Promise<{ id: string }> {
  const { rows } = await client.query<{ id: string }>(
    `insert into public.datasets (workspace_id, name, description, label_schema_id, created_by)
     values ($1, $2, $3, (select id from public.label_schemas where workspace_id = $1 and is_default), auth.uid())
     returning id`,
    [input.workspaceId, input.name, input.description ?? ""],
  );
  return rows[0] as { id: string };
}
