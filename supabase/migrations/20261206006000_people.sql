-- People, for admins (issue 19 item 3): deactivate and reactivate a membership, see when members
-- were last active, erase a person's personal data, transfer what someone owns to another member.
--
-- Deactivation lives in the database: every membership check the policies make goes through the
-- private helpers below, and they count active memberships only, so a deactivated member's
-- sessions and API keys lose the workspace on their next statement, whatever the application does.
-- New SQLSTATEs: FC030 the person belongs to other workspaces (erasure refused), FC031 no such member.

alter table public.workspace_members
  add column deactivated_at timestamptz,
  add column deactivated_by uuid references auth.users (id) on delete set null;
comment on column public.workspace_members.deactivated_at is
  'Set: the membership is kept (history, attribution) but gives no access: the private.is_member/has_role/... helpers ignore it. Set and cleared by admins (private.member_deactivation).';

alter table public.profiles add column erased_at timestamptz;
comment on column public.profiles.erased_at is
  'Set by public.erase_person: the name and email are gone everywhere; display_name holds the anonymised label.';

-- Membership helpers: active memberships only ------------------------------------------------

create or replace function private.member_role(ws uuid) returns public.member_role
language sql stable security definer set search_path = '' as $$
  select m.role from public.workspace_members m
  where m.workspace_id = ws and m.user_id = (select auth.uid()) and m.deactivated_at is null
    and private.in_scope(ws)
$$;

