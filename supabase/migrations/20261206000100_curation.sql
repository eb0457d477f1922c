-- Curation for ML engineers: a catalog that filters by what parts hold, splits that never leak a
-- shape across train/val/test, snapshots that never change, and exports of them.

create schema if not exists extensions;
-- cube: a k-nearest-neighbour GiST index over the geometry fingerprint. It ships with PostgreSQL
-- (the embedded build has it; Supabase offers it); pgvector does not, so the fingerprint is a plain
-- real[] that a database with pgvector can also index (`shape_descriptor::vector`).
create extension if not exists cube with schema extensions;
-- pg_trgm: the catalog's name search (`q=`) by index
create extension if not exists pg_trgm with schema extensions;

-- 0. The workspaces the caller may act in, once per statement. Policies written
--    `workspace_id in (select private.member_workspace_ids())` evaluate it once (a hashed subplan)
--    instead of once per row as `private.is_member(workspace_id)` does: on a 100 000-part dataset
--    that is the difference between a catalog page in milliseconds and in seconds.
create function private.member_workspace_ids() returns setof uuid
language sql stable security definer set search_path = '' as $$
  select m.workspace_id
  from public.workspace_members m
  where m.user_id = (select auth.uid()) and private.in_scope(m.workspace_id)
$$;
revoke all on function private.member_workspace_ids() from public, anon;
grant execute on function private.member_workspace_ids() to authenticated, service_role;

drop policy "Members see parts" on public.parts;
create policy "Members see parts" on public.parts for select to authenticated
  using (workspace_id in (select private.member_workspace_ids()));

-- 1. Geometry a catalog can filter and compare by: the kinds of surface a shape has, a fingerprint
--    of its shape (see docs/decisions.md) and a thumbnail, all written by the worker with the mesh.
alter table public.part_geometry
  add column surface_types text[],
  add column shape_descriptor real[],
  add column thumbnail_key text;
alter table public.part_geometry add constraint part_geometry_shape_descriptor_check
  check (shape_descriptor is null or (cardinality(shape_descriptor) between 1 and 100
                                      and array_position(shape_descriptor, null) is null));
create index part_geometry_shape_idx on public.part_geometry
  using gist (extensions.cube(shape_descriptor::float8[])) where shape_descriptor is not null;
comment on column public.part_geometry.shape_descriptor is
  'Geometry fingerprint (packages/geometry fingerprint.ts): invariant to rotation, translation and scale; near-duplicate shapes are close in Euclidean distance. Indexed as a cube for nearest-neighbour search.';

