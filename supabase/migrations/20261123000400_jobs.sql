-- The user-visible record of background work. The queue itself is graphile-worker's (embedded)
-- or Trigger.dev's (deployed); this table is what people see: status, attempts, progress, errors.

create type public.job_status as enum ('queued', 'running', 'completed', 'failed', 'canceled');

create table public.jobs (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid references public.workspaces (id) on delete cascade,
  kind text not null check (kind ~ '^[a-z][a-z0-9_-]*(:[a-z][a-z0-9_-]*)*$'),
  status public.job_status not null default 'queued',
  part_id uuid references public.parts (id) on delete cascade,
  payload jsonb not null default '{}'::jsonb,
  result jsonb,
  progress real not null default 0 check (progress between 0 and 1),
  progress_message text,
  attempts integer not null default 0 check (attempts >= 0),
  max_attempts integer not null default 3 check (max_attempts between 1 and 25),
  error text,
  runner text,
  external_id text,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz,
  updated_at timestamptz not null default now()
);
alter table public.jobs enable row level security;
create index jobs_workspace_created_idx on public.jobs (workspace_id, created_at desc);
create index jobs_part_idx on public.jobs (part_id) where part_id is not null;
create index jobs_status_idx on public.jobs (status) where status in ('queued', 'running');
create trigger jobs_touch before update on public.jobs
for each row execute function private.touch_updated_at();

-- Users may only cancel; everything else about a job is written by the worker (service role).
create or replace function private.jobs_guard() returns trigger
language plpgsql set search_path = '' as $$
begin
  if current_user = 'authenticated' and (
       new.status <> 'canceled' or old.status not in ('queued', 'running')
       or (to_jsonb(new) - array['status', 'updated_at', 'finished_at']) <> (to_jsonb(old) - array['status', 'updated_at', 'finished_at'])
     ) then
    raise exception 'jobs can only be canceled while queued or running' using errcode = 'FC004';
  end if;
  if new.status = 'canceled' and old.status <> 'canceled' then
    new.finished_at := coalesce(new.finished_at, now());
  end if;
  return new;
end
$$;
create trigger jobs_guard before update on public.jobs
for each row execute function private.jobs_guard();

create policy "Members see their workspace's jobs" on public.jobs
  for select to authenticated using (private.is_member(workspace_id));
create policy "Admins and engineers start jobs" on public.jobs
  for insert to authenticated
  with check (
    private.has_role(workspace_id, '{admin,engineer}') and created_by = (select auth.uid())
    -- a job starts queued; its progress and outcome are the worker's to write
    and status = 'queued' and attempts = 0 and started_at is null and finished_at is null
    and result is null and error is null
    -- about a part of the same workspace (the foreign key alone would accept any part)
    and (part_id is null
         or exists (select 1 from public.parts p where p.id = part_id and p.workspace_id = jobs.workspace_id))
  );
create policy "Admins and engineers cancel jobs" on public.jobs
  for update to authenticated
  using (private.has_role(workspace_id, '{admin,engineer}'))
  with check (private.has_role(workspace_id, '{admin,engineer}'));
create policy "Admins delete job records" on public.jobs
  for delete to authenticated using (private.has_role(workspace_id, '{admin}'));

-- Worker liveness, read by /api/health. Not exposed to users.
create table private.worker_heartbeats (
  worker_id text primary key,
  hostname text not null,
  pid integer not null,
  runner text not null,
  version text,
  started_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now()
);
alter table private.worker_heartbeats enable row level security;
grant select, insert, update, delete on private.worker_heartbeats to service_role;
