-- Tenancy and abuse limits (security review of 2026-12-04).
--
-- 1. Workspace scope. A request made under /api/workspaces/<ws>/… (setting facet.workspace_id, set by
--    the API per transaction) or with an API key bound to a workspace (claim facet_workspace_id) acts
--    in that workspace only: every membership helper, and so every policy and every function that
--    checks roles through them, answers "no" for any other workspace, whatever else the caller
--    belongs to. A scope can only narrow what a caller may do.
-- 2. API keys made with an API key: within its binding, a subset of its scopes, no longer-lived, and
--    revoked with it (parent_id).
-- 3. Content possession: a workspace links stored content only when it has proven it holds the bytes
--    (workspace_blobs, written by the server after verifying an upload to the workspace). Parts
--    refer only to content their workspace holds; users no longer record blobs themselves.
-- 4. Rate limits counted here, so every web process shares them (GCRA: one timestamp per key).
-- 5. Parts held at once per annotator, per dataset (datasets.max_held_parts); leases of one hour at most.
-- 6. Workspace slugs: a free one is chosen instead of a conflict that tells another workspace exists.
-- 7. Live streams: membership changes are notified (streams re-check access) and open streams are
--    counted per user (a cap shared by every web process).
-- 8. record_audit_event: only the events the API records for users, never a part's history.
-- New SQLSTATE: FC011 too many parts held.

-- 1. Workspace scope -------------------------------------------------------------------------------

create or replace function private.in_scope(ws uuid) returns boolean
language sql stable set search_path = '' as $$
  select (s.request is null or ws = s.request) and (s.key is null or ws = s.key)
  from (select nullif(current_setting('facet.workspace_id', true), '')::uuid as request,
               nullif((select auth.jwt()) ->> 'facet_workspace_id', '')::uuid as key) s
$$;

-- Whether the request is confined to a workspace at all (a bound key, or a workspace route).
create or replace function private.is_scoped() returns boolean
language sql stable set search_path = '' as $$
  select nullif(current_setting('facet.workspace_id', true), '') is not null
      or nullif((select auth.jwt()) ->> 'facet_workspace_id', '') is not null
$$;

create or replace function private.member_role(ws uuid) returns public.member_role
language sql stable security definer set search_path = '' as $$
  select m.role from public.workspace_members m
  where m.workspace_id = ws and m.user_id = (select auth.uid()) and private.in_scope(ws)
$$;