-- 2. Splits are names (train, val, test or the dataset's own), set by ML engineers and admins.
alter table public.parts drop constraint parts_split_check;
alter table public.parts add constraint parts_split_check check (split ~ '^[a-z][a-z0-9_-]{0,31}$');
alter table public.datasets add column split_config jsonb
  constraint datasets_split_config_check check (split_config is null or jsonb_typeof(split_config) = 'object');
comment on column public.datasets.split_config is
  'How parts without a split are assigned one (seed, named splits and ratios, stratification, near-duplicates kept together): packages/core splits.ts. Parts keep the split they have.';


-- 3. The catalog's read model: one row per part with everything the catalog filters and sorts by —
--    the part's own fields, its current geometry summarised (part_geometry is shared content, visible
--    through a part that uses it: a policy too costly for every row of a large catalog) and its latest
--    labels summarised (instead of reading every document). One table, so that a filtered, sorted page
--    is one index walk that stops after the page. Kept by triggers; nobody writes it.
create table public.part_catalog (
  part_id uuid primary key references public.parts (id) on delete cascade,
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  dataset_id uuid not null,
  -- the part's own fields
  name text not null,
  status public.part_status not null,
  split text,
  tags text[] not null,
  created_at timestamptz not null,
  status_changed_at timestamptz not null,
  -- its geometry (-1 faces: not processed yet)
  face_count integer not null default -1,
  surface_types text[] not null default '{}',
  has_thumbnail boolean not null default false,
  -- its latest revision with labels (null: none yet)
  revision_id uuid references public.annotation_revisions (id) on delete set null,
  revision_no integer,
  source text,
  -- the author of the newest revision a person wrote (the annotator, for filters)
  annotator_id uuid references auth.users (id) on delete set null,
  features text[] not null default '{}',
  face_counts jsonb not null default '{}',
  instance_counts jsonb not null default '{}',
  -- 'slot:1', 'slot:2', … up to 'slot:20' for 20 or more slots: instance counts a GIN index can
  -- answer (`at least 2 blind holes` = instance_levels @> '{blind_hole:2}')
  instance_levels text[] not null default '{}',
  labelled_faces integer not null default 0,
  labelled_at timestamptz
);
create index part_catalog_dataset_created_idx on public.part_catalog (dataset_id, created_at, part_id);
create index part_catalog_dataset_changed_idx on public.part_catalog (dataset_id, status_changed_at, part_id);
create index part_catalog_dataset_name_idx on public.part_catalog (dataset_id, name, part_id);
create index part_catalog_dataset_status_idx on public.part_catalog (dataset_id, status, part_id);
create index part_catalog_dataset_faces_idx on public.part_catalog (dataset_id, face_count, part_id);
create index part_catalog_dataset_split_idx on public.part_catalog (dataset_id, split);
create index part_catalog_workspace_created_idx on public.part_catalog (workspace_id, created_at, part_id);
create index part_catalog_workspace_name_idx on public.part_catalog (workspace_id, name, part_id);
create index part_catalog_features_idx on public.part_catalog using gin (features);
create index part_catalog_instance_levels_idx on public.part_catalog using gin (instance_levels);
create index part_catalog_tags_idx on public.part_catalog using gin (tags);
create index part_catalog_surfaces_idx on public.part_catalog using gin (surface_types);
create index part_catalog_name_trgm_idx on public.part_catalog using gin (name extensions.gin_trgm_ops);
create index part_catalog_annotator_idx on public.part_catalog (annotator_id) where annotator_id is not null;
alter table public.part_catalog enable row level security;
create policy "Members see the catalog" on public.part_catalog for select to authenticated
  using (workspace_id in (select private.member_workspace_ids()));
revoke all on public.part_catalog from anon, authenticated;
grant select on public.part_catalog to authenticated, service_role;
comment on table public.part_catalog is
  'Derived, one row per part: its fields, current geometry and latest labels summarised, for the catalog''s filters and orders. Written only by the private.part_catalog_* triggers.';

-- the part's fields and geometry, on insert and whenever they change: a step of the parts triggers'
-- dispatchers (one trigger per timing and event, see 20261205000100_one_rule_per_decision.sql)
create function private.parts_catalog(new public.parts) returns void
language plpgsql security definer set search_path = '' as $$
begin
  if pg_trigger_depth() = 0 then
    raise exception 'private.parts_catalog runs in the parts triggers only' using errcode = '42501';
  end if;
  insert into public.part_catalog as c (part_id, workspace_id, dataset_id, name, status, split, tags, created_at,
      status_changed_at, face_count, surface_types, has_thumbnail)
  select new.id, new.workspace_id, new.dataset_id, new.name, new.status, new.split, new.tags, new.created_at,
         new.status_changed_at, coalesce(g.face_count, -1), coalesce(g.surface_types, '{}'), g.thumbnail_key is not null
  from (select 1) one left join public.part_geometry g on g.id = new.geometry_id
  on conflict (part_id) do update set dataset_id = excluded.dataset_id, name = excluded.name,
    status = excluded.status, split = excluded.split, tags = excluded.tags,
    status_changed_at = excluded.status_changed_at, face_count = excluded.face_count,
    surface_types = excluded.surface_types, has_thumbnail = excluded.has_thumbnail;
end
$$;
revoke all on function private.parts_catalog(public.parts) from public;
grant execute on function private.parts_catalog(public.parts) to authenticated, service_role;

create or replace function private.parts_after_insert() returns trigger
language plpgsql set search_path = '' as $$
begin
  perform private.parts_audit_status(null, new);
  perform private.parts_catalog(new);
  return null;
