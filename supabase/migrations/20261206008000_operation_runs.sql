-- `facet backup` and `facet gc`: when each last ran and whether it succeeded. The operator's commands
-- record their runs (counts included) as the service; a workspace's admins see only when and whether
-- (public.last_operation_runs): the counts are the whole instance's, not theirs.
create table private.operation_runs (
  id uuid primary key default gen_random_uuid(),
  kind text not null check (kind in ('backup', 'gc')),
  finished_at timestamptz not null default now(),
  ok boolean not null,
  -- counts for the operator: files and bytes backed up; objects and bytes found and deleted by gc
  summary jsonb not null default '{}' check (jsonb_typeof(summary) = 'object')
);
create index operation_runs_kind_finished_idx on private.operation_runs (kind, finished_at desc);
alter table private.operation_runs enable row level security;
revoke all on private.operation_runs from public, anon, authenticated;
grant select, insert on private.operation_runs to service_role;

-- The last run of each kind, as a workspace's admins may see it (nothing for anyone else).
create function public.last_operation_runs(ws uuid)
returns table (kind text, finished_at timestamptz, ok boolean)
language sql stable security definer set search_path = '' as $$
  select distinct on (r.kind) r.kind, r.finished_at, r.ok
  from private.operation_runs r
  where private.has_role(ws, '{admin}')
  order by r.kind, r.finished_at desc
$$;
revoke all on function public.last_operation_runs(uuid) from public, anon;
grant execute on function public.last_operation_runs(uuid) to authenticated, service_role;

-- gc asks, for every stored blob, whether a revision or a snapshot names it: without these, each
-- question reads the whole table
create index annotation_revisions_blob_idx on public.annotation_revisions (blob_sha256);
create index snapshot_parts_blob_idx on public.snapshot_parts (blob_sha256);
