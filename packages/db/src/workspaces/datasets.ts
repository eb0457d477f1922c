import type { PoolClient } from "../pool";

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
