-- Label schemas (versioned taxonomies) and datasets.

create table public.label_schemas (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  name text not null check (char_length(name) between 1 and 80),
  version integer not null default 1 check (version > 0),
  taxonomy jsonb not null check (jsonb_typeof(taxonomy) = 'object' and jsonb_typeof(taxonomy -> 'featureTypes') = 'array'),
  is_default boolean not null default false,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  unique (workspace_id, name, version),
  unique (workspace_id, id)
);
alter table public.label_schemas enable row level security;
create unique index label_schemas_one_default_idx on public.label_schemas (workspace_id) where is_default;

-- A schema version is immutable once written: labels refer to it. Edits create a new version.
create or replace function private.label_schema_immutable() returns trigger
language plpgsql set search_path = '' as $$
begin
  if new.taxonomy is distinct from old.taxonomy or new.version <> old.version
     or new.workspace_id <> old.workspace_id or new.name <> old.name then
    raise exception 'label schema versions are immutable: create version % instead', old.version + 1
      using errcode = 'FC005';
  end if;
  return new;
end
$$;
create trigger label_schemas_immutable before update on public.label_schemas
for each row execute function private.label_schema_immutable();
create trigger label_schemas_audit after insert or update or delete on public.label_schemas
for each row execute function private.audit_row_change('label_schema');

create table public.datasets (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  name text not null check (char_length(name) between 1 and 120 and name !~ '[[:cntrl:]]'),
  description text not null default '' check (char_length(description) <= 4000),
  label_schema_id uuid,
  -- independent annotations required per part (consensus); 1 means a single annotator
  required_annotations integer not null default 1 check (required_annotations between 1 and 10),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (workspace_id, name),
  unique (workspace_id, id),
  foreign key (workspace_id, label_schema_id) references public.label_schemas (workspace_id, id) on delete restrict
);
alter table public.datasets enable row level security;
create trigger datasets_touch before update on public.datasets
for each row execute function private.touch_updated_at();
create trigger datasets_audit after insert or update or delete on public.datasets
for each row execute function private.audit_row_change('dataset');

create policy "Members see label schemas" on public.label_schemas
  for select to authenticated using (private.is_member(workspace_id));
create policy "Admins create label schemas" on public.label_schemas
  for insert to authenticated with check (private.has_role(workspace_id, '{admin}'));
create policy "Admins choose the default label schema" on public.label_schemas
  for update to authenticated
  using (private.has_role(workspace_id, '{admin}')) with check (private.has_role(workspace_id, '{admin}'));
create policy "Admins delete unused label schemas" on public.label_schemas
  for delete to authenticated using (private.has_role(workspace_id, '{admin}'));

create policy "Members see datasets" on public.datasets
  for select to authenticated using (private.is_member(workspace_id));
create policy "Admins, engineers and ML engineers create datasets" on public.datasets
  for insert to authenticated
  with check (private.has_role(workspace_id, '{admin,engineer,ml_engineer}') and created_by = (select auth.uid()));
create policy "Admins, engineers and ML engineers edit datasets" on public.datasets
  for update to authenticated
  using (private.has_role(workspace_id, '{admin,engineer,ml_engineer}'))
  with check (private.has_role(workspace_id, '{admin,engineer,ml_engineer}'));
create policy "Admins delete datasets" on public.datasets
  for delete to authenticated using (private.has_role(workspace_id, '{admin}'));
