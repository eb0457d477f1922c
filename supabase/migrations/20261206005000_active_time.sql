-- Active labelling time, as the workbench measures it (issue 19, item 2): time counts only while the
-- tab is visible and focused and the person did something within the last minute. The workbench sends
-- what it measured every few seconds and when the part is handed in; each report adds to one row per
-- (part, person, workbench session).
--
-- Bounds, so that a forged request cannot add hours:
--   * a person writes only their own rows, for a part they hold (in_progress, held by them), or one
--     they handed in for review in the last two minutes (the workbench's last report after submitting);
--   * a row only grows, by at most 10 minutes a report;
--   * all of a person's time on a part since its claim cannot exceed the wall time since the claim
--     (plus 5 seconds for clocks and requests in flight).
-- No new SQLSTATE: bounds are 22023 (invalid parameter value); time on a part not held is FC004 or RLS's 42501.

create table public.work_time (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  part_id uuid not null references public.parts (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  -- one workbench page (a tab): made up by the browser
  session_id uuid not null,
  active_ms bigint not null default 0 check (active_ms >= 0),
  started_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (part_id, user_id, session_id),
  foreign key (workspace_id, part_id) references public.parts (workspace_id, id) on delete cascade
);
alter table public.work_time enable row level security;
create index work_time_workspace_user_idx on public.work_time (workspace_id, user_id, part_id);

-- Security invoker on purpose: current_user tells a user's request ('authenticated', whose own rows
-- and parts row-level security lets it read here) from the service's.
create or replace function private.work_time_guard() returns trigger
language plpgsql set search_path = '' as $$
declare
  v_part public.parts;
  v_earlier bigint;
  v_limit_ms bigint;
begin
  select * into v_part from public.parts p where p.id = new.part_id;
  if v_part.id is null then
    raise exception 'no such part' using errcode = '23503';
  end if;
  if tg_op = 'INSERT' then
    new.workspace_id := v_part.workspace_id;
    new.started_at := now();
    if new.active_ms > 600000 then
      raise exception 'at most 10 minutes of active time a report' using errcode = '22023';
    end if;
  else
    if (new.workspace_id, new.part_id, new.user_id, new.session_id, new.started_at)
       is distinct from (old.workspace_id, old.part_id, old.user_id, old.session_id, old.started_at) then
      raise exception 'a work time record''s part, person and session cannot change' using errcode = '22023';
    end if;
    if new.active_ms < old.active_ms or new.active_ms - old.active_ms > 600000 then
      raise exception 'active time only grows, by at most 10 minutes a report' using errcode = '22023';
    end if;
  end if;
  new.updated_at := now();
  -- the time since the claim bounds all of the person's time on the part during that claim
  if current_user = 'authenticated' then
    if v_part.claimed_at is null or v_part.annotator_id is distinct from new.user_id then
      raise exception 'you do not hold this part' using errcode = 'FC004';
    end if;
    select coalesce(sum(w.active_ms), 0) into v_earlier from public.work_time w
    where w.part_id = new.part_id and w.user_id = new.user_id and w.started_at >= v_part.claimed_at
      and w.id <> new.id;
    v_limit_ms := (extract(epoch from (now() - v_part.claimed_at)) * 1000)::bigint + 5000;
    if v_earlier + new.active_ms > v_limit_ms then
      raise exception 'more active time than has passed since the part was claimed' using errcode = '22023';
    end if;
  end if;
  return new;
end
$$;
create trigger work_time_guard before insert or update on public.work_time
for each row execute function private.work_time_guard();

-- Whether the caller may report time on the part now (see the bounds above).
create or replace function private.holds_for_work_time(p_part_id uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (
    select 1 from public.parts p
    where p.id = p_part_id and p.annotator_id = (select auth.uid())
      and private.has_role(p.workspace_id, '{admin,engineer,annotator}')
      and (p.status = 'in_progress'
           or (p.status = 'in_review' and p.status_changed_at > now() - interval '2 minutes'))
  )
$$;
revoke execute on function private.holds_for_work_time(uuid) from public, anon;
grant execute on function private.holds_for_work_time(uuid) to authenticated, service_role;

create policy "Admins read the workspace's work time; everyone their own" on public.work_time
  for select to authenticated
  using (user_id = (select auth.uid()) or private.has_role(workspace_id, '{admin}'));
create policy "People record their own time on parts they hold" on public.work_time
  for insert to authenticated
  with check (user_id = (select auth.uid()) and private.holds_for_work_time(part_id));
create policy "People add to their own time on parts they hold" on public.work_time
  for update to authenticated
  using (user_id = (select auth.uid()) and private.holds_for_work_time(part_id))
  with check (user_id = (select auth.uid()) and private.holds_for_work_time(part_id));

-- rows are written through the policies above only, never emptied wholesale (TRUNCATE skips row-level security)
revoke all on public.work_time from anon;
revoke truncate, delete on public.work_time from authenticated;
grant select, insert, update on public.work_time to authenticated;
grant select, insert, update, delete on public.work_time to service_role;

-- The parts' status changes (from the audit log) for the analytics page: admins only. The audit log's
-- policy checks the reader's role row by row (80,000 events: seconds); this checks it once, then reads
-- the workspace's events of the parts in scope (a dataset, or all) from one time to another.
create or replace function public.part_status_events(
  p_workspace_id uuid, p_dataset_id uuid, p_after timestamptz, p_before timestamptz
)
returns table (part_id uuid, event_id bigint, created_at timestamptz, from_status text, to_status text,
               annotator_id uuid, actor_id uuid)
language plpgsql stable security definer set search_path = '' as $$
begin
  if not private.has_role(p_workspace_id, '{admin}') then
    raise exception 'only admins read the status history' using errcode = '42501';
  end if;
  return query
    with ps as materialized (
      select p.id, p.id::text as ref from public.parts p
      where p.workspace_id = p_workspace_id and (p_dataset_id is null or p.dataset_id = p_dataset_id)
    )
    select ps.id, e.id, e.created_at, e.data ->> 'from', e.data ->> 'to',
           case when e.data ->> 'annotator_id' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                then (e.data ->> 'annotator_id')::uuid end,
           e.actor_id
    from public.audit_events e join ps on ps.ref = e.target_id
    where e.workspace_id = p_workspace_id and e.action = 'part.status_changed' and e.target_table = 'parts'
      and e.created_at >= p_after and e.created_at < p_before;
end
$$;
revoke execute on function public.part_status_events(uuid, uuid, timestamptz, timestamptz) from public, anon;
grant execute on function public.part_status_events(uuid, uuid, timestamptz, timestamptz) to authenticated, service_role;