end
$$;

create or replace function private.parts_after_update() returns trigger
language plpgsql set search_path = '' as $$
begin
  -- 1. the status change in the audit log
  if new.status is distinct from old.status then
    perform private.parts_audit_status(old, new);
  end if;
  -- 2. edits that are not status changes
  if (old.name, old.dataset_id, old.split, old.tags, old.review_notes)
     is distinct from (new.name, new.dataset_id, new.split, new.tags, new.review_notes) then
    perform private.parts_audit_edit(old, new);
  end if;
  -- 3. the live pages
  if old.status is distinct from new.status or old.annotator_id is distinct from new.annotator_id
     or old.lease_expires_at is distinct from new.lease_expires_at then
    perform private.parts_notify(old, new);
  end if;
  -- 4. the catalog's row
  if (old.name, old.status, old.split, old.tags, old.status_changed_at, old.dataset_id, old.geometry_id)
     is distinct from (new.name, new.status, new.split, new.tags, new.status_changed_at, new.dataset_id, new.geometry_id)
  then
    perform private.parts_catalog(new);
  end if;
  return null;
end
$$;

-- the geometry, when the worker describes it later (fingerprint backfill, thumbnail)
create function private.part_catalog_of_geometry() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  update public.part_catalog c set face_count = new.face_count, surface_types = coalesce(new.surface_types, '{}'),
         has_thumbnail = new.thumbnail_key is not null
  from public.parts p where p.geometry_id = new.id and c.part_id = p.id;
  return null;
end
$$;
create trigger part_geometry_part_catalog after update of face_count, surface_types, thumbnail_key
  on public.part_geometry for each row execute function private.part_catalog_of_geometry();

-- instance counts as levels: each class once per count it reaches, up to 20
create function private.instance_levels(p_counts jsonb) returns text[]
language sql immutable set search_path = '' as $$
  select coalesce(array_agg(c.key || ':' || n order by c.key, n), '{}')
  from jsonb_each_text(p_counts) c, generate_series(1, least(c.value::int, 20)) n
$$;

-- the labels, from each new revision (the latest is the one with the highest number)
create function private.part_catalog_of_revision() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  update public.part_catalog c set
    revision_id = new.id, revision_no = new.revision_no, source = new.source,
    annotator_id = case when new.source = 'human' then new.author_id else c.annotator_id end,
    -- (unlabelled faces are nulls: not a class)
    features = coalesce((select array_agg(distinct f order by f)
                         from jsonb_array_elements_text(new.document -> 'labels') f where f is not null), '{}'),
    face_counts = coalesce((select jsonb_object_agg(f, n) from (
                    select f, count(*) n from jsonb_array_elements_text(new.document -> 'labels') f
                    where f is not null group by f) x), '{}'),
    instance_counts = coalesce((select jsonb_object_agg(f, n) from (
                        select i ->> 'feature' f, count(*) n
                        from jsonb_array_elements(coalesce(new.document -> 'instances', '[]')) i
                        where i ->> 'feature' is not null group by 1) x), '{}'),
    labelled_faces = (select count(*) from jsonb_array_elements(new.document -> 'labels') f where f <> 'null'::jsonb),
    labelled_at = new.created_at
  where c.part_id = new.part_id and (c.revision_no is null or c.revision_no < new.revision_no);
  update public.part_catalog c set instance_levels = private.instance_levels(c.instance_counts)
  where c.part_id = new.part_id and c.revision_id = new.id;
  return null;
end
$$;
create trigger annotation_revisions_part_catalog after insert on public.annotation_revisions
  for each row when (jsonb_typeof(new.document -> 'labels') = 'array')
  execute function private.part_catalog_of_revision();

insert into public.part_catalog (part_id, workspace_id, dataset_id, name, status, split, tags, created_at,
    status_changed_at, face_count, surface_types, has_thumbnail)
