-- Workspaces, members and roles, invitations, profiles, and the append-only audit log.
-- Conventions: RLS is enabled in the migration that creates a table; one policy per operation,
-- named as a sentence, "to authenticated"; policies call (select auth.uid()) through the helpers in
-- the private schema (security definer, so policies on workspace_members do not recurse).
-- Custom SQLSTATEs raised by Facet: FC001 illegal status transition, FC002 last admin,
-- FC003 append-only table, FC004 role rule, FC005 immutable column, FC006 claim not held.

create schema if not exists private;
grant usage on schema private to authenticated, service_role;

create type public.member_role as enum ('admin', 'engineer', 'annotator', 'ml_engineer', 'viewer');

create or replace function private.touch_updated_at() returns trigger
language plpgsql set search_path = '' as $$
begin
  new.updated_at := now();
  return new;
end
$$;

-- profiles: what co-members may see of each other (auth.users itself is not readable by users)
create table public.profiles (
  user_id uuid primary key references auth.users (id) on delete cascade,
  email text not null,
  display_name text,
  created_at timestamptz not null default now()
);
alter table public.profiles enable row level security;

create or replace function private.sync_profile() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  insert into public.profiles (user_id, email, display_name)
  values (new.id, coalesce(new.email, ''), nullif(new.raw_user_meta_data ->> 'display_name', ''))
  on conflict (user_id) do update
    set email = excluded.email,
        display_name = coalesce(excluded.display_name, public.profiles.display_name);
  return new;
end
$$;

create trigger on_auth_user_saved
after insert or update of email, raw_user_meta_data on auth.users
for each row execute function private.sync_profile();

