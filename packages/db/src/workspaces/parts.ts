import { PART_STATUSES, type PartStatus } from "@facet/core";
import { readCursor, writeCursor } from "../cursor";
import type { PoolClient } from "../pool";
import { findDataset } from "./datasets";
import { assertPartInWorkspace } from "./part-detail";

export type StatusCounts = Record<PartStatus, number>;

export async function partCountsByStatus(
  client: PoolClient,
  workspaceId: string,
  datasetId?: string,
): Promise<StatusCounts> {
  const { rows } = await client.query<{ status: PartStatus; n: number }>(
    `select status, count(*)::int as n from public.parts
     where workspace_id = $1 and ($2::uuid is null or dataset_id = $2) group by status`,
    [workspaceId, datasetId ?? null],
  );
  const counts = Object.fromEntries(PART_STATUSES.map((s) => [s, 0])) as StatusCounts;
  for (const r of rows) counts[r.status] = r.n;
  return counts;
}

export interface ClaimedPart {
  id: string;
  name: string;
  datasetId: string;
  status: PartStatus;
  leaseExpiresAt: string | null;
  claimedAt: string | null;
  /** Set when a reviewer sent the part back with notes: it stays with its annotator. */
  returnedAt: string | null;
}

const CLAIM_COLUMNS = `id, name, dataset_id as "datasetId", status, lease_expires_at as "leaseExpiresAt",
  claimed_at as "claimedAt", returned_at as "returnedAt"`;

export async function claimNextPart(
  client: PoolClient,
  input: { workspaceId: string; datasetId?: string | null; leaseSeconds?: number },
): Promise<ClaimedPart | null> {
  const { rows } = await client.query<ClaimedPart>(`select ${CLAIM_COLUMNS} from public.claim_next_part($1, $2, $3)`, [
    input.workspaceId,
    input.datasetId ?? null,
    input.leaseSeconds ?? 900,
  ]);
  return rows[0] ?? null;
}

export async function listMyClaims(client: PoolClient, workspaceId: string): Promise<ClaimedPart[]> {
  const { rows } = await client.query<ClaimedPart>(
    `select ${CLAIM_COLUMNS} from public.parts
     where workspace_id = $1 and status = 'in_progress' and annotator_id = auth.uid()
     order by returned_at desc nulls last, claimed_at desc`,
    [workspaceId],
  );
  return rows;
}

/** Give a held part back to its queue; NOT_FOUND when the part is not in this workspace. */
export async function releasePart(client: PoolClient, workspaceId: string, partId: string): Promise<void> {
  await assertPartInWorkspace(client, workspaceId, partId);
  await client.query("select id from public.release_part($1)", [partId]);
}

export interface PartRow {
  id: string;
  name: string;
  status: PartStatus;
  datasetName: string;
  annotatorEmail: string | null;
  statusChangedAt: string;
}

export async function listParts(
  client: PoolClient,
  input: { workspaceId: string; datasetId?: string; statuses?: PartStatus[]; limit?: number; newestFirst?: boolean },
): Promise<PartRow[]> {
  const { rows } = await client.query<PartRow>(
    `select p.id, p.name, p.status, d.name as "datasetName", pr.email as "annotatorEmail",
            p.status_changed_at as "statusChangedAt"
     from public.parts p join public.datasets d on d.id = p.dataset_id
     left join public.profiles pr on pr.user_id = p.annotator_id
     where p.workspace_id = $1 and ($2::public.part_status[] is null or p.status = any ($2))
       and ($4::uuid is null or p.dataset_id = $4)
     order by ${input.newestFirst ? "p.created_at desc" : "p.status_changed_at asc"} limit $3`,
    [input.workspaceId, input.statuses ?? null, Math.min(input.limit ?? 100, 500), input.datasetId ?? null],
  );
  return rows;
}

export interface DatasetPart {
  id: string;
  name: string;
  status: PartStatus;
  failureReason: string | null;
  faceCount: number | null;
}

/** Parts per page of listDatasetParts, at most. */
export const DATASET_PARTS_PAGE_MAX = 1000;

/**
 * A page of the parts of a dataset named by id or by name (what the CLI and API clients list), by
 * name (then id), optionally only the parts with this name; `nextCursor` continues after the page
 * (keyset on the (dataset, name, id) index: every page costs the same). NOT_FOUND when the
 * workspace has no such dataset.
 */
export async function listDatasetParts(
  client: PoolClient,
  input: { workspaceId: string; dataset: string; name?: string | null; cursor?: string | null; limit: number },
): Promise<{ parts: DatasetPart[]; nextCursor: string | null }> {
  const dataset = await findDataset(client, input.workspaceId, input.dataset);
  const limit = Math.max(1, Math.min(DATASET_PARTS_PAGE_MAX, Math.floor(input.limit)));
  const after = input.cursor ? readCursor(input.cursor, "this list") : null;
  const { rows } = await client.query<DatasetPart>(
    `select p.id, p.name, p.status, p.failure_reason as "failureReason", (p.geometry ->> 'faceCount')::int as "faceCount"
     from public.parts p
     where p.dataset_id = $1 and ($2::text is null or p.name = $2)
       and ${after ? "(p.name, p.id) > ($3::text, $4::uuid)" : "$3::text is null and $4::uuid is null"}
     order by p.name, p.id limit $5`,
    [dataset.id, input.name ?? null, after ? String(after.v) : null, after?.id ?? null, limit + 1],
  );
  const parts = rows.slice(0, limit);
  const last = parts.at(-1);
  return { parts, nextCursor: rows.length > limit && last ? writeCursor({ v: last.name, id: last.id }) : null };
}
