-- Label schema versions made from an earlier version with a class mapping (rename, merge, split),
-- and the record of that mapping applied to existing labels, part by part (issue 19, item 1).

-- How the classes of a version (`from`) become those of a later version of the same schema (`to`):
-- {"old_key": ["new_key", ...]}. Written once with the new version, never changed.
create table public.label_schema_mappings (
  to_schema_id uuid primary key,
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  from_schema_id uuid not null,
  mapping jsonb not null check (jsonb_typeof(mapping) = 'object'),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  check (from_schema_id <> to_schema_id),
  foreign key (workspace_id, from_schema_id) references public.label_schemas (workspace_id, id) on delete cascade,
  foreign key (workspace_id, to_schema_id) references public.label_schemas (workspace_id, id) on delete cascade
);
alter table public.label_schema_mappings enable row level security;
create index label_schema_mappings_from_idx on public.label_schema_mappings (from_schema_id);

-- A mapping leads from a version to a LATER version of the SAME schema, and is never changed.
create or replace function private.label_schema_mapping_guard() returns trigger
language plpgsql set search_path = '' as $$
declare
  v_from public.label_schemas;
  v_to public.label_schemas;
begin
  if tg_op = 'UPDATE' then
    raise exception 'a label schema mapping never changes: make another version instead' using errcode = 'FC005';
  end if;
  select * into v_from from public.label_schemas s where s.id = new.from_schema_id;
  select * into v_to from public.label_schemas s where s.id = new.to_schema_id;
  if v_from.name <> v_to.name or v_to.version <= v_from.version then
    raise exception 'a mapping leads from a version of a schema to a later version of the same schema (% v% -> % v%)',
      v_from.name, v_from.version, v_to.name, v_to.version
      using errcode = 'FC005';
  end if;
  return new;
end
$$;
create trigger label_schema_mappings_guard before insert or update on public.label_schema_mappings
for each row execute function private.label_schema_mapping_guard();

-- Each part a mapping was applied to: the revision it was read from and the one written under the
-- new version. The key (mapping, part) makes applying a mapping twice to a part impossible.
-- `split_faces`: faces of a split class, given the split's first class: a person must check them.
create table public.label_schema_mapped_parts (
  to_schema_id uuid not null references public.label_schema_mappings (to_schema_id) on delete cascade,
  part_id uuid not null references public.parts (id) on delete cascade,
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  from_revision_id uuid not null references public.annotation_revisions (id) on delete cascade,
  revision_id uuid references public.annotation_revisions (id) on delete cascade,
  split_faces integer not null default 0 check (split_faces >= 0),
  -- why the labels could not be mapped (then nothing was written: a person must relabel the part)
  problem text check (problem is null or (revision_id is null and char_length(problem) between 1 and 500)),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  primary key (to_schema_id, part_id)
);
alter table public.label_schema_mapped_parts enable row level security;
create index label_schema_mapped_parts_part_idx on public.label_schema_mapped_parts (part_id);

-- The record must tell the truth: the part is in the mapping's workspace, it read the part's
-- revision under the old version (or under none: revisions imported without one), and it wrote (when the labels changed) a revision of the same
-- part under the new version. Never changed afterwards.
create or replace function private.label_schema_mapped_part_guard() returns trigger
language plpgsql set search_path = '' as $$
declare
  v_map public.label_schema_mappings;
begin
  if tg_op = 'UPDATE' then
    raise exception 'a mapped part record never changes' using errcode = 'FC005';
  end if;
  select * into v_map from public.label_schema_mappings m where m.to_schema_id = new.to_schema_id;
  if not exists (select 1 from public.parts p where p.id = new.part_id and p.workspace_id = v_map.workspace_id)
     or new.workspace_id <> v_map.workspace_id then
    raise exception 'the part is not in the mapping''s workspace' using errcode = 'FC005';
  end if;
  if not exists (select 1 from public.annotation_revisions r where r.id = new.from_revision_id
                 and r.part_id = new.part_id
                 and (r.label_schema_id = v_map.from_schema_id or r.label_schema_id is null)) then
    raise exception 'the mapping reads a revision of this part made under the version it maps from'
      using errcode = 'FC005';
  end if;
  if new.revision_id is not null and not exists (
       select 1 from public.annotation_revisions r where r.id = new.revision_id and r.part_id = new.part_id
       and r.label_schema_id = v_map.to_schema_id) then
    raise exception 'the mapping writes a revision of this part under the version it maps to'
      using errcode = 'FC005';
  end if;
  return new;
end
$$;
create trigger label_schema_mapped_parts_guard before insert or update on public.label_schema_mapped_parts
for each row execute function private.label_schema_mapped_part_guard();

create policy "Members see label schema mappings" on public.label_schema_mappings
  for select to authenticated using (private.is_member(workspace_id));
create policy "Admins make label schema mappings" on public.label_schema_mappings
  for insert to authenticated
  with check (private.has_role(workspace_id, '{admin}') and created_by = (select auth.uid()));

create policy "Members see mapped parts" on public.label_schema_mapped_parts
  for select to authenticated using (private.is_member(workspace_id));
create policy "Admins apply label schema mappings" on public.label_schema_mapped_parts
  for insert to authenticated
  with check (private.has_role(workspace_id, '{admin}') and created_by = (select auth.uid()));

create trigger label_schema_mappings_audit after insert on public.label_schema_mappings
for each row execute function private.audit_row_change('label_schema_mapping');

revoke all on public.label_schema_mappings, public.label_schema_mapped_parts from anon, authenticated;
grant select, insert on public.label_schema_mappings, public.label_schema_mapped_parts to authenticated, service_role;
