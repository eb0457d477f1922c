import { AppError, type CatalogFilter, type PartStatus } from "@facet/core";
import { readCursor, writeCursor } from "../cursor";
import type { PoolClient } from "../pool";

/**
 * The catalog: a workspace's (or one dataset's) parts filtered by status, what their latest labels
 * hold, their geometry, tags, split, annotator, dates and name, a page at a time (keyset paging:
 * page 1000 costs what page 1 does). Runs as the caller: row-level security applies.
 */

export interface CatalogRow {
  id: string;
  name: string;
  datasetId: string;
  datasetName: string;
  status: PartStatus;
  split: string | null;
  tags: string[];
  addedAt: string;
  changedAt: string;
  faceCount: number | null;
  surfaceTypes: string[] | null;
  hasThumbnail: boolean;
  features: string[];
  instanceCounts: Record<string, number>;
  annotatorId: string | null;
  annotatorEmail: string | null;
}

export interface CatalogPage {
  parts: CatalogRow[];
  /** Give it back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** A WHERE clause with its parameters, numbered from `first`. */
export interface CatalogWhere {
  sql: string;
  params: unknown[];
}

/** Each order's column (every one leads an index after the scope: keyset pages walk it). */
const SORT_COLUMN = {
  name: { column: "c.name", cast: "text" },
  added: { column: "c.created_at", cast: "timestamptz" },
  changed: { column: "c.status_changed_at", cast: "timestamptz" },
  faces: { column: "c.face_count", cast: "int" },
  status: { column: "c.status", cast: "public.part_status" },
} as const;

/** Instance counts up to this are indexed as levels (private.instance_levels). */
const LEVELS = 20;

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The filter as SQL over the catalog `c` (a part's fields, geometry and latest labels,
 * summarised). Values are always parameters.
 */
export function catalogWhere(
  scope: { workspaceId: string; datasetId?: string | null },
  f: CatalogFilter,
  first = 1,
): CatalogWhere {
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${first + params.length - 1}`;
  };
  const and: string[] = [`c.workspace_id = ${p(scope.workspaceId)}`];
  if (scope.datasetId) and.push(`c.dataset_id = ${p(scope.datasetId)}`);
  if (f.statuses?.length) and.push(`c.status = any (${p(f.statuses)}::public.part_status[])`);
  if (f.has?.length) and.push(`c.features @> ${p(f.has)}::text[]`);
  for (const c of f.counts ?? []) {
    // at least n (n ≤ 20) is a level the GIN index holds; beyond, or other comparisons, the count itself
    const atLeast = c.op === ">=" ? c.value : c.op === ">" ? c.value + 1 : c.op === "=" ? c.value : 0;
    if (atLeast > 0) and.push(`c.instance_levels @> array[${p(`${c.feature}:${Math.min(atLeast, LEVELS)}`)}]`);
    if (atLeast === 0 || atLeast > LEVELS || c.op === "=")
      and.push(`coalesce((c.instance_counts ->> ${p(c.feature)})::int, 0) ${c.op} ${p(c.value)}::int`);
  }
  // unprocessed parts (-1) have no face count: a bound excludes them
  if (f.faces) and.push(`c.face_count >= ${p(f.faces.min ?? 0)}::int`);
  if (f.faces?.max !== undefined) and.push(`c.face_count <= ${p(f.faces.max)}::int`);
  if (f.surfaces?.length) and.push(`c.surface_types @> ${p(f.surfaces)}::text[]`);
  if (f.tags?.length) and.push(`c.tags @> ${p(f.tags)}::text[]`);
  if (f.splits?.length) {
    const named = f.splits.filter((s): s is string => s !== null);
    const none = f.splits.includes(null);
    const parts = [];
    if (named.length) parts.push(`c.split = any (${p(named)}::text[])`);
    if (none) parts.push("c.split is null");
    and.push(`(${parts.join(" or ")})`);
  }
  if (f.annotators?.length) and.push(`c.annotator_id = any (${p(f.annotators)}::uuid[])`);
  for (const [key, column] of [
    ["added", "c.created_at"],
    ["changed", "c.status_changed_at"],
  ] as const) {
    const r = f[key];
    if (r?.min) and.push(`${column} >= (${p(r.min)}::date)::timestamp at time zone 'UTC'`);
    if (r?.max) and.push(`${column} < (${p(r.max)}::date + 1)::timestamp at time zone 'UTC'`);
  }
  if (f.q) and.push(`c.name ilike ${p(`%${escapeLike(f.q)}%`)}`);
  return { sql: and.join("\n  and "), params };
}

/**
 * The catalog rows of the caller's workspaces (private.member_catalog: the policy of
 * public.part_catalog as a view's condition, so that the filters below use their indexes). Only
 * conditions composed here are ever put on it.
 */
const FROM = "from private.member_catalog c";

/** The SQL of a catalog page (for queryCatalog, and for showing its plan). */
export function catalogPageQuery(input: {
  workspaceId: string;
  datasetId?: string | null;
  filter: CatalogFilter;
  cursor?: string | null;
  limit: number;
}): { sql: string; params: unknown[] } {
  const where = catalogWhere(input, input.filter);
  const { key, descending } = input.filter.sort;
  const sort = SORT_COLUMN[key];
  const dir = descending ? "desc" : "asc";
  // the scope leads every catalog index: compare (scope, value, id) as one row
  const scope = input.datasetId ? "c.dataset_id" : "c.workspace_id";
  const params = [...where.params];
  let after = "";
  if (input.cursor) {
    const cur = readCursor(input.cursor, "this catalog");
    params.push(input.datasetId ?? input.workspaceId, cur.v, cur.id);
    const n = params.length;
    after = `and (${scope}, ${sort.column}, c.part_id) ${descending ? "<" : ">"} ($${n - 2}::uuid, $${n - 1}::${sort.cast}, $${n}::uuid)`;
  }
  params.push(input.limit + 1);
  const sortValue =
    key === "added" || key === "changed"
      ? `to_char(${sort.column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
      : key === "status"
        ? `${sort.column}::text`
        : sort.column;
  const order = `${scope} ${dir}, ${sort.column} ${dir}, c.part_id ${dir}`;
  // the page first (one index walk), then the names of its datasets and annotators
  return {
    sql: `select c.part_id as id, c.name, c.dataset_id as "datasetId", d.name as "datasetName", c.status, c.split, c.tags,
            c.created_at as "addedAt", c.status_changed_at as "changedAt",
            case when c.face_count >= 0 then c.face_count end as "faceCount",
            case when c.face_count >= 0 then c.surface_types end as "surfaceTypes", c.has_thumbnail as "hasThumbnail",
            c.features, c.instance_counts as "instanceCounts", c.annotator_id as "annotatorId",
            u.email as "annotatorEmail", c."sortValue"
     from (select c.*, ${sortValue} as "sortValue" ${FROM}
           where ${where.sql} ${after}
           order by ${order}
           limit $${params.length}) c
     join public.datasets d on d.id = c.dataset_id
     left join public.profiles u on u.user_id = c.annotator_id
     order by ${order}`,
    params,
  };
}

export async function queryCatalog(
  client: PoolClient,
  input: {
    workspaceId: string;
    datasetId?: string | null;
    filter: CatalogFilter;
    cursor?: string | null;
    limit: number;
  },
): Promise<CatalogPage> {
  const q = catalogPageQuery(input);
  const { rows } = await client.query<CatalogRow & { sortValue: string | number }>(q.sql, q.params);
  const more = rows.length > input.limit;
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    parts: page.map(({ sortValue: _, ...r }) => r),
    nextCursor: more && last ? writeCursor({ v: last.sortValue, id: last.id }) : null,
  };
}

/** The catalog counts exactly up to this; beyond, it says "more than" (counting a broad filter is a scan). */
export const CATALOG_COUNT_CAP = 10_000;

/**
 * How many parts match (the catalog's "N parts"). With a cap, counting stops after cap + 1: a
 * result above the cap means "more than cap".
 */
export async function countCatalog(
  client: PoolClient,
  input: { workspaceId: string; datasetId?: string | null; filter: CatalogFilter; cap?: number },
): Promise<number> {
  const where = catalogWhere(input, input.filter);
  const limit = input.cap === undefined ? "" : `limit ${Math.max(0, Math.floor(input.cap)) + 1}`;
  const { rows } = await client.query<{ n: number }>(
    `select count(*)::int as n from (select 1 ${FROM} where ${where.sql} ${limit}) x`,
    where.params,
  );
  return rows[0]?.n ?? 0;
}

/** The ids of every matching part (a snapshot of a filtered selection), at most `limit`. */
export async function catalogPartIds(
  client: PoolClient,
  input: { workspaceId: string; datasetId: string; filter: CatalogFilter },
): Promise<string[]> {
  const where = catalogWhere(input, input.filter);
  const { rows } = await client.query<{ id: string }>(
    `select c.part_id as id ${FROM} where ${where.sql}`,
    where.params,
  );
  return rows.map((r) => r.id);
}

export interface CatalogOptions {
  features: { key: string; parts: number }[];
  tags: { tag: string; parts: number }[];
  splits: { split: string | null; parts: number }[];
  annotators: { id: string; email: string | null; parts: number }[];
  surfaces: { surface: string; parts: number }[];
}

/** What the filters can choose from in a dataset (or the workspace), with how many parts have each. */
export async function catalogOptions(
  client: PoolClient,
  input: { workspaceId: string; datasetId?: string | null },
): Promise<CatalogOptions> {
  // one pass over the catalog for every facet (five aggregates would read it five times)
  const { rows } = await client.query<{ kind: string; value: string | null; parts: number; email: string | null }>(
    `select v.kind, v.value, count(*)::int as parts,
            case when v.kind = 'annotator' then (select u.email from public.profiles u where u.user_id = v.value::uuid) end
              as email
     ${FROM},
     lateral (select 'feature', f from unnest(c.features) f
              union all select 'tag', t from unnest(c.tags) t
              union all select 'surface', s from unnest(c.surface_types) s
              union all select 'split', c.split
              union all select 'annotator', c.annotator_id::text where c.annotator_id is not null) v(kind, value)
     where c.workspace_id = $1 and ($2::uuid is null or c.dataset_id = $2)
     group by v.kind, v.value`,
    [input.workspaceId, input.datasetId ?? null],
  );
  const of = (kind: string) =>
    rows
      .filter((r) => r.kind === kind)
      .sort((a, b) => b.parts - a.parts || String(a.value).localeCompare(String(b.value)));
  return {
    features: of("feature").map((r) => ({ key: r.value as string, parts: r.parts })),
    tags: of("tag")
      .slice(0, 200)
      .map((r) => ({ tag: r.value as string, parts: r.parts })),
    splits: rows
      .filter((r) => r.kind === "split")
      .sort((a, b) =>
        a.value === null ? 1 : b.value === null ? -1 : a.value < b.value ? -1 : a.value > b.value ? 1 : 0,
      )
      .map((r) => ({ split: r.value, parts: r.parts })),
    annotators: of("annotator").map((r) => ({ id: r.value as string, email: r.email, parts: r.parts })),
    surfaces: of("surface").map((r) => ({ surface: r.value as string, parts: r.parts })),
  };
}

/** NOT_FOUND unless every part named is a part of this workspace (a selection acts whole or not at all). */
export async function assertPartsInWorkspace(
  client: PoolClient,
  workspaceId: string,
  partIds: string[],
): Promise<void> {
  const ids = [...new Set(partIds)];
  const { rows } = await client.query<{ n: number }>(
    "select count(*)::int as n from public.parts where workspace_id = $1 and id = any ($2::uuid[])",
    [workspaceId, ids],
  );
  const missing = ids.length - (rows[0]?.n ?? 0);
  if (missing > 0)
    throw new AppError("NOT_FOUND", `${missing} of the ${ids.length} parts named are not parts of this workspace`);
}

/** Add and remove tags on parts of this workspace; the number of parts changed. */
export async function tagParts(
  client: PoolClient,
  input: { workspaceId: string; partIds: string[]; add: string[]; remove: string[] },
): Promise<number> {
  await assertPartsInWorkspace(client, input.workspaceId, input.partIds);
  const { rowCount } = await client.query(
    `update public.parts p set tags = (
       select coalesce(array_agg(t order by t), '{}') from (
         select distinct t from unnest(p.tags || $3::text[]) t where t <> all ($4::text[])) x)
     where p.workspace_id = $1 and p.id = any ($2::uuid[])
       and p.tags is distinct from (
         select coalesce(array_agg(t order by t), '{}') from (
           select distinct t from unnest(p.tags || $3::text[]) t where t <> all ($4::text[])) x)`,
    [input.workspaceId, input.partIds, input.add, input.remove],
  );
  return rowCount ?? 0;
}

export interface SavedFilter {
  id: string;
  name: string;
  query: string;
  datasetId: string | null;
  shared: boolean;
  mine: boolean;
  createdAt: string;
}

export async function listSavedFilters(client: PoolClient, workspaceId: string): Promise<SavedFilter[]> {
  const { rows } = await client.query<SavedFilter>(
    `select id, name, query, dataset_id as "datasetId", shared, user_id = auth.uid() as mine, created_at as "createdAt"
     from public.saved_filters where workspace_id = $1 order by name`,
    [workspaceId],
  );
  return rows;
}

export async function saveFilter(
  client: PoolClient,
  input: { workspaceId: string; datasetId: string | null; name: string; query: string; shared: boolean },
): Promise<SavedFilter> {
  const { rows } = await client.query<SavedFilter>(
    `insert into public.saved_filters (workspace_id, dataset_id, name, query, shared) values ($1, $2, $3, $4, $5)
     on conflict (workspace_id, user_id, name) do update set query = excluded.query, dataset_id = excluded.dataset_id,
       shared = excluded.shared
     returning id, name, query, dataset_id as "datasetId", shared, true as mine, created_at as "createdAt"`,
    [input.workspaceId, input.datasetId, input.name, input.query, input.shared],
  );
  return rows[0] as SavedFilter;
}

export async function deleteSavedFilter(client: PoolClient, workspaceId: string, id: string): Promise<void> {
  const { rowCount } = await client.query(
    "delete from public.saved_filters where workspace_id = $1 and id = $2 and user_id = auth.uid()",
    [workspaceId, id],
  );
  if (!rowCount) throw new AppError("NOT_FOUND", "no saved filter of yours with this id");
}