select p.id, p.workspace_id, p.dataset_id, p.name, p.status, p.split, p.tags, p.created_at, p.status_changed_at,
       coalesce(g.face_count, -1), coalesce(g.surface_types, '{}'), g.thumbnail_key is not null
from public.parts p left join public.part_geometry g on g.id = p.geometry_id;
update public.part_catalog c set
  revision_id = r.id, revision_no = r.revision_no, source = r.source,
  annotator_id = (select h.author_id from public.annotation_revisions h
                  where h.part_id = r.part_id and h.source = 'human' order by h.revision_no desc limit 1),
  features = coalesce((select array_agg(distinct f order by f) from jsonb_array_elements_text(r.document -> 'labels') f
                       where f is not null), '{}'),
  face_counts = coalesce((select jsonb_object_agg(f, n) from (
    select f, count(*) n from jsonb_array_elements_text(r.document -> 'labels') f where f is not null group by f) x), '{}'),
  instance_counts = coalesce((select jsonb_object_agg(f, n) from (
    select i ->> 'feature' f, count(*) n from jsonb_array_elements(coalesce(r.document -> 'instances', '[]')) i
    where i ->> 'feature' is not null group by 1) x), '{}'),
  labelled_faces = (select count(*) from jsonb_array_elements(r.document -> 'labels') f where f <> 'null'::jsonb),
  labelled_at = r.created_at
from (select distinct on (part_id) * from public.annotation_revisions
      where jsonb_typeof(document -> 'labels') = 'array' order by part_id, revision_no desc) r
where c.part_id = r.part_id;
update public.part_catalog set instance_levels = private.instance_levels(instance_counts) where revision_id is not null;

-- 4. Saved catalog filters: a name for a query string, per person (shared ones are seen by all members).
create table public.saved_filters (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  dataset_id uuid,
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  name text not null check (char_length(name) between 1 and 80 and name !~ '[[:cntrl:]]'),
  query text not null check (char_length(query) <= 4000),
  shared boolean not null default false,
  created_at timestamptz not null default now(),
  foreign key (workspace_id, dataset_id) references public.datasets (workspace_id, id) on delete cascade,
  unique (workspace_id, user_id, name)
);
alter table public.saved_filters enable row level security;
create policy "Members see their own and shared filters" on public.saved_filters for select to authenticated
  using (private.is_member(workspace_id) and (user_id = (select auth.uid()) or shared));
create policy "Members save their own filters" on public.saved_filters for insert to authenticated
  with check (private.is_member(workspace_id) and user_id = (select auth.uid()));
create policy "Members change their own filters" on public.saved_filters for update to authenticated
  using (private.is_member(workspace_id) and user_id = (select auth.uid()))
  with check (private.is_member(workspace_id) and user_id = (select auth.uid()));
create policy "Members delete their own filters" on public.saved_filters for delete to authenticated
  using (private.is_member(workspace_id) and user_id = (select auth.uid()));
revoke all on public.saved_filters from anon;
grant select, insert, update, delete on public.saved_filters to authenticated, service_role;