create or replace function private.is_member(ws uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (
    select 1 from public.workspace_members m
    where m.workspace_id = ws and m.user_id = (select auth.uid()) and private.in_scope(ws)
  )
$$;

create or replace function private.has_role(ws uuid, roles public.member_role[]) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (
    select 1 from public.workspace_members m
    where m.workspace_id = ws and m.user_id = (select auth.uid()) and m.role = any (roles)
      and private.in_scope(ws)
  )
$$;

create or replace function private.has_role_anywhere(roles public.member_role[]) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (
    select 1 from public.workspace_members m
    where m.user_id = (select auth.uid()) and m.role = any (roles) and private.in_scope(m.workspace_id)
  )
$$;

create or replace function private.shares_workspace(other uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (
    select 1 from public.workspace_members a
    join public.workspace_members b on b.workspace_id = a.workspace_id
    where a.user_id = (select auth.uid()) and b.user_id = other and private.in_scope(a.workspace_id)
  )
$$;

grant execute on function private.in_scope(uuid), private.is_scoped() to authenticated, service_role;

-- The functions that decide on a part by its holder rather than through the helpers above.
create or replace function public.renew_claim(p_part_id uuid, p_lease_seconds integer default 900)
returns timestamptz
language plpgsql security definer set search_path = '' as $$
declare
  v_expires timestamptz;
begin
  if p_lease_seconds not between 30 and 3600 then
    raise exception 'lease must be between 30 seconds and one hour' using errcode = '22023';
  end if;
  update public.parts set lease_expires_at = now() + make_interval(secs => p_lease_seconds)
  where id = p_part_id and status = 'in_progress' and annotator_id = (select auth.uid())
    and (lease_expires_at is not null or returned_at is not null)
    and private.in_scope(workspace_id)
  returning lease_expires_at into v_expires;
  if v_expires is null then
    raise exception 'you do not hold this part any more' using errcode = 'FC006';
  end if;
  return v_expires;
end
$$;

create or replace function public.release_part(p_part_id uuid) returns public.parts
language plpgsql security definer set search_path = '' as $$
declare
  v_part public.parts;
begin
  update public.parts set status = coalesce(claimed_from, 'unannotated')
  where id = p_part_id and status = 'in_progress' and private.in_scope(workspace_id)
    and ((annotator_id = (select auth.uid()) and private.is_member(workspace_id))
         or private.has_role(workspace_id, '{admin}'))
  returning * into v_part;
  if v_part.id is null then
    raise exception 'you do not hold this part' using errcode = 'FC006';
  end if;
  return v_part;
end
$$;

-- Accepting an invitation joins a workspace: never from a request confined to another one.
create or replace function public.accept_invitation(p_token_hash text)
returns table (workspace_id uuid, role public.member_role, already_member boolean)
language plpgsql security definer set search_path = '' as $$
declare
  v_uid uuid := (select auth.uid());
  v_email text := lower((select auth.email()));
  v_inv public.invitations;
  v_existing public.member_role;
begin
  if v_uid is null then
    raise exception 'sign in to accept an invitation' using errcode = '42501';
  end if;
  if private.is_scoped() then
    raise exception 'invitations are accepted by a signed-in person, not by a workspace''s API key'
      using errcode = '42501';
  end if;
  select * into v_inv from public.invitations i where i.token_hash = p_token_hash for update;
  if not found or v_inv.revoked_at is not null or v_inv.expires_at <= now() or v_inv.use_count >= v_inv.max_uses then
    raise exception 'this invitation link is not valid any more (revoked, expired or used)'
      using errcode = 'FC007';
  end if;
  if v_inv.email is not null and v_inv.email is distinct from v_email then
    raise exception 'this invitation is for another email address' using errcode = '42501';
  end if;
  select m.role into v_existing from public.workspace_members m
  where m.workspace_id = v_inv.workspace_id and m.user_id = v_uid;
  if found then
    return query select v_inv.workspace_id, v_existing, true;
    return;
  end if;
  insert into public.workspace_members (workspace_id, user_id, role, invited_by)
  values (v_inv.workspace_id, v_uid, v_inv.role, v_inv.created_by);
  update public.invitations set use_count = use_count + 1 where id = v_inv.id;
  return query select v_inv.workspace_id, v_inv.role, false;
end
$$;

-- 6. Workspace creation picks a free slug (the caller cannot see other workspaces, so it cannot).
create or replace function public.create_workspace(p_name text, p_slug text, p_taxonomy jsonb)
returns public.workspaces
language plpgsql security definer set search_path = '' as $$
declare
  v_uid uuid := (select auth.uid());
  v_ws public.workspaces;
  v_slug text := p_slug;
  v_n integer := 1;
begin
  if v_uid is null then
    raise exception 'sign in to create a workspace' using errcode = '42501';
  end if;
  if private.is_scoped() then
    raise exception 'an API key bound to a workspace cannot create workspaces' using errcode = '42501';
  end if;
  -- serialise creations of the same base slug; then take the first free "-n" suffix
  perform pg_advisory_xact_lock(hashtext('facet.workspace_slug:' || p_slug));
  while exists (select 1 from public.workspaces w where w.slug = v_slug) loop
    v_n := v_n + 1;
    v_slug := left(p_slug, 48 - char_length(v_n::text) - 1);
    v_slug := regexp_replace(v_slug, '-+$', '') || '-' || v_n;
  end loop;
  insert into public.workspaces (name, slug, created_by) values (p_name, v_slug, v_uid) returning * into v_ws;
  insert into public.workspace_members (workspace_id, user_id, role) values (v_ws.id, v_uid, 'admin');
  insert into public.label_schemas (workspace_id, name, version, taxonomy, is_default, created_by)
  values (v_ws.id, 'Default', 1, p_taxonomy, true, v_uid);
  perform private.audit(v_ws.id, 'workspace.created', 'workspaces', v_ws.id::text,
                        jsonb_build_object('name', p_name, 'slug', v_slug));
  return v_ws;
end
$$;

-- 8. Events users may record themselves: sign-in and upload outcomes, and a submission in the
-- transaction that made it. Everything else is written by triggers, so a member cannot write a
-- part's history (part_history reads events by target or data.part_id).
create or replace function public.record_audit_event(
  p_workspace_id uuid, p_action text, p_target_table text default null, p_target_id text default null,
  p_data jsonb default '{}'::jsonb
) returns void
language plpgsql security definer set search_path = '' as $$
begin
  if (select auth.uid()) is null then
    raise exception 'sign in to record events' using errcode = '42501';
  end if;
  if p_workspace_id is not null and not private.is_member(p_workspace_id) then
    raise exception 'not a member of this workspace' using errcode = '42501';
  end if;
  if p_action in ('auth.signed_in', 'auth.signed_out', 'auth.signed_out_everywhere') then
    if p_workspace_id is not null or p_target_table is not null then
      raise exception 'sign-in events belong to no workspace' using errcode = '42501';
    end if;
  elsif p_action in ('upload.rejected', 'upload.skipped', 'upload.completed') then
    if p_target_table is distinct from 'datasets' or not exists (
      select 1 from public.datasets d where d.id::text = p_target_id and d.workspace_id = p_workspace_id
    ) then
      raise exception 'upload events are about a dataset of the workspace' using errcode = '42501';
    end if;
  elsif p_action = 'part.submitted' then
    if p_target_table is distinct from 'parts' or not exists (
      select 1 from public.parts p
      where p.id::text = p_target_id and p.workspace_id = p_workspace_id and p.status_changed_at = now()
    ) then
      raise exception 'a submission is recorded with the status change that makes it' using errcode = '42501';
    end if;
  else
    raise exception 'the event % is written by the database itself', p_action using errcode = '42501';
  end if;
  if p_action <> 'part.submitted' and coalesce(p_data, '{}'::jsonb) ? 'part_id' then
    raise exception 'only the database writes events about parts' using errcode = '42501';
  end if;
  perform private.audit(p_workspace_id, p_action, p_target_table, p_target_id, p_data);
end
$$;

-- 2. API keys made with API keys ------------------------------------------------------------------

alter table public.api_keys add column parent_id uuid references public.api_keys (id) on delete cascade;
create index api_keys_parent_idx on public.api_keys (parent_id) where parent_id is not null;

-- Security invoker: the parent key is the caller's own (RLS shows it to them).
create or replace function private.api_keys_mint_guard() returns trigger
language plpgsql set search_path = '' as $$
declare
  v_parent_id uuid := nullif((select auth.jwt()) ->> 'api_key_id', '')::uuid;
  v_parent public.api_keys;
begin
  if v_parent_id is null then
    if current_user = 'authenticated' then
      new.parent_id := null; -- only a key's own request names it as parent
    end if;
    return new;
  end if;
  select * into v_parent from public.api_keys k
  where k.id = v_parent_id and k.user_id = new.user_id and k.revoked_at is null
    and (k.expires_at is null or k.expires_at > now());
  if v_parent.id is null then
    raise exception 'the API key making this request is not valid any more' using errcode = '42501';
  end if;
  if v_parent.workspace_id is not null and new.workspace_id is distinct from v_parent.workspace_id then
    raise exception 'a key bound to a workspace only creates keys bound to the same workspace'
      using errcode = '42501';
  end if;
  if not (new.scopes <@ v_parent.scopes) then
    raise exception 'a key only creates keys with some of its own scopes (%)', array_to_string(v_parent.scopes, ', ')
      using errcode = '42501';
  end if;
  if v_parent.expires_at is not null and (new.expires_at is null or new.expires_at > v_parent.expires_at) then
    new.expires_at := v_parent.expires_at; -- never outlives the key that made it
  end if;
  new.parent_id := v_parent.id;
  return new;
end
$$;
create trigger api_keys_mint_guard before insert on public.api_keys
for each row execute function private.api_keys_mint_guard();

-- Revoking a key revokes the keys it made (and theirs).
create or replace function private.api_keys_revoke_children() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  update public.api_keys set revoked_at = new.revoked_at
  where parent_id = new.id and revoked_at is null;
  return null;
end
$$;
create trigger api_keys_revoke_children after update of revoked_at on public.api_keys
for each row when (new.revoked_at is not null and old.revoked_at is null)
execute function private.api_keys_revoke_children();

-- Keys are revoked, never edited: parent_id joins the columns that never change.
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

-- 3. Content possession ---------------------------------------------------------------------------

create table public.workspace_blobs (
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  sha256 text not null references public.blobs (sha256) on delete cascade,
  proven_at timestamptz not null default now(),
  proven_by uuid references auth.users (id) on delete set null,
  primary key (workspace_id, sha256)
);
alter table public.workspace_blobs enable row level security;
create index workspace_blobs_sha_idx on public.workspace_blobs (sha256);
create policy "Members see the content their workspace holds" on public.workspace_blobs
  for select to authenticated using (private.is_member(workspace_id));
-- written by the server only, after it verified bytes uploaded for the workspace

insert into public.workspace_blobs (workspace_id, sha256, proven_at, proven_by)
select distinct on (p.workspace_id, p.blob_sha256) p.workspace_id, p.blob_sha256, p.created_at, p.created_by
from public.parts p
order by p.workspace_id, p.blob_sha256, p.created_at
on conflict do nothing;

drop policy "Uploaders record new blobs" on public.blobs;
drop policy "Admins and engineers add parts" on public.parts;
create policy "Admins and engineers add parts of content their workspace holds" on public.parts
  for insert to authenticated
  with check (
    private.has_role(workspace_id, '{admin,engineer}') and created_by = (select auth.uid())
    and exists (select 1 from public.workspace_blobs wb
                where wb.workspace_id = parts.workspace_id and wb.sha256 = parts.blob_sha256)
  );

-- 4. Rate limits ----------------------------------------------------------------------------------
-- Generic cell rate algorithm: `tat` is when the key's bucket would be empty again. A hit of cost c
-- moves it c * period/limit later; it is refused when that would be more than `period` ahead.

create table private.rate_limits (
  bucket text not null check (char_length(bucket) between 1 and 64),
  key text not null check (char_length(key) between 1 and 128),
  tat timestamptz not null,
  primary key (bucket, key)
);
alter table private.rate_limits enable row level security;
-- no policies: the web server (as the database owner or service) is the only reader and writer

-- Take `p_cost` from the bucket; 0 when allowed, else the seconds to wait (nothing is taken then).
-- A negative cost gives hits back (a successful sign-in returns what its attempt took).
create or replace function private.rate_limit_take(
  p_bucket text, p_key text, p_limit integer, p_period_seconds double precision, p_cost integer default 1
) returns double precision
language plpgsql security definer set search_path = '' as $$
declare
  v_now timestamptz := clock_timestamp();
  v_period interval := make_interval(secs => p_period_seconds);
  v_step interval := make_interval(secs => p_period_seconds / p_limit);
  v_tat timestamptz;
  v_next timestamptz;
begin
  if p_limit < 1 or p_period_seconds <= 0 then
    raise exception 'a rate limit needs a positive limit and period' using errcode = '22023';
  end if;
  if p_cost < 0 then
    update private.rate_limits set tat = greatest(tat + v_step * p_cost, v_now)
    where bucket = p_bucket and key = p_key;
    return 0;
  end if;
  insert into private.rate_limits as r (bucket, key, tat) values (p_bucket, p_key, v_now)
  on conflict (bucket, key) do update set tat = r.tat
  returning r.tat into v_tat;
  v_next := greatest(v_tat, v_now) + v_step * p_cost;
  if v_next - v_now > v_period then
    return greatest(extract(epoch from (v_next - v_now - v_period)), 0.001);
  end if;
  update private.rate_limits set tat = v_next where bucket = p_bucket and key = p_key;
  return 0;
end
$$;

-- Rows whose bucket is empty again say nothing: the worker removes them every minute.
create or replace function private.rate_limits_prune() returns integer
language sql security definer set search_path = '' as $$
  with gone as (delete from private.rate_limits where tat < clock_timestamp() returning 1)
  select count(*)::integer from gone
$$;

revoke all on function private.rate_limit_take(text, text, integer, double precision, integer) from public, anon, authenticated;
revoke all on function private.rate_limits_prune() from public, anon, authenticated;
grant execute on function private.rate_limit_take(text, text, integer, double precision, integer) to service_role;
grant execute on function private.rate_limits_prune() to service_role;

-- 5. Parts held at once ---------------------------------------------------------------------------

alter table public.datasets add column max_held_parts integer not null default 3
  check (max_held_parts between 1 and 100);

create or replace function public.claim_next_part(
  p_workspace_id uuid, p_dataset_id uuid default null, p_lease_seconds integer default 900
) returns setof public.parts
language plpgsql security definer set search_path = '' as $$
declare
  v_uid uuid := (select auth.uid());
  v_part public.parts;
  v_previous uuid;
  v_full uuid[];
  v_full_name text;
  v_full_max integer;
begin
  if v_uid is null or not private.has_role(p_workspace_id, '{admin,engineer,annotator}') then
    raise exception 'only annotators, engineers and admins of this workspace claim parts' using errcode = '42501';
  end if;
  if p_lease_seconds not between 30 and 3600 then
    raise exception 'lease must be between 30 seconds and one hour' using errcode = '22023';
  end if;
  -- the datasets where the caller holds as many parts as the dataset allows (claimed, or returned to them)
  select coalesce(array_agg(f.dataset_id), '{}') into v_full
  from (
    select h.dataset_id from public.parts h join public.datasets d on d.id = h.dataset_id
    where h.workspace_id = p_workspace_id and h.annotator_id = v_uid and h.status = 'in_progress'
      and (h.returned_at is not null or h.lease_expires_at >= now())
    group by h.dataset_id, d.max_held_parts
    having count(*) >= d.max_held_parts
  ) f;
  select * into v_part from public.parts p
  where p.workspace_id = p_workspace_id
    and (p_dataset_id is null or p.dataset_id = p_dataset_id)
    and p.dataset_id <> all (v_full)
    and (p.status in ('pre_labeled', 'unannotated')
         or (p.status = 'in_progress' and p.returned_at is null
             and p.lease_expires_at is not null and p.lease_expires_at < now()))
    and not exists (select 1 from public.independent_annotations i
                    join public.part_geometry g on g.id = p.geometry_id
                    where i.part_id = p.id and i.annotator_id = v_uid and i.face_signature = g.face_signature)
  order by p.queue_priority, p.created_at, p.id
  limit 1
  for update skip locked;
  if not found then
    -- nothing served: say so when it is the limit, not an empty queue
    select d.name, d.max_held_parts into v_full_name, v_full_max
    from public.datasets d
    where d.id = any (v_full) and (p_dataset_id is null or d.id = p_dataset_id)
      and exists (select 1 from public.parts w where w.dataset_id = d.id and w.status in ('pre_labeled', 'unannotated'))
    order by d.name
    limit 1;
    if v_full_name is not null then
      raise exception 'you already hold % parts of %: submit or release one before claiming another',
        v_full_max, v_full_name using errcode = 'FC011';
    end if;
    return;
  end if;
  v_previous := v_part.annotator_id;
  update public.parts set
    status = 'in_progress',
    annotator_id = v_uid,
    claimed_at = now(),
    lease_expires_at = now() + make_interval(secs => p_lease_seconds),
    claimed_from = case when v_part.status = 'in_progress' then coalesce(v_part.claimed_from, 'unannotated') else v_part.status end
  where id = v_part.id
  returning * into v_part;
  perform private.audit(v_part.workspace_id, 'part.claimed', 'parts', v_part.id::text,
    jsonb_build_object('lease_expires_at', v_part.lease_expires_at, 'expired_claim_of', v_previous));
  return next v_part;
end
$$;

-- 7. Live streams ---------------------------------------------------------------------------------

-- A member removed or whose role changed: open streams of that user re-check their access at once.
create or replace function private.notify_access_change() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  perform pg_notify('facet_events', jsonb_build_object(
    'kind', 'access', 'workspace_id', coalesce(new.workspace_id, old.workspace_id),
    'user_id', coalesce(new.user_id, old.user_id))::text);
  return null;
end
$$;
create trigger workspace_members_notify_access after update of role or delete on public.workspace_members
for each row execute function private.notify_access_change();

-- Open event streams, one row each, touched by their heartbeat; counted per user for the cap.
create table private.event_streams (
  id uuid primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  opened_at timestamptz not null default now(),
  seen_at timestamptz not null default now()
);
alter table private.event_streams enable row level security;
create index event_streams_user_idx on private.event_streams (user_id, seen_at);

-- Open a stream unless the user has `p_cap` live ones already (seen within `p_live_seconds`).
create or replace function private.open_event_stream(
  p_id uuid, p_user_id uuid, p_cap integer, p_live_seconds integer
) returns boolean
language plpgsql security definer set search_path = '' as $$
begin
  perform pg_advisory_xact_lock(hashtext('facet.event_streams:' || p_user_id::text));
  delete from private.event_streams
  where user_id = p_user_id and seen_at < now() - make_interval(secs => p_live_seconds);
  if (select count(*) from private.event_streams where user_id = p_user_id) >= p_cap then
    return false;
  end if;
  insert into private.event_streams (id, user_id) values (p_id, p_user_id);
  return true;
end
$$;
revoke all on function private.open_event_stream(uuid, uuid, integer, integer) from public, anon, authenticated;
grant execute on function private.open_event_stream(uuid, uuid, integer, integer) to service_role;

-- The heartbeat keeps a stream counted; false when the row is gone (pruned as stale).
create or replace function private.touch_event_stream(p_id uuid) returns boolean
language sql security definer set search_path = '' as $$
  with touched as (update private.event_streams set seen_at = now() where id = p_id returning 1)
  select exists (select 1 from touched)
$$;

create or replace function private.close_event_stream(p_id uuid) returns void
language sql security definer set search_path = '' as $$
  delete from private.event_streams where id = p_id
$$;
-- Streams whose server died without closing them (the worker's housekeeping; opening one also
-- forgets its user's stale ones).
create or replace function private.event_streams_prune(p_live_seconds integer) returns integer
language sql security definer set search_path = '' as $$
  with gone as (
    delete from private.event_streams where seen_at < now() - make_interval(secs => p_live_seconds) returning 1
  )
  select count(*)::integer from gone
$$;
revoke all on function private.touch_event_stream(uuid), private.close_event_stream(uuid),
  private.event_streams_prune(integer) from public, anon, authenticated;
grant execute on function private.touch_event_stream(uuid), private.close_event_stream(uuid),
  private.event_streams_prune(integer) to service_role;

-- A key bound to a workspace sees, revokes and deletes only keys bound to that workspace (its
-- owner's personal keys and keys of other workspaces are out of its reach).
drop policy "Owners and workspace admins see keys" on public.api_keys;
drop policy "Owners and workspace admins revoke keys" on public.api_keys;
drop policy "Owners and workspace admins delete keys" on public.api_keys;
create policy "Owners and workspace admins see keys" on public.api_keys
  for select to authenticated
  using ((user_id = (select auth.uid()) and coalesce(private.in_scope(workspace_id), false))
         or private.has_role(workspace_id, '{admin}'));
create policy "Owners and workspace admins revoke keys" on public.api_keys
  for update to authenticated
  using ((user_id = (select auth.uid()) and coalesce(private.in_scope(workspace_id), false))
         or private.has_role(workspace_id, '{admin}'))
  with check ((user_id = (select auth.uid()) and coalesce(private.in_scope(workspace_id), false))
              or private.has_role(workspace_id, '{admin}'));
create policy "Owners and workspace admins delete keys" on public.api_keys
  for delete to authenticated
  using ((user_id = (select auth.uid()) and coalesce(private.in_scope(workspace_id), false))
         or private.has_role(workspace_id, '{admin}'));