-- workspaces
create table public.workspaces (
  id uuid primary key default gen_random_uuid(),
  name text not null check (char_length(name) between 1 and 80),
  slug text not null unique check (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$'),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
alter table public.workspaces enable row level security;
create trigger workspaces_touch before update on public.workspaces
for each row execute function private.touch_updated_at();

create table public.workspace_members (
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role public.member_role not null,
  invited_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (workspace_id, user_id)
);
alter table public.workspace_members enable row level security;
create index workspace_members_user_id_idx on public.workspace_members (user_id);
create trigger workspace_members_touch before update on public.workspace_members
for each row execute function private.touch_updated_at();

-- Role helpers used by every policy. Security definer: they read workspace_members without RLS.
create or replace function private.member_role(ws uuid) returns public.member_role
language sql stable security definer set search_path = '' as $$
  select m.role from public.workspace_members m
  where m.workspace_id = ws and m.user_id = (select auth.uid())
$$;

create or replace function private.is_member(ws uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (
    select 1 from public.workspace_members m
    where m.workspace_id = ws and m.user_id = (select auth.uid())
  )
$$;

create or replace function private.has_role(ws uuid, roles public.member_role[]) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (
    select 1 from public.workspace_members m
    where m.workspace_id = ws and m.user_id = (select auth.uid()) and m.role = any (roles)
  )
$$;

create or replace function private.has_role_anywhere(roles public.member_role[]) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (
    select 1 from public.workspace_members m
    where m.user_id = (select auth.uid()) and m.role = any (roles)
  )
$$;

create or replace function private.shares_workspace(other uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (
    select 1 from public.workspace_members a
    join public.workspace_members b on b.workspace_id = a.workspace_id
    where a.user_id = (select auth.uid()) and b.user_id = other
  )
$$;

grant execute on all functions in schema private to authenticated, service_role;

-- invitations: a link that grants a role in a workspace; only the token's SHA-256 is stored
create table public.invitations (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  role public.member_role not null,
  email text check (email is null or email = lower(email)),
  token_hash text not null unique check (token_hash ~ '^[0-9a-f]{64}$'),
  max_uses integer not null default 1 check (max_uses between 1 and 1000),
  use_count integer not null default 0 check (use_count >= 0),
  expires_at timestamptz not null,
  revoked_at timestamptz,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now()
);
alter table public.invitations enable row level security;
create index invitations_workspace_id_idx on public.invitations (workspace_id);

-- audit_events: append-only; no foreign keys so history outlives what it talks about
create table public.audit_events (
  id bigint generated always as identity primary key,
  workspace_id uuid,
  actor_id uuid,
  actor_kind text not null check (actor_kind in ('user', 'api_key', 'service', 'system')),
  action text not null check (action ~ '^[a-z_]+(\.[a-z_]+)+$'),
  target_table text,
  target_id text,
  data jsonb not null default '{}'::jsonb,
  ip inet,
  user_agent text,
  created_at timestamptz not null default now()
);
alter table public.audit_events enable row level security;
create index audit_events_workspace_created_idx on public.audit_events (workspace_id, created_at desc);
create index audit_events_target_idx on public.audit_events (target_table, target_id);

create or replace function private.refuse_change() returns trigger
language plpgsql set search_path = '' as $$
begin
  raise exception '% is append-only: % refused', tg_table_name, lower(tg_op)
    using errcode = 'FC003', hint = 'write a new row instead';
end
$$;

create trigger audit_events_append_only before update or delete on public.audit_events
for each row execute function private.refuse_change();
create trigger audit_events_no_truncate before truncate on public.audit_events
for each statement execute function private.refuse_change();

-- Who acts: the API sets facet.actor_kind / facet.client_ip / facet.user_agent per transaction.
create or replace function private.audit(
  p_workspace_id uuid, p_action text, p_target_table text, p_target_id text, p_data jsonb
) returns void
language plpgsql security definer set search_path = '' as $$
declare
  v_uid uuid := (select auth.uid());
  v_kind text := nullif(current_setting('facet.actor_kind', true), '');
  v_ip text := nullif(current_setting('facet.client_ip', true), '');
begin
  insert into public.audit_events (workspace_id, actor_id, actor_kind, action, target_table, target_id, data, ip, user_agent)
  values (
    p_workspace_id, v_uid,
    coalesce(v_kind, case when v_uid is null then 'service' else 'user' end),
    p_action, p_target_table, p_target_id, coalesce(p_data, '{}'::jsonb),
    case when v_ip is null then null else v_ip::inet end,
    left(nullif(current_setting('facet.user_agent', true), ''), 500)
  );
end
$$;
revoke all on function private.audit(uuid, text, text, text, jsonb) from public, authenticated;

-- Row-change audit for tables that carry workspace_id. TG_ARGV[0] is the action prefix,
-- TG_ARGV[1] (optional) a comma-separated list of columns never to copy into the log.
create or replace function private.audit_row_change() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  v_old jsonb := case when tg_op in ('UPDATE', 'DELETE') then to_jsonb(old) end;
  v_new jsonb := case when tg_op in ('INSERT', 'UPDATE') then to_jsonb(new) end;
  v_hidden text[] := case when tg_nargs > 1 then string_to_array(tg_argv[1], ',') else '{}'::text[] end;
  v_row jsonb := coalesce(v_new, v_old);
  v_changed jsonb := '{}'::jsonb;
  k text;
begin
  if tg_op = 'UPDATE' then
    for k in select jsonb_object_keys(v_new) loop
      if k <> all (v_hidden) and k <> 'updated_at' and (v_old -> k) is distinct from (v_new -> k) then
        v_changed := v_changed || jsonb_build_object(k, jsonb_build_object('from', v_old -> k, 'to', v_new -> k));
      end if;
    end loop;
    if v_changed = '{}'::jsonb then
      return null;
    end if;
  end if;
  perform private.audit(
    coalesce(v_row ->> 'workspace_id', case when tg_table_name = 'workspaces' then v_row ->> 'id' end)::uuid,
    tg_argv[0] || '.' || case tg_op when 'INSERT' then 'created' when 'UPDATE' then 'updated' else 'deleted' end,
    tg_table_name,
    coalesce(v_row ->> 'id', v_row ->> 'user_id'),
    case when tg_op = 'UPDATE' then jsonb_build_object('changed', v_changed)
         else jsonb_build_object('row', v_row - v_hidden) end
  );
  return null;
end
$$;

-- workspaces are created by create_workspace(), which records 'workspace.created' itself
create trigger workspaces_audit after update or delete on public.workspaces
for each row execute function private.audit_row_change('workspace');
create trigger workspace_members_audit after insert or update or delete on public.workspace_members
for each row execute function private.audit_row_change('member');
create trigger invitations_audit after insert or update or delete on public.invitations
for each row execute function private.audit_row_change('invitation', 'token_hash');

-- The last admin of a workspace can be neither removed nor demoted.
create or replace function private.keep_an_admin() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if old.role <> 'admin' or (tg_op = 'UPDATE' and new.role = 'admin') then
    return coalesce(new, old);
  end if;
  -- Lock the workspace row so that removals of admins are serialised per workspace: two admins
  -- demoting each other at the same time must not both succeed (each would still see the other).
  -- Removing members because the workspace itself is being deleted is fine (the row is gone).
  perform 1 from public.workspaces w where w.id = old.workspace_id for no key update;
  if not found then
    return coalesce(new, old);
  end if;
  if not exists (
    select 1 from public.workspace_members m
    where m.workspace_id = old.workspace_id and m.role = 'admin' and m.user_id <> old.user_id
  ) then
    raise exception 'a workspace needs at least one admin: make another member admin first'
      using errcode = 'FC002';
  end if;
  return coalesce(new, old);
end
$$;

create trigger workspace_members_keep_admin before update of role or delete on public.workspace_members
for each row execute function private.keep_an_admin();

-- A membership is one user in one workspace: only its role changes. (Moving the row to another
-- workspace would remove a member, possibly the last admin, without the checks above.)
create or replace function private.membership_identity_immutable() returns trigger
language plpgsql set search_path = '' as $$
begin
  if new.workspace_id <> old.workspace_id or new.user_id <> old.user_id then
    raise exception 'a membership cannot move to another workspace or user: remove it and add a new one'
      using errcode = 'FC005';
  end if;
  return new;
end
$$;
create trigger workspace_members_identity before update of workspace_id, user_id on public.workspace_members
for each row execute function private.membership_identity_immutable();

-- Policies -----------------------------------------------------------------------------------

create policy "Users see their own profile and those of co-members" on public.profiles
  for select to authenticated
  using (user_id = (select auth.uid()) or private.shares_workspace(user_id));
create policy "Users update their own profile" on public.profiles
  for update to authenticated
  using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
-- ... and only their display name: the email follows the account (sync_profile) and is what
-- co-members identify them by, so a user must not be able to show another address.
revoke update on public.profiles from anon, authenticated;
grant update (display_name) on public.profiles to authenticated;
-- profiles are created and deleted with auth.users, never by users directly

create policy "Members see their workspaces" on public.workspaces
  for select to authenticated using (private.is_member(id));
-- workspaces are created with public.create_workspace(), which makes the creator admin
create policy "Admins rename their workspace" on public.workspaces
  for update to authenticated
  using (private.has_role(id, '{admin}')) with check (private.has_role(id, '{admin}'));
create policy "Admins delete their workspace" on public.workspaces
  for delete to authenticated using (private.has_role(id, '{admin}'));

create policy "Members see who else is in the workspace" on public.workspace_members
  for select to authenticated using (private.is_member(workspace_id));
create policy "Admins add members" on public.workspace_members
  for insert to authenticated with check (private.has_role(workspace_id, '{admin}'));
create policy "Admins change roles" on public.workspace_members
  for update to authenticated
  using (private.has_role(workspace_id, '{admin}')) with check (private.has_role(workspace_id, '{admin}'));
create policy "Admins remove members and members leave" on public.workspace_members
  for delete to authenticated
  using (private.has_role(workspace_id, '{admin}') or user_id = (select auth.uid()));

create policy "Admins see invitations" on public.invitations
  for select to authenticated using (private.has_role(workspace_id, '{admin}'));
create policy "Admins create invitations" on public.invitations
  for insert to authenticated
  with check (private.has_role(workspace_id, '{admin}') and created_by = (select auth.uid()));
create policy "Admins revoke invitations" on public.invitations
  for update to authenticated
  using (private.has_role(workspace_id, '{admin}')) with check (private.has_role(workspace_id, '{admin}'));
create policy "Admins delete invitations" on public.invitations
  for delete to authenticated using (private.has_role(workspace_id, '{admin}'));

create policy "Admins read the audit log of their workspace" on public.audit_events
  for select to authenticated using (private.has_role(workspace_id, '{admin}'));
-- no insert/update/delete policies: events are written by security-definer functions only

-- Functions ----------------------------------------------------------------------------------

-- Create a workspace with its first admin (the caller) and its default label schema.
create or replace function public.create_workspace(p_name text, p_slug text, p_taxonomy jsonb)
returns public.workspaces
language plpgsql security definer set search_path = '' as $$
declare
  v_uid uuid := (select auth.uid());
  v_ws public.workspaces;
begin
  if v_uid is null then
    raise exception 'sign in to create a workspace' using errcode = '42501';
  end if;
  insert into public.workspaces (name, slug, created_by) values (p_name, p_slug, v_uid) returning * into v_ws;
  insert into public.workspace_members (workspace_id, user_id, role) values (v_ws.id, v_uid, 'admin');
  insert into public.label_schemas (workspace_id, name, version, taxonomy, is_default, created_by)
  values (v_ws.id, 'Default', 1, p_taxonomy, true, v_uid);
  perform private.audit(v_ws.id, 'workspace.created', 'workspaces', v_ws.id::text,
                        jsonb_build_object('name', p_name, 'slug', p_slug));
  return v_ws;
end
$$;

-- Accept an invitation for the signed-in user. The caller passes the SHA-256 of the token.
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

-- Events that are not row changes (sign-in, exports, ...), written on behalf of the caller.
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
  perform private.audit(p_workspace_id, p_action, p_target_table, p_target_id, p_data);
end
$$;

revoke execute on function public.create_workspace(text, text, jsonb) from public, anon;
revoke execute on function public.accept_invitation(text) from public, anon;
revoke execute on function public.record_audit_event(uuid, text, text, text, jsonb) from public, anon;
grant execute on function public.create_workspace(text, text, jsonb) to authenticated, service_role;
grant execute on function public.accept_invitation(text) to authenticated, service_role;
grant execute on function public.record_audit_event(uuid, text, text, text, jsonb) to authenticated, service_role;