-- 5. Snapshots: a frozen list of parts with exactly what each was at that moment. They are made only
--    by public.freeze_snapshot (in one statement per table), and nothing about a snapshot changes
--    afterwards, for any role. A snapshot's parts keep their content and revisions from deletion
--    (a part in a snapshot cannot be discarded, nor a dataset with snapshots deleted); deleting the
--    whole workspace takes its snapshots with it.
create table public.snapshots (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  dataset_id uuid not null,
  -- `diff` is the address of the comparison page and API
  name text not null check (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$' and lower(name) <> 'diff'),
  description text not null default '' check (char_length(description) <= 4000),
  -- what was asked, for the record: the statuses taken (null: every part with a label revision)
  -- and the catalog filter (its query string)
  statuses public.part_status[],
  filter text not null default '' check (char_length(filter) <= 4000),
  label_schema_id uuid references public.label_schemas (id),
  label_schema_version integer,
  part_count integer not null check (part_count >= 0),
  face_count bigint not null check (face_count >= 0),
  -- sha256 over every part's line, in part-id order (packages/core snapshot.ts snapshotChecksum)
  checksum text not null check (checksum ~ '^[0-9a-f]{64}$'),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  created_xact xid8 not null default pg_current_xact_id(),
  -- checked at commit: deleting the whole workspace removes snapshots and datasets in one go
  foreign key (workspace_id, dataset_id) references public.datasets (workspace_id, id) deferrable initially deferred,
  unique (workspace_id, name),
  unique (workspace_id, id)
);
comment on table public.snapshots is
  'Immutable (private.snapshots_immutable, for every role). Made by public.freeze_snapshot. The manifest in storage (snapshots/<id>/manifest.json) is an export of these rows; facet snapshot verify checks they agree.';

create table public.snapshot_parts (
  snapshot_id uuid not null,
  part_id uuid not null,
  workspace_id uuid not null,
  name text not null,
  -- the part's content and its revision: both live as long as the part (a part's blob never changes,
  -- revisions are append-only), and the part lives as long as the snapshot (key below)
  blob_sha256 text not null,
  revision_id uuid not null,
  revision_no integer not null,
  face_signature text,
  face_count integer not null,
  label_schema_id uuid,
  schema_version integer not null,
  -- sha256 of the revision's document as PostgreSQL renders jsonb (keys in a fixed order)
  document_sha256 text not null check (document_sha256 ~ '^[0-9a-f]{64}$'),
  status public.part_status not null,
  split text,
  primary key (snapshot_id, part_id),
  foreign key (workspace_id, part_id) references public.parts (workspace_id, id) deferrable initially deferred,
  foreign key (workspace_id, snapshot_id) references public.snapshots (workspace_id, id) on delete cascade
);
-- a split's parts in part-id order, a page at a time (exports, pull): an index walk, never a sort
create index snapshot_parts_split_idx on public.snapshot_parts (snapshot_id, split, part_id);
create index snapshot_parts_part_idx on public.snapshot_parts (part_id);

create function private.snapshots_immutable() returns trigger
language plpgsql set search_path = '' as $$
begin
  if tg_op = 'DELETE' then
    if not exists (select 1 from public.workspaces w where w.id = old.workspace_id) then
      return old; -- the workspace itself is being deleted
    end if;
  end if;
  raise exception 'snapshots are immutable: % refused', lower(tg_op)
    using errcode = 'FC020', hint = 'freeze a new snapshot instead';
end
$$;
create trigger snapshots_immutable before update or delete on public.snapshots
  for each row execute function private.snapshots_immutable();
create trigger snapshot_parts_immutable before update or delete on public.snapshot_parts
  for each row execute function private.snapshots_immutable();
create trigger snapshots_no_truncate before truncate on public.snapshots
  for each statement execute function private.snapshots_immutable();
create trigger snapshot_parts_no_truncate before truncate on public.snapshot_parts
  for each statement execute function private.snapshots_immutable();

-- Parts join a snapshot only in the transaction that created it.
create function private.snapshot_parts_sealed() returns trigger
language plpgsql set search_path = '' as $$
begin
  if exists (select 1 from added a join public.snapshots s on s.id = a.snapshot_id
             where s.created_xact <> pg_current_xact_id()) then
    raise exception 'snapshots are immutable: parts join a snapshot only when it is frozen'
      using errcode = 'FC020';
  end if;
  return null;
end
$$;
create trigger snapshot_parts_sealed after insert on public.snapshot_parts
  referencing new table as added for each statement execute function private.snapshot_parts_sealed();

alter table public.snapshots enable row level security;
alter table public.snapshot_parts enable row level security;
create policy "Members see snapshots" on public.snapshots for select to authenticated
  using (workspace_id in (select private.member_workspace_ids()));
create policy "Members see snapshot parts" on public.snapshot_parts for select to authenticated
  using (workspace_id in (select private.member_workspace_ids()));
revoke all on public.snapshots, public.snapshot_parts from anon, authenticated;
grant select on public.snapshots, public.snapshot_parts to authenticated;
grant select, insert on public.snapshots, public.snapshot_parts to service_role;
create trigger snapshots_audit after insert on public.snapshots
  for each row execute function private.audit_row_change('snapshot');

