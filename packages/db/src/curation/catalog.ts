import { AppError, type CatalogFilter, type PartStatus } from "@facet/core";
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

const SORT_COLUMN = {
  name: "p.name",
  added: "p.created_at",
  changed: "p.status_changed_at",
  faces: "coalesce(g.face_count, -1)",
  status: "p.status::text",
} as const;

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The filter as SQL over `public.parts p`, `public.part_geometry g` (the part's current geometry)
 * and `public.part_labels l` (its latest labels), both left-joined. Values are always parameters.
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
  const and: string[] = [`p.workspace_id = ${p(scope.workspaceId)}`];
  if (scope.datasetId) and.push(`p.dataset_id = ${p(scope.datasetId)}`);
  if (f.statuses?.length) and.push(`p.status = any (${p(f.statuses)}::public.part_status[])`);
  if (f.has?.length) and.push(`l.features @> ${p(f.has)}::text[]`);
  for (const c of f.counts ?? []) {
    const n = `coalesce((l.instance_counts ->> ${p(c.feature)})::int, 0)`;
    and.push(`${n} ${c.op} ${p(c.value)}::int`);
    // an indexable necessary condition when the count must be positive
    if ((c.op === ">=" && c.value > 0) || (c.op === ">" && c.value >= 0) || (c.op === "=" && c.value > 0))
      and.push(`l.instance_counts ? ${p(c.feature)}`);
  }
  if (f.faces?.min !== undefined) and.push(`g.face_count >= ${p(f.faces.min)}::int`);
  if (f.faces?.max !== undefined) and.push(`g.face_count <= ${p(f.faces.max)}::int`);
  if (f.surfaces?.length) and.push(`g.surface_types @> ${p(f.surfaces)}::text[]`);
  if (f.tags?.length) and.push(`p.tags @> ${p(f.tags)}::text[]`);
  if (f.splits?.length) {
    const named = f.splits.filter((s): s is string => s !== null);
    const none = f.splits.includes(null);
    const parts = [];
    if (named.length) parts.push(`p.split = any (${p(named)}::text[])`);
    if (none) parts.push("p.split is null");
    and.push(`(${parts.join(" or ")})`);
  }
  if (f.annotators?.length) and.push(`l.annotator_id = any (${p(f.annotators)}::uuid[])`);
  for (const [key, column] of [
    ["added", "p.created_at"],
    ["changed", "p.status_changed_at"],
  ] as const) {
    const r = f[key];
    if (r?.min) and.push(`${column} >= (${p(r.min)}::date)::timestamp at time zone 'UTC'`);
    if (r?.max) and.push(`${column} < (${p(r.max)}::date + 1)::timestamp at time zone 'UTC'`);
  }
  if (f.q) and.push(`p.name ilike ${p(`%${escapeLike(f.q)}%`)}`);
  return { sql: and.join("\n  and "), params };
}

const FROM = `from public.parts p
  left join public.part_geometry g on g.id = p.geometry_id
  left join public.part_labels l on l.part_id = p.id`;

interface Cursor {
  v: string | number | null;
  id: string;
}

function readCursor(cursor: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as Cursor;
    if (typeof c?.id === "string" && /^[0-9a-f-]{36}$/.test(c.id) && ["string", "number"].includes(typeof c.v))
      return c;
  } catch {
    // fall through
  }
  throw new AppError("VALIDATION_FAILED", "cursor: not a cursor this catalog gave out");
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
  const where = catalogWhere(input, input.filter);
  const { key, descending } = input.filter.sort;
  const column = SORT_COLUMN[key];
  const dir = descending ? "desc" : "asc";
  const params = [...where.params];
  let after = "";
  if (input.cursor) {
    const c = readCursor(input.cursor);
    params.push(c.v, c.id);
    const v = `$${params.length - 1}`;
    const id = `$${params.length}`;
    const typed =
      key === "faces" ? `${v}::int` : key === "added" || key === "changed" ? `${v}::timestamptz` : `${v}::text`;
    after = `and (${column}, p.id) ${descending ? "<" : ">"} (${typed}, ${id}::uuid)`;
  }
  params.push(input.limit + 1);
  const { rows } = await client.query<CatalogRow & { sortValue: string | number }>(
    `select p.id, p.name, p.dataset_id as "datasetId", d.name as "datasetName", p.status, p.split, p.tags,
            p.created_at as "addedAt", p.status_changed_at as "changedAt", g.face_count as "faceCount",
            g.surface_types as "surfaceTypes", g.thumbnail_key is not null as "hasThumbnail",
            coalesce(l.features, '{}') as features, coalesce(l.instance_counts, '{}') as "instanceCounts",
            l.annotator_id as "annotatorId", u.email as "annotatorEmail",
            ${key === "added" || key === "changed" ? `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')` : column} as "sortValue"
     ${FROM}
     join public.datasets d on d.id = p.dataset_id
     left join public.profiles u on u.user_id = l.annotator_id
     where ${where.sql} ${after}
     order by ${column} ${dir}, p.id ${dir}
     limit $${params.length}`,
    params,
  );
  const more = rows.length > input.limit;
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    parts: page.map(({ sortValue: _, ...r }) => r),
    nextCursor:
      more && last ? Buffer.from(JSON.stringify({ v: last.sortValue, id: last.id })).toString("base64url") : null,
  };
}

/** How many parts match (the catalog's "N parts"). */
export async function countCatalog(
  client: PoolClient,
  input: { workspaceId: string; datasetId?: string | null; filter: CatalogFilter },
): Promise<number> {
  const where = catalogWhere(input, input.filter);
  const { rows } = await client.query<{ n: number }>(
    `select count(*)::int as n ${FROM} where ${where.sql}`,
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
  const { rows } = await client.query<{ id: string }>(`select p.id ${FROM} where ${where.sql}`, where.params);
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
  const args = [input.workspaceId, input.datasetId ?? null];
  const scope = "p.workspace_id = $1 and ($2::uuid is null or p.dataset_id = $2)";
  const [features, tags, splits, annotators, surfaces] = await Promise.all([
    client.query(
      `select f as key, count(*)::int as parts from public.parts p join public.part_labels l on l.part_id = p.id,
       unnest(l.features) f where ${scope} group by f order by parts desc, f`,
      args,
    ),
    client.query(
      `select t as tag, count(*)::int as parts from public.parts p, unnest(p.tags) t where ${scope}
       group by t order by parts desc, t limit 200`,
      args,
    ),
    client.query(
      `select p.split, count(*)::int as parts from public.parts p where ${scope} group by p.split
       order by p.split nulls last`,
      args,
    ),
    client.query(
      `select l.annotator_id as id, u.email, count(*)::int as parts from public.parts p
       join public.part_labels l on l.part_id = p.id left join public.profiles u on u.user_id = l.annotator_id
       where ${scope} and l.annotator_id is not null group by l.annotator_id, u.email order by parts desc`,
      args,
    ),
    client.query(
      `select s as surface, count(*)::int as parts from public.parts p join public.part_geometry g on g.id = p.geometry_id,
       unnest(g.surface_types) s where ${scope} group by s order by parts desc, s`,
      args,
    ),
  ]);
  return {
    features: features.rows,
    tags: tags.rows,
    splits: splits.rows,
    annotators: annotators.rows,
    surfaces: surfaces.rows,
  } as CatalogOptions;
}

/** Add and remove tags on parts of this workspace; the number of parts changed. */
export async function tagParts(
  client: PoolClient,
  input: { workspaceId: string; partIds: string[]; add: string[]; remove: string[] },
): Promise<number> {
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