create or replace function private.is_member(ws uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (
    select 1 from public.workspace_members m
    where m.workspace_id = ws and m.user_id = (select auth.uid()) and m.deactivated_at is null
      and private.in_scope(ws)
  )
$$;

create or replace function private.has_role(ws uuid, roles public.member_role[]) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (
    select 1 from public.workspace_members m
    where m.workspace_id = ws and m.user_id = (select auth.uid()) and m.role = any (roles)
      and m.deactivated_at is null and private.in_scope(ws)
  )
$$;

create or replace function private.has_role_anywhere(roles public.member_role[]) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (
    select 1 from public.workspace_members m
    where m.user_id = (select auth.uid()) and m.role = any (roles) and m.deactivated_at is null
      and private.in_scope(m.workspace_id)
  )
$$;

create or replace function private.member_workspace_ids() returns setof uuid
language sql stable security definer set search_path = '' as $$
  select m.workspace_id
  from public.workspace_members m
  where m.user_id = (select auth.uid()) and m.deactivated_at is null and private.in_scope(m.workspace_id)
$$;

-- a deactivated member sees nobody through that workspace; co-members still see who they were
create or replace function private.shares_workspace(other uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (
    select 1 from public.workspace_members a
    join public.workspace_members b on b.workspace_id = a.workspace_id
    where a.user_id = (select auth.uid()) and b.user_id = other and a.deactivated_at is null
      and private.in_scope(a.workspace_id)
  )
$$;

-- A deactivated member cannot leave (and come back active through a reusable invitation link).
drop policy "Admins remove members and members leave" on public.workspace_members;
create policy "Admins remove members and members leave" on public.workspace_members
  for delete to authenticated
  using (private.has_role(workspace_id, '{admin}') or (user_id = (select auth.uid()) and deactivated_at is null));

-- Deactivation: who may, what it sets, what follows ------------------------------------------

create or replace function private.member_deactivation() returns trigger
language plpgsql set search_path = '' as $$
declare
  v_uid uuid := (select auth.uid());
begin
  if new.deactivated_at is not distinct from old.deactivated_at then
    new.deactivated_by := old.deactivated_by;
    return new;
  end if;
  if new.deactivated_at is not null and old.deactivated_at is not null then
    new.deactivated_at := old.deactivated_at;
    new.deactivated_by := old.deactivated_by;
    return new;
  end if;
  if new.deactivated_at is not null then
    if v_uid is not null and new.user_id = v_uid then
      raise exception 'you cannot deactivate yourself: ask another admin' using errcode = 'FC004';
    end if;
    new.deactivated_at := now();
    new.deactivated_by := v_uid;
  else
    if exists (select 1 from public.profiles p where p.user_id = new.user_id and p.erased_at is not null) then
      raise exception 'this person''s data was erased: they cannot be reactivated' using errcode = 'FC004';
    end if;
    new.deactivated_by := null;
  end if;
  return new;
end
$$;
create trigger workspace_members_deactivation before update on public.workspace_members
for each row execute function private.member_deactivation();

-- Their claims go back to the queue the way a release does (status machine, history, catalog);
-- their work stays theirs. Runs as the definer: the admin does not hold those parts.
create or replace function private.member_deactivated() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  v_released integer := 0;
begin
  if new.deactivated_at is not null and old.deactivated_at is null then
    update public.parts set status = coalesce(claimed_from, 'unannotated')
    where workspace_id = new.workspace_id and annotator_id = new.user_id and status = 'in_progress';
    get diagnostics v_released = row_count;
    delete from public.part_presence where workspace_id = new.workspace_id and user_id = new.user_id;
    perform private.audit(new.workspace_id, 'member.deactivated', 'workspace_members', new.user_id::text,
      jsonb_build_object('user_id', new.user_id, 'released_parts', v_released));
  elsif new.deactivated_at is null and old.deactivated_at is not null then
    perform private.audit(new.workspace_id, 'member.reactivated', 'workspace_members', new.user_id::text,
      jsonb_build_object('user_id', new.user_id));
  end if;
  return null;
end
$$;
create trigger workspace_members_deactivated after update of deactivated_at on public.workspace_members
for each row execute function private.member_deactivated();

-- The last ACTIVE admin can be neither removed, demoted nor deactivated.
create or replace function private.keep_an_admin() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if old.role <> 'admin' or old.deactivated_at is not null
     or (tg_op = 'UPDATE' and new.role = 'admin' and new.deactivated_at is null) then
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
      and m.deactivated_at is null
  ) then
    raise exception 'a workspace needs at least one admin who is active: make another member admin first'
      using errcode = 'FC002';
  end if;
  return coalesce(new, old);
end
$$;
drop trigger workspace_members_keep_admin on public.workspace_members;
create trigger workspace_members_keep_admin before update of role, deactivated_at or delete on public.workspace_members
for each row execute function private.keep_an_admin();

-- open live streams of a deactivated member close, as for a removed one
drop trigger workspace_members_notify_access on public.workspace_members;
create trigger workspace_members_notify_access after update of role, deactivated_at or delete on public.workspace_members
for each row execute function private.notify_access_change();

-- Last activity ------------------------------------------------------------------------------

-- "what did this person do here lately" is one index lookup per member
create index audit_events_actor_idx on public.audit_events (actor_id, workspace_id, created_at desc)
  where actor_id is not null;

-- Per member of the workspace (admins only; others get no rows): the last thing they did here
-- (an audited change, a use of an API key bound to it), and when their account was last used at all
-- (a sign-in or a session refresh, which the sign-in code writes at most once per access token).
create or replace function public.member_activity(p_workspace_id uuid)
returns table (user_id uuid, last_active_at timestamptz, last_seen_at timestamptz)
language sql stable security definer set search_path = '' as $$
  select m.user_id,
         greatest(
           (select a.created_at from public.audit_events a
            where a.actor_id = m.user_id and a.workspace_id = m.workspace_id
            order by a.created_at desc limit 1),
           (select max(k.last_used_at) from public.api_keys k
            where k.user_id = m.user_id and k.workspace_id = m.workspace_id)),
         greatest(u.last_sign_in_at, (select max(s.updated_at) from auth.sessions s where s.user_id = m.user_id))
  from public.workspace_members m join auth.users u on u.id = m.user_id
  where m.workspace_id = p_workspace_id and private.has_role(p_workspace_id, '{admin}')
$$;
revoke all on function public.member_activity(uuid) from public, anon;
grant execute on function public.member_activity(uuid) to authenticated, service_role;

-- Transfer what a person owns --------------------------------------------------------------

-- Their datasets and saved filters go to another active member; snapshots keep who froze them
-- (they are history). A saved filter whose name the receiver uses already gets " (moved)".
create or replace function public.transfer_member_items(p_workspace_id uuid, p_from uuid, p_to uuid)
returns table (datasets integer, saved_filters integer)
language plpgsql security definer set search_path = '' as $$
declare
  v_datasets integer;
  v_filters integer;
begin
  if (select auth.uid()) is null or not private.has_role(p_workspace_id, '{admin}') then
    raise exception 'only admins of this workspace transfer what members own' using errcode = '42501';
  end if;
  if p_from = p_to then
    raise exception 'choose someone else to receive them' using errcode = '22023';
  end if;
  if not exists (select 1 from public.workspace_members m where m.workspace_id = p_workspace_id and m.user_id = p_from) then
    raise exception 'no such member in this workspace' using errcode = 'FC031';
  end if;
  if not exists (select 1 from public.workspace_members m
                 where m.workspace_id = p_workspace_id and m.user_id = p_to and m.deactivated_at is null) then
    raise exception 'the receiver must be an active member of this workspace' using errcode = '22023';
  end if;
  update public.datasets set created_by = p_to where workspace_id = p_workspace_id and created_by = p_from;
  get diagnostics v_datasets = row_count;
  update public.saved_filters f
  set user_id = p_to,
      name = case when exists (select 1 from public.saved_filters o
                               where o.workspace_id = f.workspace_id and o.user_id = p_to and o.name = f.name)
                  then left(f.name, 72) || ' (moved)' else f.name end
  where f.workspace_id = p_workspace_id and f.user_id = p_from;
  get diagnostics v_filters = row_count;
  perform private.audit(p_workspace_id, 'member.items_transferred', 'workspace_members', p_from::text,
    jsonb_build_object('from_user_id', p_from, 'to_user_id', p_to, 'datasets', v_datasets, 'saved_filters', v_filters));
  return query select v_datasets, v_filters;
end
$$;
revoke all on function public.transfer_member_items(uuid, uuid, uuid) from public, anon;
grant execute on function public.transfer_member_items(uuid, uuid, uuid) to authenticated, service_role;

-- Erasure ------------------------------------------------------------------------------------
--
-- The audit log, comments and notifications never change ("nobody can edit them"), with one
-- exception: private.redact_person, which only public.erase_person calls (nobody else may execute
-- it). While it runs, its transaction holds a mark in private.erasure_marks, a table nobody but the
-- owner can write; the append-only guards let a marked transaction change only the columns that can
-- carry a person's name, email or address, and nothing else. The mark is removed before it returns,
-- so it is never committed and never seen by another transaction.

create table private.erasure_marks (
  xact xid8 primary key default pg_current_xact_id()
);
alter table private.erasure_marks enable row level security;
revoke all on private.erasure_marks from public, anon, authenticated, service_role;
comment on table private.erasure_marks is
  'Transient: a row exists only inside the transaction of private.redact_person (the only writer).';

create or replace function private.erasing() returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (select 1 from private.erasure_marks e where e.xact = pg_current_xact_id())
$$;
grant execute on function private.erasing() to authenticated, service_role;

create or replace function private.audit_events_guard() returns trigger
language plpgsql set search_path = '' as $$
begin
  if tg_op = 'UPDATE' and private.erasing()
     and (to_jsonb(new) - '{data,ip,user_agent}'::text[]) = (to_jsonb(old) - '{data,ip,user_agent}'::text[]) then
    return new;
  end if;
  raise exception '% is append-only: % refused', tg_table_name, lower(tg_op)
    using errcode = 'FC003', hint = 'write a new row instead';
end
$$;
drop trigger audit_events_append_only on public.audit_events;
create trigger audit_events_append_only before update or delete on public.audit_events
for each row execute function private.audit_events_guard();

create or replace function private.comments_guard() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if private.erasing() then
    if (to_jsonb(new) - '{author_name,body}'::text[]) <> (to_jsonb(old) - '{author_name,body}'::text[]) then
      raise exception 'the erasure changes names and texts only' using errcode = 'FC005';
    end if;
    return new;
  end if;
  if (to_jsonb(new) - '{resolved_at,resolved_by}'::text[]) <> (to_jsonb(old) - '{resolved_at,resolved_by}'::text[]) then
    raise exception 'a comment cannot be edited; reply to it instead' using errcode = 'FC005';
  end if;
  if old.parent_id is not null and new.resolved_at is distinct from old.resolved_at then
    raise exception 'resolve the thread, not a reply' using errcode = '22023';
  end if;
  if new.resolved_at is not null and old.resolved_at is null then
    new.resolved_at := now();
    new.resolved_by := (select auth.uid());
  elsif new.resolved_at is null then
    new.resolved_by := null;
  else
    new.resolved_at := old.resolved_at;
    new.resolved_by := old.resolved_by;
  end if;
  return new;
end
$$;

create or replace function private.notifications_guard() returns trigger
language plpgsql set search_path = '' as $$
begin
  if private.erasing() then
    if (to_jsonb(new) - '{actor_name,summary}'::text[]) <> (to_jsonb(old) - '{actor_name,summary}'::text[]) then
      raise exception 'the erasure changes names and texts only' using errcode = 'FC005';
    end if;
    return new;
  end if;
  if (to_jsonb(new) - 'read_at') <> (to_jsonb(old) - 'read_at') then
    raise exception 'a notification can only be marked read or unread' using errcode = 'FC005';
  end if;
  return new;
end
$$;

-- Each string as a case-insensitive regular expression matching it where it is not part of a
-- longer word (so that "Ann" does not change "Annotation").
create or replace function private.redaction_patterns(p_strings text[]) returns text[]
language sql immutable set search_path = '' as $$
  select coalesce(array_agg(distinct '(?<![[:alnum:]])' || regexp_replace(s, '([^[:alnum:][:space:]])', '\\\1', 'g')
                            || '(?![[:alnum:]])'), '{}')
  from unnest(p_strings) s
  where char_length(btrim(s)) >= 2
$$;

create or replace function private.redact_text(p_text text, p_patterns text[], p_label text) returns text
language plpgsql immutable set search_path = '' as $$
declare
  v text := p_text;
  p text;
begin
  if v is null then
    return null;
  end if;
  foreach p in array p_patterns loop
    v := regexp_replace(v, p, p_label, 'gi');
  end loop;
  return v;
end
$$;

-- The same, in every string of a JSON document (keys and structure stay).
create or replace function private.redact_jsonb(p_doc jsonb, p_patterns text[], p_label text) returns jsonb
language plpgsql immutable set search_path = '' as $$
begin
  return case jsonb_typeof(p_doc)
    when 'object' then (select coalesce(jsonb_object_agg(e.key, private.redact_jsonb(e.value, p_patterns, p_label)), '{}'::jsonb)
                        from jsonb_each(p_doc) e)
    when 'array' then (select coalesce(jsonb_agg(private.redact_jsonb(a.value, p_patterns, p_label) order by a.n), '[]'::jsonb)
                       from jsonb_array_elements(p_doc) with ordinality a(value, n))
    when 'string' then to_jsonb(private.redact_text(p_doc #>> '{}', p_patterns, p_label))
    else p_doc end;
end
$$;

-- The only path that changes the append-only copies: the person's strings replaced by the label
-- in the audit log's details, comments and notifications; the address and browser of what they did
-- dropped from the log. Returns how many rows of each it changed.
create or replace function private.redact_person(p_user_id uuid, p_strings text[], p_label text) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  v_patterns text[] := private.redaction_patterns(p_strings);
  v_audit integer;
  v_comments integer;
  v_notifications integer;
begin
  insert into private.erasure_marks default values;
  update public.audit_events a
  set data = private.redact_jsonb(a.data, v_patterns, p_label),
      ip = case when a.actor_id = p_user_id then null else a.ip end,
      user_agent = case when a.actor_id = p_user_id then null else private.redact_text(a.user_agent, v_patterns, p_label) end
  where (a.actor_id = p_user_id and (a.ip is not null or a.user_agent is not null))
     or a.data::text ~* any (v_patterns) or a.user_agent ~* any (v_patterns);
  get diagnostics v_audit = row_count;
  update public.comments c
  set author_name = case when c.author_id = p_user_id then p_label else private.redact_text(c.author_name, v_patterns, p_label) end,
      body = left(private.redact_text(c.body, v_patterns, p_label), 5000)
  where c.author_id = p_user_id or c.author_name ~* any (v_patterns) or c.body ~* any (v_patterns);
  get diagnostics v_comments = row_count;
  update public.notifications n
  set actor_name = case when n.actor_id = p_user_id then p_label else private.redact_text(n.actor_name, v_patterns, p_label) end,
      summary = left(private.redact_text(n.summary, v_patterns, p_label), 300)
  where n.actor_id = p_user_id or n.actor_name ~* any (v_patterns) or n.summary ~* any (v_patterns);
  get diagnostics v_notifications = row_count;
  delete from private.erasure_marks where xact = pg_current_xact_id();
  return jsonb_build_object('audit_events', v_audit, 'comments', v_comments, 'notifications', v_notifications);
end
$$;
revoke all on function private.redact_person(uuid, text[], text) from public, anon, authenticated, service_role;

-- Erase a person's personal data on request, by an admin of a workspace they belong to, when it
-- is the only workspace they belong to (an admin of one workspace does not erase people that other
-- workspaces know). Their work stays, attributed to an anonymised member ("Former member 7f3a");
-- their account can no longer sign in; their membership stays, deactivated (so the last active
-- admin cannot be erased either). Writes one audit event, without the personal data.
create or replace function public.erase_person(p_workspace_id uuid, p_user_id uuid)
returns text
language plpgsql security definer set search_path = '' as $$
declare
  v_uid uuid := (select auth.uid());
  v_label text := 'Former member ' || substr(md5(gen_random_uuid()::text), 1, 4);
  v_strings text[];
  v_emails text[];
  v_others integer;
  v_counts jsonb;
  v_invitations integer;
begin
  if v_uid is null or not private.has_role(p_workspace_id, '{admin}') then
    raise exception 'only admins of this workspace erase people' using errcode = '42501';
  end if;
  if p_user_id = v_uid then
    raise exception 'you cannot erase yourself here: ask another admin' using errcode = 'FC004';
  end if;
  perform 1 from public.workspace_members m where m.workspace_id = p_workspace_id and m.user_id = p_user_id for update;
  if not found then
    raise exception 'no such member in this workspace' using errcode = 'FC031';
  end if;
  if exists (select 1 from public.profiles p where p.user_id = p_user_id and p.erased_at is not null) then
    raise exception 'this person''s data was erased already' using errcode = 'FC005';
  end if;
  select count(*) into v_others from public.workspace_members m
  where m.user_id = p_user_id and m.workspace_id <> p_workspace_id;
  if v_others > 0 then
    raise exception 'this person is also a member of % other workspace%: only someone who belongs to no other workspace can be erased here; they must leave or be removed there first',
      v_others, case when v_others = 1 then '' else 's' end
      using errcode = 'FC030';
  end if;

  -- every form of their name and address this database holds
  select array_agg(distinct s) filter (where s is not null and char_length(btrim(s)) >= 2),
         array_agg(distinct lower(s)) filter (where s like '%@%')
  into v_strings, v_emails
  from (
    select u.email::text as s from auth.users u where u.id = p_user_id
    union all select u.raw_user_meta_data ->> k from auth.users u, unnest(array['display_name', 'full_name', 'name']) k
      where u.id = p_user_id
    union all select p.email from public.profiles p where p.user_id = p_user_id
    union all select p.display_name from public.profiles p where p.user_id = p_user_id
    union all select distinct c.author_name from public.comments c where c.author_id = p_user_id
    union all select distinct n.actor_name from public.notifications n where n.actor_id = p_user_id
  ) x;
  v_strings := coalesce(v_strings, '{}');
  v_emails := coalesce(v_emails, '{}');

  -- no access any more, claims back to the queue (and the last-active-admin rule applies)
  update public.workspace_members set deactivated_at = now()
  where workspace_id = p_workspace_id and user_id = p_user_id and deactivated_at is null;

  -- the account: no address, no password, banned, deleted; sessions and keys end
  update auth.users
  set email = null, encrypted_password = null, email_confirmed_at = null, last_sign_in_at = null,
      raw_user_meta_data = jsonb_build_object('display_name', v_label),
      raw_app_meta_data = jsonb_build_object('facet_erased', true),
      banned_until = 'infinity', deleted_at = now()
  where id = p_user_id;
  if to_regclass('auth.identities') is not null then
    execute 'delete from auth.identities where user_id = $1' using p_user_id;
  end if;
  delete from auth.refresh_tokens where user_id = p_user_id::text;
  delete from auth.sessions where user_id = p_user_id;
  update public.profiles set email = '', display_name = v_label, erased_at = now() where user_id = p_user_id;
  update public.api_keys set revoked_at = now() where user_id = p_user_id and revoked_at is null;
  delete from public.notifications where user_id = p_user_id;
  delete from public.part_presence where user_id = p_user_id;
  delete from private.rate_limits where lower(key) = any (v_emails);
  -- invitations addressed to them: revoked, and the address gone
  update public.invitations set email = null, revoked_at = coalesce(revoked_at, now())
  where email = any (v_emails);
  get diagnostics v_invitations = row_count;

  -- last: the append-only copies, including the audit events the statements above just wrote
  v_counts := private.redact_person(p_user_id, v_strings, v_label);
  perform private.audit(p_workspace_id, 'member.erased', 'workspace_members', p_user_id::text,
    jsonb_build_object('user_id', p_user_id, 'label', v_label, 'invitations', v_invitations) || v_counts);
  return v_label;
end
$$;
revoke all on function public.erase_person(uuid, uuid) from public, anon;
grant execute on function public.erase_person(uuid, uuid) to authenticated, service_role;