-- The one way to make a snapshot. What each part pins is read from its latest revision here, in
-- one statement: the caller names parts (a catalog selection, or null for the whole dataset) and
-- statuses (null: every part that has a label revision, whatever its status).
create function public.freeze_snapshot(
  p_dataset_id uuid, p_name text, p_description text default '',
  p_part_ids uuid[] default null, p_statuses public.part_status[] default null, p_filter text default '')
returns uuid
language plpgsql security definer set search_path = '' as $$
declare
  v_ws uuid;
  v_schema uuid;
  v_id uuid;
begin
  select d.workspace_id, d.label_schema_id into v_ws, v_schema from public.datasets d where d.id = p_dataset_id;
  if v_ws is null or not private.has_role(v_ws, '{admin,ml_engineer}') then
    raise exception 'only ML engineers and admins freeze snapshots of this workspace''s datasets'
      using errcode = '42501';
  end if;
  if exists (select 1 from public.snapshots s where s.workspace_id = v_ws and s.name = p_name) then
    raise exception 'a snapshot named % already exists in this workspace', p_name using errcode = 'FC022';
  end if;

  create temp table if not exists pg_temp.freezing (
    part_id uuid primary key, name text, blob_sha256 text, revision_id uuid, revision_no integer,
    face_signature text, face_count integer, label_schema_id uuid, schema_version integer,
    document_sha256 text, status public.part_status, split text) on commit drop;
  truncate pg_temp.freezing;
  insert into pg_temp.freezing
  select p.id, p.name, r.blob_sha256, r.id, r.revision_no, r.face_signature,
         jsonb_array_length(r.document -> 'labels'), r.label_schema_id, r.schema_version,
         encode(sha256(convert_to(r.document::text, 'UTF8')), 'hex'), p.status, p.split
  from public.parts p
  join public.part_catalog l on l.part_id = p.id
  join public.annotation_revisions r on r.id = l.revision_id
  where p.dataset_id = p_dataset_id
    and (p_part_ids is null or p.id in (select unnest(p_part_ids)))
    and (p_statuses is null or p.status = any (p_statuses));

  insert into public.snapshots (workspace_id, dataset_id, name, description, statuses, filter, label_schema_id,
      label_schema_version, part_count, face_count, checksum, created_by)
  select v_ws, p_dataset_id, p_name, coalesce(p_description, ''), p_statuses, coalesce(p_filter, ''), v_schema,
         (select s.version from public.label_schemas s where s.id = v_schema),
         count(*), coalesce(sum(f.face_count), 0),
         encode(sha256(convert_to(coalesce(string_agg(
           concat_ws(chr(9), f.part_id::text, f.blob_sha256, f.revision_id::text, f.document_sha256,
                     coalesce(f.face_signature, ''), coalesce(f.split, '')),
           chr(10) order by f.part_id::text collate "C"), ''), 'UTF8')), 'hex'),
         (select auth.uid())
  from pg_temp.freezing f
  returning id into v_id;

  insert into public.snapshot_parts (snapshot_id, part_id, workspace_id, name, blob_sha256, revision_id, revision_no,
      face_signature, face_count, label_schema_id, schema_version, document_sha256, status, split)
  select v_id, f.part_id, v_ws, f.name, f.blob_sha256, f.revision_id, f.revision_no, f.face_signature, f.face_count,
         f.label_schema_id, f.schema_version, f.document_sha256, f.status, f.split
  from pg_temp.freezing f;
  truncate pg_temp.freezing;
  return v_id;
end
$$;
revoke all on function public.freeze_snapshot(uuid, text, text, uuid[], public.part_status[], text) from public, anon;
grant execute on function public.freeze_snapshot(uuid, text, text, uuid[], public.part_status[], text)
  to authenticated, service_role;

