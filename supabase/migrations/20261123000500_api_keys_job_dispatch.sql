-- API keys for the CLI and programmatic clients, and dispatch of queued jobs to graphile-worker.

create table public.api_keys (
  id uuid primary key default gen_random_uuid(),
  -- null: a personal key (`facet login`) acting in every workspace of its owner
  workspace_id uuid references public.workspaces (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  name text not null check (char_length(name) between 1 and 100 and name !~ '[[:cntrl:]]'),
  prefix text not null check (prefix ~ '^[A-Za-z0-9_-]{8}$'),
  key_hash text not null unique check (key_hash ~ '^[0-9a-f]{64}$'),
  scopes text[] not null check (
    cardinality(scopes) > 0 and scopes <@ array['read', 'ingest', 'label', 'review', 'curate', 'admin']::text[]
  ),
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  expires_at timestamptz,
  revoked_at timestamptz
);
alter table public.api_keys enable row level security;
create index api_keys_user_idx on public.api_keys (user_id);
create index api_keys_workspace_idx on public.api_keys (workspace_id) where workspace_id is not null;

-- Only revocation (and the service's last-used stamp) ever changes a key.
create or replace function private.api_keys_guard() returns trigger
language plpgsql set search_path = '' as $$
begin
  if current_user = 'authenticated' and (
       (to_jsonb(new) - 'revoked_at') <> (to_jsonb(old) - 'revoked_at') or old.revoked_at is not null
     ) then
    raise exception 'API keys can only be revoked' using errcode = 'FC005';
  end if;
  return new;
end
$$;
create trigger api_keys_guard before update on public.api_keys
for each row execute function private.api_keys_guard();
create trigger api_keys_audit after insert or update of revoked_at or delete on public.api_keys
for each row execute function private.audit_row_change('api_key', 'key_hash');

create policy "Owners and workspace admins see keys" on public.api_keys
  for select to authenticated
  using (user_id = (select auth.uid()) or private.has_role(workspace_id, '{admin}'));
create policy "People create their own keys; workspace keys need an admin" on public.api_keys
  for insert to authenticated
  with check (
    user_id = (select auth.uid()) and revoked_at is null and last_used_at is null
    and (workspace_id is null or private.has_role(workspace_id, '{admin}'))
  );
create policy "Owners and workspace admins revoke keys" on public.api_keys
  for update to authenticated
  using (user_id = (select auth.uid()) or private.has_role(workspace_id, '{admin}'))
  with check (user_id = (select auth.uid()) or private.has_role(workspace_id, '{admin}'));
create policy "Owners and workspace admins delete keys" on public.api_keys
  for delete to authenticated
  using (user_id = (select auth.uid()) or private.has_role(workspace_id, '{admin}'));

-- A queued job row is handed to graphile-worker in the same transaction, when its queue exists
-- (embedded default and self-hosting). Deployed with Trigger.dev, there is no graphile_worker schema
-- and the dispatcher there reads queued rows instead.
create or replace function private.dispatch_job() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if to_regprocedure('graphile_worker.add_job(text, json, text, timestamp with time zone, integer, text, integer, text[], text)') is not null then
    execute 'select graphile_worker.add_job($1, $2, job_key => $3, max_attempts => $4)'
      using new.kind, json_build_object('jobId', new.id), new.id::text, new.max_attempts;
  end if;
  return null;
end
$$;
create trigger jobs_dispatch after insert on public.jobs
for each row when (new.status = 'queued') execute function private.dispatch_job();