-- 6. Exports of a snapshot: one per snapshot, format and options (made once, then served from
--    storage), made by a `curation:export` job.
create table public.snapshot_exports (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null,
  snapshot_id uuid not null,
  format text not null check (format in ('parquet', 'jsonl', 'mfcad', 'mfinstseg', 'step')),
  include_meshes boolean not null default false,
  job_id uuid references public.jobs (id) on delete set null,
  -- set by the worker when the archive is stored
  archive_key text,
  archive_size bigint check (archive_size >= 0),
  archive_sha256 text check (archive_sha256 ~ '^[0-9a-f]{64}$'),
  completed_at timestamptz,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  foreign key (workspace_id, snapshot_id) references public.snapshots (workspace_id, id) on delete cascade,
  unique (snapshot_id, format, include_meshes)
);
alter table public.snapshot_exports enable row level security;
create policy "Members see exports" on public.snapshot_exports for select to authenticated
  using (workspace_id in (select private.member_workspace_ids()));
revoke all on public.snapshot_exports from anon, authenticated;
grant select on public.snapshot_exports to authenticated;
grant select, insert, update on public.snapshot_exports to service_role;
create trigger snapshot_exports_audit after insert on public.snapshot_exports
  for each row execute function private.audit_row_change('export');

-- Ask for an export: served from the cache when it was made, joined when it is being made, and
-- (re)started otherwise. Returns the export and its current job.
create function public.request_export(p_snapshot_id uuid, p_format text, p_include_meshes boolean default false)
returns table (export_id uuid, job_id uuid, started boolean)
language plpgsql security definer set search_path = '' as $$
declare
  v_ws uuid;
  v_export public.snapshot_exports;
  v_job public.jobs;
begin
  select s.workspace_id into v_ws from public.snapshots s where s.id = p_snapshot_id;
  if v_ws is null or not private.has_role(v_ws, '{admin,ml_engineer}') then
    raise exception 'only ML engineers and admins export this workspace''s snapshots' using errcode = '42501';
  end if;
  insert into public.snapshot_exports (workspace_id, snapshot_id, format, include_meshes, created_by)
  values (v_ws, p_snapshot_id, p_format, coalesce(p_include_meshes, false), (select auth.uid()))
  on conflict (snapshot_id, format, include_meshes) do nothing;
  select * into v_export from public.snapshot_exports e
  where e.snapshot_id = p_snapshot_id and e.format = p_format and e.include_meshes = coalesce(p_include_meshes, false)
  for update;
  select * into v_job from public.jobs j where j.id = v_export.job_id;
  if v_export.completed_at is not null or v_job.status in ('queued', 'running') then
    return query select v_export.id, v_export.job_id, false;
    return;
  end if;
  insert into public.jobs (workspace_id, kind, payload, created_by)
  values (v_ws, 'curation:export', jsonb_build_object('exportId', v_export.id), (select auth.uid()))
  returning * into v_job;
  update public.snapshot_exports e set job_id = v_job.id where e.id = v_export.id;
  return query select v_export.id, v_job.id, true;
end
$$;
revoke all on function public.request_export(uuid, text, boolean) from public, anon;
grant execute on function public.request_export(uuid, text, boolean) to authenticated, service_role;

-- Curation jobs (split assignment, exports) are started by ML engineers and admins, for no part;
-- the other jobs (processing) by admins and engineers, as before.
drop policy "Admins and engineers start jobs" on public.jobs;
create policy "Admins and engineers start jobs" on public.jobs for insert to authenticated
  with check (private.has_role(workspace_id, '{admin,engineer}') and created_by = (select auth.uid())
              and kind not like 'curation:%' and status = 'queued' and attempts = 0 and started_at is null
              and finished_at is null and result is null and error is null
              and (part_id is null or exists (select 1 from public.parts p
                                               where p.id = jobs.part_id and p.workspace_id = jobs.workspace_id)));
create policy "ML engineers start curation jobs" on public.jobs for insert to authenticated
  with check (private.has_role(workspace_id, '{admin,ml_engineer}') and created_by = (select auth.uid())
              and kind like 'curation:%' and part_id is null and status = 'queued' and attempts = 0
              and started_at is null and finished_at is null and result is null and error is null);
